extension LayerCatalog {
    /// Max/average pooling and global pooling.
    static let poolingKinds: [any LayerKind.Type] = [
        PoolingLayer.self,
        GlobalPoolingLayer.self,
    ]
}
