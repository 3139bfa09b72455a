extension LayerCatalog {
    /// Rescaling, Normalization, categorical encodings, image resizing and cropping,
    /// augmentation.
    static let preprocessingKinds: [any LayerKind.Type] = [
        RescalingLayer.self,
        NormalizationLayer.self,
        CategoricalEncodingLayer.self,
        ImageResizingLayer.self,
        RandomImageSizeLayer.self,
        AugmentationLayer.self,
    ]
}
