extension LayerCatalog {
    /// MultiHeadAttention.
    static let attentionKinds: [any LayerKind.Type] = [
        MultiHeadAttentionLayer.self,
    ]
}
