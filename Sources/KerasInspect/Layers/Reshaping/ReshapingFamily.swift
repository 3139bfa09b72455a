extension LayerCatalog {
    /// Flatten, Reshape, Permute, RepeatVector, padding, cropping, upsampling.
    static let reshapingKinds: [any LayerKind.Type] = [

    ]
}
