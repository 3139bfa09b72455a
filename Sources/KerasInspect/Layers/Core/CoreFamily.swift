extension LayerCatalog {
    /// InputLayer, Dense, Embedding, Lambda-free core layers.
    static let coreKinds: [any LayerKind.Type] = [
        InputLayerKind.self,
        DenseLayer.self,
    ]
}
