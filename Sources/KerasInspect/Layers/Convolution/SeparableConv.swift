/// `SeparableConv1D/2D`: a depthwise convolution (`depth_multiplier` kernels per channel)
/// followed by a 1×1 pointwise one mixing the `cin × dm` channels into `filters`.
/// Params: `k₁·…·kₙ × cin × dm` (depthwise_kernel) `+ cin × dm × filters` (pointwise_kernel)
/// `+ filters` (bias), e.g. 3×3 on 3 channels into 8: 27 + 24 + 8 = 59. Both Keras
/// generations use these names.
///
/// Keras 1's SeparableConvolution2D with `th` ordering stored `(dm, cin, k…)` and
/// `(filters, cin × dm, 1, 1)` (1.2.2 SeparableConvolution2D.build).
public struct SeparableConvolutionLayer: SingleInputLayerKind {
    public static let classNames = ["SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let depthMultiplier: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config)
        filters = try config.int("filters", "nb_filter")
        depthMultiplier = try config.int("depth_multiplier", default: 1)
        guard filters > 0, depthMultiplier > 0 else {
            throw LayerConfigError("filters (\(filters)) and depth_multiplier (\(depthMultiplier)) must be positive")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try settings.convolvedShape(input, outputChannels: filters)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        let depthwiseChannels = try LayerMath.noOverflow(channels.multipliedReportingOverflow(by: depthMultiplier))
        let ones = Array(repeating: 1, count: settings.spatialRank)
        let keras1ChannelsFirst = settings.keras1 && settings.channelsFirst
        let depthwiseShape = keras1ChannelsFirst
            ? [depthMultiplier, channels] + settings.kernelSize : settings.kernelSize + [channels, depthMultiplier]
        let pointwiseShape = keras1ChannelsFirst
            ? [filters, depthwiseChannels] + ones : ones + [depthwiseChannels, filters]
        var weights = [try LayerMath.weight("depthwise_kernel", depthwiseShape),
                       try LayerMath.weight("pointwise_kernel", pointwiseShape)]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        return weights
    }

    /// Per output position, each of the `cin × dm` depthwise channels reads its window and then
    /// feeds every filter.
    /// A depthwise convolution (no bias), then a 1×1 convolution as one matrix product into an
    /// output that starts as the bias. Keras 1 th kernels, `(dm, cin, k…)` and
    /// `(filters, cin · dm, 1, 1)`, are first put in Keras 2's `(k…, cin, dm)` and
    /// `(1, 1, cin · dm, filters)` order, as Keras 1's TensorFlow backend did.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard weights.count >= 2 else { throw RuntimeError("no depthwise and pointwise kernels") }
        var (depthwiseKernel, pointwiseKernel) = (weights[0], weights[1])
        if settings.keras1, settings.channelsFirst {
            let rank = settings.spatialRank
            let order = Array(2..<(rank + 2)) + [1, 0]
            depthwiseKernel = Kernels.transpose(depthwiseKernel, permutation: order)
            pointwiseKernel = Kernels.transpose(pointwiseKernel, permutation: order)
        }
        let bias = settings.useBias && weights.count > 2 ? weights[2].values : nil
        var result = try Kernels.inChannelsLast(input, channelsFirst: settings.channelsFirst) { x in
            let depthwise = try settings.depthwise(x, kernel: depthwiseKernel, multiplier: depthMultiplier, bias: nil)
            let depth = depthwise.lastDimension
            let rows = depthwise.count / max(depth, 1)
            guard pointwiseKernel.count == depth * filters else {
                throw RuntimeError("the pointwise kernel \(weights[1].shape) does not fit \(depth) channels")
            }
            var output = [Float](unsafeUninitializedCapacity: rows * filters) { buffer, count in
                Kernels.fill(buffer, rows: rows, with: bias, width: filters)
                count = rows * filters
            }
            depthwise.values.withUnsafeBufferPointer { a in
                pointwiseKernel.values.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(m: rows, n: filters, k: depth, a.baseAddress!, b.baseAddress!, c.baseAddress!, beta: 1)
                    }
                }
            }
            return Tensor(shape: Array(depthwise.shape.dropLast()) + [filters], values: output)
        }
        try settings.activation.apply(&result)
        return result
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let outputElements = outputs.first?.elementCount,
              let channels = try? settings.optionalInputChannels(of: input), let area = settings.kernelArea,
              let perChannel = try? LayerMath.noOverflow(area.addingReportingOverflow(filters)) else { return nil }
        return LayerMath.checkedProduct([outputElements / filters, channels, depthMultiplier, perChannel])
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.optionalInputChannels(of: input),
              let depthwiseChannels = LayerMath.checkedProduct([channels, depthMultiplier]) else { return nil }
        return "= depthwise \(settings.kernelText) × \(channels) × \(depthMultiplier)"
            + " + pointwise \(depthwiseChannels) × \(filters)" + (settings.useBias ? " + bias \(filters)" : "")
    }

    public static let explanation = """
        A separable convolution splits a convolution in two: a depthwise kernel filters each \
        channel alone, then a pointwise (1×1) kernel mixes channels into the filters, plus one \
        bias per filter — far fewer weights than a full convolution of the same size.
        """
}
