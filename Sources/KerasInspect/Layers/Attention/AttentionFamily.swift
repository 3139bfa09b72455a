extension LayerCatalog {
    /// MultiHeadAttention, Attention, AdditiveAttention.
    static let attentionKinds: [any LayerKind.Type] = [
        MultiHeadAttentionLayer.self,
        AttentionLayer.self,
    ]
}
