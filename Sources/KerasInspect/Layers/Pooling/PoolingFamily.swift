extension LayerCatalog {
    /// max/average pooling and global pooling.
    static let poolingKinds: [any LayerKind.Type] = [

    ]
}
