extension LayerCatalog {
    /// Bidirectional, TimeDistributed.
    static let wrapperKinds: [any LayerKind.Type] = [

    ]
}
