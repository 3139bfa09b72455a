extension LayerCatalog {
    /// InputLayer, Dense, Embedding, EinsumDense, Lambda and pass-through layers.
    static let coreKinds: [any LayerKind.Type] = [
        InputLayerKind.self,
        DenseLayer.self,
        EmbeddingLayer.self,
        EinsumDenseLayer.self,
        PassThroughLayer.self,
        LambdaLayer.self,
        HighwayLayer.self,
        MaxoutDenseLayer.self,
    ]
}
