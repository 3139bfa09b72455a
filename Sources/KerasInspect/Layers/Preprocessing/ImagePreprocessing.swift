/// `Resizing`, `CenterCrop`, `RandomCrop`: images come out `height × width` (channels
/// kept). No weights.
public struct ImageResizingLayer: SingleInputLayerKind {
    public static let classNames = ["Resizing", "CenterCrop", "RandomCrop"]

    public let height: Int
    public let width: Int
    public let channelsFirst: Bool
    let className: String
    let interpolation: String
    let cropToAspectRatio: Bool
    let padToAspectRatio: Bool
    let antialias: Bool
    let keras3: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        height = try config.int("height")
        width = try config.int("width")
        channelsFirst = config.channelsFirst
        className = config.className
        interpolation = config.string("interpolation", default: "bilinear")
        cropToAspectRatio = config.bool("crop_to_aspect_ratio", default: false)
        padToAspectRatio = config.bool("pad_to_aspect_ratio", default: false)
        antialias = config.bool("antialias", default: false)
        keras3 = config.isKeras3
    }

    /// `fill_mode` / `fill_value` fill the padding of `pad_to_aspect_ratio`, which `run` refuses;
    /// RandomCrop's generator is unused at inference.
    public static let inferenceNeutralConfigKeys: Set<String> = ["fill_mode", "fill_value", "rng_type"]

    /// Resizing: `tf.image.resize` (bilinear or nearest, half-pixel centres), after cropping
    /// to the target's aspect ratio when asked. CenterCrop: the centred window (the smaller
    /// half of the excess before it), or Keras' smart_resize when the image is smaller than
    /// the window. RandomCrop at inference: tf-keras smart-resizes to the target; Keras 3
    /// returns the image unchanged (whatever size its summary reports).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard input.rank == 4 else { throw RuntimeError("expects (batch, height, width, channels) images, got \(input.shape)") }
        if className == "RandomCrop" && keras3 { return input }
        let height = height, width = width
        return try Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { images in
            switch className {
            case "CenterCrop":
                let (extraHeight, extraWidth) = (images.shape[1] - height, images.shape[2] - width)
                if extraHeight >= 0, extraWidth >= 0 {
                    return Kernels.crop(images, top: extraHeight / 2, left: extraWidth / 2, height: height, width: width)
                }
                return try Kernels.cropToAspectRatioAndResize(images, height: height, width: width, interpolation: .bilinear)
            case "RandomCrop":
                return try Kernels.cropToAspectRatioAndResize(images, height: height, width: width, interpolation: .bilinear)
            default:
                guard let method = Kernels.Interpolation(rawValue: interpolation) else {
                    throw RuntimeError("interpolation '\(interpolation)' cannot run (only bilinear and nearest)")
                }
                guard !padToAspectRatio else { throw RuntimeError("pad_to_aspect_ratio cannot run yet") }
                guard !antialias else { throw RuntimeError("antialiased resizing cannot run yet") }
                if cropToAspectRatio {
                    return try Kernels.cropToAspectRatioAndResize(images, height: height, width: width, interpolation: method)
                }
                return try Kernels.resize(images, height: height, width: width, interpolation: method)
            }
        }
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
/// identity at inference) and AutoContrast, which also runs at inference. Same shape, no
/// weights.
public struct AugmentationLayer: ShapePreservingLayerKind {
    public static let classNames = [
        "RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
        "RandomBrightness", "RandomGrayscale", "RandomHue", "RandomSaturation",
        "AutoContrast", "Equalization", "Solarization", "RandomColorDegeneration",
        "RandomColorJitter", "RandomErasing", "RandomGaussianBlur", "RandomInvert",
        "RandomPerspective", "RandomPosterization", "RandomSharpness", "RandomShear",
        "RandomElasticTransform", "AugMix", "CutMix", "MixUp", "RandAugment",
    ]
    let className: String
    /// AutoContrast's input range (its arithmetic works on 0…255).
    let valueRange: (low: Float, high: Float)
    let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        className = config.className
        // The random transforms are the identity at inference, whatever their settings.
        if className != "AutoContrast" { config.acknowledge(config.object.keys) }
        let range = (config["value_range"]?.arrayValue ?? []).compactMap(\.doubleValue).map(Float.init).sorted()
        valueRange = range.count == 2 ? (range[0], range[1]) : (0, 255)
        channelsFirst = config.channelsFirst
    }

    /// Random transforms are the identity at inference (Keras checked: every one of them
    /// returns its input with training=False, Equalization and Solarization included).
    /// AutoContrast runs at inference too: per image and channel, values stretched so the
    /// smallest becomes the range's low end and the largest its high end, clipped; a constant
    /// channel (0 / 0) keeps its values.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard className == "AutoContrast" else { return input }
        guard !channelsFirst else { throw RuntimeError("AutoContrast on channels_first images cannot run yet") }
        guard input.rank == 4 else { throw RuntimeError("expects (batch, height, width, channels) images, got \(input.shape)") }
        let (batch, positions, channels) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3])
        let (low, high) = valueRange
        let identity = low == 0 && high == 255
        var result = input
        for b in 0..<batch {
            for c in 0..<channels {
                let index = { (p: Int) in (b * positions + p) * channels + c }
                let toByteRange = { (x: Float) in identity ? x : (x - low) / (high - low) * 255 }
                var smallest = Float.infinity, largest = -Float.infinity
                for p in 0..<positions {
                    let x = toByteRange(input.values[index(p)])
                    smallest = min(smallest, x)
                    largest = max(largest, x)
                }
                let scale = 255 / (largest - smallest), offset = -smallest * scale
                for p in 0..<positions {
                    var y = min(max(toByteRange(input.values[index(p)]) * scale + offset, 0), 255)
                    if !identity { y = y / 255 * (high - low) + low }
                    result.values[index(p)] = y.isNaN ? input.values[index(p)] : y
                }
            }
        }
        return result
    }
}

/// tf-keras `RandomHeight`, `RandomWidth`: resize images by a random factor in training,
/// so the height (axis -3) or width (axis -2) becomes unknown. No weights.
public struct RandomImageSizeLayer: SingleInputLayerKind {
    public static let classNames = ["RandomHeight", "RandomWidth"]

    /// The axis counted from the end whose size becomes unknown.
    let axisFromEnd: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        axisFromEnd = config.className == "RandomHeight" ? 3 : 2
        config.acknowledge(config.object.keys)  // the identity at inference, whatever the factor
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank >= 3 else { throw LayerConfigError("expects images (…, height, width, channels), got \(input)") }
        var output = input
        output[input.rank - axisFromEnd] = nil
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// The identity at inference (tf-keras resizes only in training).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor { input }
}
