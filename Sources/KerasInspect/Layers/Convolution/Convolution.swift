/// The settings every convolution shares, read once for Conv, ConvTranspose, Depthwise and
/// Separable layers (Keras 1 spellings accepted: `nb_filter`, `nb_row`/`nb_col`,
/// `border_mode`, `subsample`, `atrous_rate`).
struct ConvolutionSettings: Sendable {
    let spatialRank: Int
    /// Keras 1 configs (`nb_filter`) store kernels in Keras 1's layouts.
    let keras1: Bool
    let kernelSize: [Int]
    let strides: [Int]
    let dilation: [Int]
    let padding: String
    let channelsFirst: Bool
    let useBias: Bool

    init(_ config: LayerConfig, spatialRank: Int) throws {
        self.spatialRank = spatialRank
        keras1 = config.has("nb_filter")
        if config.has("kernel_size") {
            kernelSize = try config.ints("kernel_size", count: spatialRank)
        } else if spatialRank == 2, config.has("nb_row") {
            kernelSize = [try config.int("nb_row"), try config.int("nb_col")]
        } else if spatialRank == 3, config.has("kernel_dim1") {
            kernelSize = [try config.int("kernel_dim1"), try config.int("kernel_dim2"), try config.int("kernel_dim3")]
        } else {
            kernelSize = try config.ints("filter_length", count: spatialRank)
        }
        let ones = Array(repeating: 1, count: spatialRank)
        strides = try config.ints("strides", "subsample", "subsample_length", count: spatialRank, default: ones)
        dilation = try config.ints("dilation_rate", "atrous_rate", count: spatialRank, default: ones)
        padding = config.string("padding", "border_mode", default: "valid")
        channelsFirst = config.channelsFirst
        useBias = config.bool("use_bias", "bias", default: true)
        guard kernelSize.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }), dilation.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigError("kernel_size, strides and dilation_rate must be positive")
        }
    }

    /// Spatial axes and channel axis of the input, after checking its rank.
    func axes(of input: TensorShape) throws -> (spatial: [Int], channel: Int) {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        return LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst)
    }

    func inputChannels(of input: TensorShape) throws -> Int {
        guard let channels = input[try axes(of: input).channel] else {
            throw LayerConfigError("the input's channel dimension is unknown")
        }
        return channels
    }

    /// The kernel shape as stored: Keras 2/3 `(k…, in, out)`; Keras 1 with `th` ordering
    /// `(out, in, k…)`; Keras 1.1+ Conv1D the 4-D `(k, 1, in, out)`
    /// (Keras 1.2.2 Convolution1D/2D.build).
    func storedKernelShape(input inputChannels: Int, output outputChannels: Int) -> [Int] {
        guard keras1 else { return kernelSize + [inputChannels, outputChannels] }
        if spatialRank == 1 { return [kernelSize[0], 1, inputChannels, outputChannels] }
        if channelsFirst { return [outputChannels, inputChannels] + kernelSize }
        return kernelSize + [inputChannels, outputChannels]
    }

    /// Output shape of a forward (non-transposed) convolution with `outputChannels` channels.
    func convolvedShape(_ input: TensorShape, outputChannels: Int) throws -> TensorShape {
        let (spatial, channel) = try axes(of: input)
        var output = input
        for (index, axis) in spatial.enumerated() {
            let length = LayerMath.convOutputLength(input[axis], kernel: kernelSize[index], padding: padding,
                                                    stride: strides[index], dilation: dilation[index])
            if length == 0 { throw LayerConfigError("the kernel is larger than the input \(input)") }
            output[axis] = length
        }
        output[channel] = outputChannels
        return output
    }
}

/// `Conv1D/2D/3D`: `filters` kernels slide over the input; with `groups` > 1 each group of
/// input channels has its own kernels.
/// Params: `k₁·…·kₙ × (cin / groups) × filters + filters`, e.g. 3·3·3·32 + 32 = 896.
public struct ConvolutionLayer: SingleInputLayerKind {
    public static let classNames = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
                                    "AtrousConvolution1D", "AtrousConvolution2D"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let groups: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        let rank = Int(String(config.className.dropLast().last!))!
        settings = try ConvolutionSettings(config, spatialRank: rank)
        filters = try config.int("filters", "nb_filter")
        groups = try config.int("groups", default: 1)
        guard filters > 0, groups > 0, filters % groups == 0 else {
            throw LayerConfigError("filters (\(filters)) must be a positive multiple of groups (\(groups))")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try settings.convolvedShape(input, outputChannels: filters)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        guard channels % groups == 0 else { throw LayerConfigError("\(channels) input channels do not split into \(groups) groups") }
        var weights = [WeightSpec("kernel", settings.storedKernelShape(input: channels / groups, output: filters))]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        return weights
    }

    /// Each output value sums kernel × (input channels / groups) products.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let outputElements = outputs.first?.elementCount,
              let channels = try? settings.inputChannels(of: input) else { return nil }
        return outputElements * settings.kernelSize.reduce(1, *) * (channels / groups)
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.inputChannels(of: input) else { return nil }
        let kernel = settings.kernelSize.map(String.init).joined(separator: "·")
        let perFilter = "\(channels / groups) × \(kernel)" + (settings.useBias ? " + 1" : "")
        return "= \(filters) filters × (\(perFilter))"
    }

    public static let explanation = """
        A convolution slides each of its filters over the input. A filter has one weight per \
        kernel position and input channel (divided by groups), plus one bias, so the count is \
        filters × (input channels × kernel area + 1) — independent of the image size.
        """
}

