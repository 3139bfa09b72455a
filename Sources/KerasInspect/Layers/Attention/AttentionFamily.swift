extension LayerCatalog {
    /// MultiHeadAttention, GroupQueryAttention, Attention, AdditiveAttention.
    static let attentionKinds: [any LayerKind.Type] = [
        MultiHeadAttentionLayer.self,
        GroupedQueryAttentionLayer.self,
        AttentionLayer.self,
    ]
}
