extension LayerCatalog {
    /// InputLayer, Dense, Embedding and pass-through layers.
    static let coreKinds: [any LayerKind.Type] = [
        InputLayerKind.self,
        DenseLayer.self,
        EmbeddingLayer.self,
        PassThroughLayer.self,
    ]
}
