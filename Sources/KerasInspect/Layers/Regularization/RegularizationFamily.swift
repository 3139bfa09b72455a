extension LayerCatalog {
    /// Dropout and noise layers (identity at inference).
    static let regularizationKinds: [any LayerKind.Type] = [
        TrainingOnlyNoiseLayer.self,
    ]
}
