extension LayerCatalog {
    /// Bidirectional, TimeDistributed.
    static let wrapperKinds: [any LayerKind.Type] = [
        TimeDistributedLayer.self,
        BidirectionalLayer.self,
    ]
}
