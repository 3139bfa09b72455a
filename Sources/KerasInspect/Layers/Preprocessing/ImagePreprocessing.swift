/// `Resizing`, `CenterCrop`, `RandomCrop`: images come out `height × width` (channels
/// kept). No weights.
public struct ImageResizingLayer: SingleInputLayerKind {
    public static let classNames = ["Resizing", "CenterCrop", "RandomCrop"]

    public let height: Int
    public let width: Int
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        height = try config.int("height")
        width = try config.int("width")
        channelsFirst = config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank >= 3 else { throw LayerConfigError("expects images, got \(input)") }
        var output = input
        let rows = channelsFirst ? input.rank - 2 : input.rank - 3
        output[rows] = height
        output[rows + 1] = width
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// Data-augmentation and image-adjustment layers: random transforms in training (the
/// identity at inference) and fixed ones (AutoContrast, Equalization, Solarization) that
/// keep the image's size. Same shape, no weights.
public struct AugmentationLayer: ShapePreservingLayerKind {
    public static let classNames = [
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
        "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation",
        "AutoContrast", "Equalization", "Solarization", "RandomColorDegeneration",
        "RandomColorJitter", "RandomErasing", "RandomGaussianBlur", "RandomInvert",
        "RandomPerspective", "RandomPosterization", "RandomSharpness", "RandomShear",
        "RandomElasticTransform", "AugMix", "CutMix", "MixUp", "RandAugment",
    ]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}

/// tf-keras `RandomHeight`, `RandomWidth`: resize images by a random factor in training,
/// so the height (axis -3) or width (axis -2) becomes unknown. No weights.
public struct RandomImageSizeLayer: SingleInputLayerKind {
    public static let classNames = ["RandomHeight", "RandomWidth"]

    /// The axis counted from the end whose size becomes unknown.
    let axisFromEnd: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axisFromEnd = config.className == "RandomHeight" ? 3 : 2
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank >= 3 else { throw LayerConfigError("expects images (…, height, width, channels), got \(input)") }
        var output = input
        output[input.rank - axisFromEnd] = nil
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
