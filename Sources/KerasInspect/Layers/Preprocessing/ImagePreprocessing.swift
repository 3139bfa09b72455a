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

/// Data-augmentation layers: random transforms in training, the identity at inference.
/// Same shape, no weights.
public struct AugmentationLayer: ShapePreservingLayerKind {
    public static let classNames = [
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
        "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation",
    ]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}
