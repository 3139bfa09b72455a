extension LayerCatalog {
    /// BatchNormalization, LayerNormalization.
    static let normalizationKinds: [any LayerKind.Type] = [

    ]
}
