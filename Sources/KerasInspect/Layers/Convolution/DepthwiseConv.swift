/// `DepthwiseConv1D/2D`: `depth_multiplier` kernels per input channel, each seeing only its
/// channel; the output has `cin × depth_multiplier` channels.
/// Params: `k₁·…·kₙ × cin × dm + cin × dm`, e.g. 3×3 on 8 channels: 3·3·8·1 + 8 = 80.
///
/// The kernel's name depends on the generation that wrote the file: Keras 3 calls it `kernel`,
/// every Keras 2 (standalone, tf.keras, tf-keras) `depthwise_kernel`; see `kernelName(for:)`.
public struct DepthwiseConvolutionLayer: SingleInputLayerKind {
    public static let classNames = ["DepthwiseConv1D", "DepthwiseConv2D"]

    let settings: ConvolutionSettings
    public let depthMultiplier: Int
    /// `kernel` (Keras 3) or `depthwise_kernel` (Keras 2).
    public let kernelName: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config)
        depthMultiplier = try config.int("depth_multiplier", default: 1)
        kernelName = Self.kernelName(for: config)
        guard depthMultiplier > 0 else { throw LayerConfigError("depth_multiplier must be positive, got \(depthMultiplier)") }
    }

    /// The kernel's name in the generation that wrote `config`. Keras ≥ 3.4 writes `dtype` as a DTypePolicy object. Keras 3.0–3.3 wrote a plain string
    /// like Keras 2, but unlike tf.keras ≥ 2.3 it writes no `groups` for depthwise layers, and
    /// unlike Keras 2.2 and older tf.keras its initializers carry a `module` key.
    static func kernelName(for config: LayerConfig) -> String {
        let initializerModule = config["depthwise_initializer"]?["module"] ?? config["bias_initializer"]?["module"]
        let keras3 = config.isKeras3 || (!config.has("groups") && initializerModule != nil)
        return keras3 ? "kernel" : "depthwise_kernel"
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let channels = try settings.optionalInputChannels(of: input)
        return try settings.convolvedShape(input, outputChannels: try channels.map(outputChannels(for:)))
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        var weights = [try LayerMath.weight(kernelName, settings.kernelSize + [channels, depthMultiplier])]
        if settings.useBias { weights.append(WeightSpec("bias", [try outputChannels(for: channels)])) }
        return weights
    }

    /// A direct loop (`Kernels.depthwiseConvolution`): each channel's window times its own
    /// kernels, eight channels at a time, output rows split over both cores.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let kernel = weights.first else { throw RuntimeError("no kernel") }
        let bias = settings.useBias && weights.count > 1 ? weights[1].values : nil
        var result = try Kernels.inChannelsLast(input, channelsFirst: settings.channelsFirst) { x in
            try settings.depthwise(x, kernel: kernel, multiplier: depthMultiplier, bias: bias)
        }
        try settings.activation.apply(&result)
        return result
    }

    private func outputChannels(for inputChannels: Int) throws -> Int {
        try LayerMath.noOverflow(inputChannels.multipliedReportingOverflow(by: depthMultiplier))
    }

    /// Each output value reads one input channel over the kernel window.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let outputElements = outputs.first?.elementCount, let area = settings.kernelArea else { return nil }
        return LayerMath.checkedProduct([outputElements, area])
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.optionalInputChannels(of: input) else { return nil }
        return "= \(channels) channels × \(depthMultiplier) × (\(settings.kernelText)" + (settings.useBias ? " + 1)" : ")")
    }

    public static let explanation = """
        A depthwise convolution filters each input channel on its own (depth_multiplier times), \
        so it has kernel area × channels × multiplier weights and no mixing between channels.
        """
}
