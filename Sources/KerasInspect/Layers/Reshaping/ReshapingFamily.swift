extension LayerCatalog {
    /// Flatten, Reshape, Permute, RepeatVector, padding, cropping, upsampling.
    static let reshapingKinds: [any LayerKind.Type] = [
        FlattenLayer.self,
        ReshapeLayer.self,
        PermuteLayer.self,
        RepeatVectorLayer.self,
        PaddingOrCroppingLayer.self,
        UpSamplingLayer.self,
    ]
}
