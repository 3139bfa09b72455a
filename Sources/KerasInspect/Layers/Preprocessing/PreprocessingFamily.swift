extension LayerCatalog {
    /// Rescaling, Normalization.
    static let preprocessingKinds: [any LayerKind.Type] = [
        RescalingLayer.self,
        NormalizationLayer.self,
    ]
}
