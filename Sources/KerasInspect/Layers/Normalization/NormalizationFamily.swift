extension LayerCatalog {
    /// BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization,
    /// RMSNormalization, SpectralNormalization.
    static let normalizationKinds: [any LayerKind.Type] = [
        BatchNormalizationLayer.self,
        LayerNormalizationLayer.self,
        GroupNormalizationLayer.self,
        UnitNormalizationLayer.self,
        RMSNormalizationLayer.self,
        SpectralNormalizationLayer.self,
    ]
}
