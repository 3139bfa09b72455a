extension LayerCatalog {
    /// Rescaling, Normalization, image resizing and cropping, augmentation.
    static let preprocessingKinds: [any LayerKind.Type] = [
        RescalingLayer.self,
        NormalizationLayer.self,
        ImageResizingLayer.self,
        AugmentationLayer.self,
    ]
}