/// `Conv1DTranspose/2DTranspose/3DTranspose`: the gradient of a convolution, growing the
/// spatial axes. Params: `k₁·…·kₙ × filters × cin + filters` (kernel stored as (k…, filters, cin)).
public struct ConvolutionTransposeLayer: SingleInputLayerKind {
    public static let classNames = ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D",
                                    "Convolution2DTranspose"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let outputPadding: [Int]?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        let rank = config.className == "Deconvolution2D" || config.className == "Convolution2DTranspose"
            ? 2 : Int(String(config.className.dropLast(10).last!))!
        settings = try ConvolutionSettings(config, spatialRank: rank)
        filters = try config.int("filters", "nb_filter")
        outputPadding = config.has("output_padding") ? try config.ints("output_padding", count: rank) : nil
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let (spatial, channel) = try settings.axes(of: input)
        var output = input
        for (index, axis) in spatial.enumerated() {
            output[axis] = LayerMath.deconvOutputLength(input[axis], kernel: settings.kernelSize[index],
                                                        padding: settings.padding, stride: settings.strides[index],
                                                        outputPadding: outputPadding?[index],
                                                        dilation: settings.dilation[index])
        }
        output[channel] = filters
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        var weights = [WeightSpec("kernel", settings.kernelSize + [filters, channels])]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        return weights
    }

    /// Every input value is spread over kernel × filters outputs.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let inputElements = inputs.first?.elementCount else { return nil }
        return inputElements * settings.kernelSize.reduce(1, *) * filters
    }

    public static let explanation = """
        A transposed convolution grows the spatial size: each input value is multiplied by a \
        kernel of filters × kernel-area weights and added into the output, plus one bias per filter.
        """
}

/// `DepthwiseConv1D/2D`: one kernel per input channel (`depth_multiplier` of them), no
/// mixing across channels. Params: `k₁·…·kₙ × cin × dm + cin × dm`. Keras 3 names the
/// kernel `kernel`, Keras 2 `depthwise_kernel`.
public struct DepthwiseConvolutionLayer: SingleInputLayerKind {
    public static let classNames = ["DepthwiseConv1D", "DepthwiseConv2D"]

    let settings: ConvolutionSettings
    public let depthMultiplier: Int
    let kernelName: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config, spatialRank: Int(String(config.className.dropLast().last!))!)
        depthMultiplier = try config.int("depth_multiplier", default: 1)
        kernelName = config.isKeras3 ? "kernel" : "depthwise_kernel"
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try settings.convolvedShape(input, outputChannels: try settings.inputChannels(of: input) * depthMultiplier)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        var weights = [WeightSpec(kernelName, settings.kernelSize + [channels, depthMultiplier])]
        if settings.useBias { weights.append(WeightSpec("bias", [channels * depthMultiplier])) }
        return weights
    }

    /// Each output value reads one input channel over the kernel window.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let outputElements = outputs.first?.elementCount else { return nil }
        return outputElements * settings.kernelSize.reduce(1, *)
    }

    public static let explanation = """
        A depthwise convolution filters each input channel on its own (depth_multiplier times), \
        so it has kernel area × channels × multiplier weights and no mixing between channels.
        """
}

/// `SeparableConv1D/2D`: a depthwise convolution followed by a 1×1 pointwise one.
/// Params: `k₁·…·kₙ × cin × dm` (depthwise) `+ cin × dm × filters` (pointwise) `+ filters`.
public struct SeparableConvolutionLayer: SingleInputLayerKind {
    public static let classNames = ["SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let depthMultiplier: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config, spatialRank: Int(String(config.className.dropLast().last!))!)
        filters = try config.int("filters", "nb_filter")
        depthMultiplier = try config.int("depth_multiplier", default: 1)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try settings.convolvedShape(input, outputChannels: filters)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        let ones = Array(repeating: 1, count: settings.spatialRank)
        var weights = [
            WeightSpec("depthwise_kernel", settings.kernelSize + [channels, depthMultiplier]),
            WeightSpec("pointwise_kernel", ones + [channels * depthMultiplier, filters]),
        ]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        return weights
    }

    /// A depthwise pass at the output resolution, then a 1×1 convolution mixing channels.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let output = outputs.first, let outputElements = output.elementCount,
              let channels = try? settings.inputChannels(of: input) else { return nil }
        let positions = outputElements / filters
        let depthwise = positions * channels * depthMultiplier * settings.kernelSize.reduce(1, *)
        let pointwise = positions * channels * depthMultiplier * filters
        return depthwise + pointwise
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.inputChannels(of: input) else { return nil }
        let kernel = settings.kernelSize.map(String.init).joined(separator: "·")
        return "= depthwise \(kernel) × \(channels) × \(depthMultiplier) + pointwise \(channels * depthMultiplier) × \(filters)"
            + (settings.useBias ? " + bias \(filters)" : "")
    }

    public static let explanation = """
        A separable convolution splits a convolution in two: a depthwise kernel filters each \
        channel alone, then a pointwise (1×1) kernel mixes channels into the filters, plus one \
        bias per filter — far fewer weights than a full convolution of the same size.
        """
}
