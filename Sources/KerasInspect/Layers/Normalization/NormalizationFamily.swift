extension LayerCatalog {
    /// BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization.
    static let normalizationKinds: [any LayerKind.Type] = [
        BatchNormalizationLayer.self,
        LayerNormalizationLayer.self,
        GroupNormalizationLayer.self,
        UnitNormalizationLayer.self,
    ]
}
