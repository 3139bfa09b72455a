/// `Conv1D/2D/3D`: `filters` kernels slide over the spatial axes; with `groups` > 1 the input
/// channels split into groups, each seen only by its own share of the filters.
/// Params: `k₁·…·kₙ × (cin / groups) × filters + filters` (bias only with `use_bias`),
/// e.g. Conv2D(32, 3) on 3 channels: 3·3·3·32 + 32 = 896.
///
/// Keras 3's `lora_rank` r freezes the kernel and adds trainable factors after the bias:
/// `lora_kernel_a` (k…, cin / groups, r) and `lora_kernel_b` (r, filters).
public struct ConvolutionLayer: SingleInputLayerKind, SpatialKernelLayerKind {
    public static let classNames = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D",
                                    "AtrousConvolution1D", "AtrousConvolution2D"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let groups: Int
    public let loraRank: Int?
    /// Keras 3.15 stores the alpha its build used (the rank when `enable_lora` chose it).
    let loraAlpha: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config)
        filters = try config.int("filters", "nb_filter")
        groups = try config.int("groups", default: 1)
        loraRank = config.optionalInt("lora_rank")
        loraAlpha = Float(config.double("lora_alpha", default: Double(loraRank ?? 1)))
        guard filters > 0, groups > 0, filters % groups == 0 else {
            throw LayerConfigError("filters (\(filters)) must be a positive multiple of groups (\(groups))")
        }
        if let loraRank, loraRank <= 0 { throw LayerConfigError("lora_rank must be positive, got \(loraRank)") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        if let channels = try settings.optionalInputChannels(of: input) { try checkGroups(channels) }
        return try settings.convolvedShape(input, outputChannels: filters)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        try checkGroups(channels)
        let kernelShape = settings.storedKernelShape(input: channels / groups, output: filters)
        var weights = [try LayerMath.weight("kernel", kernelShape, trainable: loraRank == nil)]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        if let loraRank {
            weights.append(try LayerMath.weight("lora_kernel_a", kernelShape.dropLast() + [loraRank]))
            weights.append(try LayerMath.weight("lora_kernel_b", [loraRank, filters]))
        }
        return weights
    }

    private func checkGroups(_ channels: Int) throws {
        guard channels % groups == 0 else {
            throw LayerConfigError("\(channels) input channels do not split into \(groups) groups")
        }
    }

    /// A `.keras` archive stores the kernel with the LoRA update merged in, not the factors.
    public var notes: [String] {
        loraRank == nil ? [] : ["LoRA: .keras files store only the merged kernel"]
    }

    /// Each output value sums kernel area × (input channels / groups) products.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let outputElements = outputs.first?.elementCount,
              let channels = try? settings.optionalInputChannels(of: input), let area = settings.kernelArea else {
            return nil
        }
        return LayerMath.checkedProduct([outputElements, area, channels / groups])
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.optionalInputChannels(of: input) else { return nil }
        let perFilter = "\(channels / groups) × \(settings.kernelText)" + (settings.useBias ? " + 1" : "")
        let lora = loraRank.map { " + LoRA \($0) × (\(channels / groups) × \(settings.kernelText) + \(filters))" } ?? ""
        return "= \(filters) filters × (\(perFilter))" + lora
    }

    /// Convolution as matrix products (`Kernels.convolution`: im2col in cache-sized blocks,
    /// sgemm per group straight into the channels-last output, which starts as the bias).
    /// Keras 3's LoRA runs `kernel + lora_alpha / r · a · b`, as its `call` does.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let stored = weights.first else { throw RuntimeError("no kernel") }
        var kernel = settings.runtimeKernel(stored)
        if let loraRank {
            let expected = settings.useBias ? 4 : 3
            guard weights.count == expected else { throw RuntimeError("missing the LoRA kernels") }
            let (a, b) = (weights[expected - 2].values, weights[expected - 1].values)
            let rows = kernel.count / filters
            guard a.count == rows * loraRank, b.count == loraRank * filters else {
                throw RuntimeError("the LoRA kernels do not fit the kernel \(stored.shape)")
            }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    kernel.withUnsafeMutableBufferPointer { kernel in
                        BLAS.gemm(m: rows, n: filters, k: loraRank, a.baseAddress!, b.baseAddress!, kernel.baseAddress!,
                                  alpha: loraAlpha / Float(loraRank), beta: 1)
                    }
                }
            }
        }
        let bias = settings.useBias && weights.count > 1 ? weights[1].values : nil
        var result = try Kernels.inChannelsLast(input, channelsFirst: settings.channelsFirst) { x in
            let rank = settings.spatialRank
            guard x.rank == rank + 2 else { throw RuntimeError("expects a \(rank + 2)-D input, got \(x.shape)") }
            let channels = x.lastDimension
            guard channels % groups == 0, kernel.count == settings.kernelArea.map({ $0 * channels / groups * filters }) else {
                throw RuntimeError("the kernel \(stored.shape) does not fit \(channels) input channels")
            }
            let geometry = WindowGeometry(shape: x.shape, kernel: settings.kernelSize, strides: settings.strides,
                                          dilation: settings.dilation, padding: settings.padding)
            let output = kernel.withUnsafeBufferPointer { kernel in
                Kernels.convolution(x, kernel: kernel.baseAddress!, filters: filters, groups: groups,
                                    geometry: geometry, bias: bias)
            }
            return Tensor(shape: [x.batch] + geometry.outputSpatial(rank: rank) + [filters], values: output)
        }
        try settings.activation.apply(&result)
        return result
    }

    /// The kernel's spatial axes reversed: Keras 1 th kernels `(out, in, k…)`, else `(k…, in, out)`.
    func flippingSpatialKernels(_ weights: [Tensor]) -> [Tensor] {
        guard let kernel = weights.first else { return weights }
        let rank = settings.spatialRank
        let axes = kernel.rank == rank + 2 && settings.keras1 && settings.channelsFirst
            ? Array(2..<(rank + 2)) : Array(0..<rank)
        return [Kernels.flip(kernel, axes: axes)] + weights.dropFirst()
    }

    public static let explanation = """
        A convolution slides each of its filters over the input. A filter has one weight per \
        kernel position and input channel (divided by groups), plus one bias, so the count is \
        filters × (input channels × kernel area + 1) — independent of the image size.
        """
}
