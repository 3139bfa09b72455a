/// The settings every convolution shares, read once for Conv, ConvTranspose, Depthwise and
/// Separable layers. Keras 1 spellings are accepted: `nb_filter`, `nb_row`/`nb_col`,
/// `filter_length`, `kernel_dim1…3`, `border_mode`, `subsample`, `atrous_rate`, `dim_ordering`.
struct ConvolutionSettings: Sendable {
    let spatialRank: Int
    /// Keras 1 configs (`nb_filter`) store kernels in Keras 1's layouts.
    let keras1: Bool
    let kernelSize: [Int]
    let strides: [Int]
    let dilation: [Int]
    /// Lower-cased, as Keras stores it: `valid`, `same`, `causal` or Keras 1's `full`.
    let padding: String
    let channelsFirst: Bool
    let useBias: Bool
    let activation: Activation

    init(_ config: LayerConfig) throws {
        let rank = try LayerMath.spatialRank(announcedBy: config.className)
        spatialRank = rank
        keras1 = config.has("nb_filter")
        if config.has("kernel_size") {
            kernelSize = try config.ints("kernel_size", count: rank)
        } else if rank == 2, config.has("nb_row") {
            kernelSize = [try config.int("nb_row"), try config.int("nb_col")]
        } else if rank == 3, config.has("kernel_dim1") {
            kernelSize = [try config.int("kernel_dim1"), try config.int("kernel_dim2"), try config.int("kernel_dim3")]
        } else {
            kernelSize = try config.ints("filter_length", count: rank)
        }
        let ones = Array(repeating: 1, count: rank)
        strides = try config.ints("strides", "subsample", "subsample_length", count: rank, default: ones)
        dilation = try config.ints("dilation_rate", "atrous_rate", count: rank, default: ones)
        padding = config.string("padding", "border_mode", default: "valid").lowercased()
        channelsFirst = config.channelsFirst
        useBias = config.bool("use_bias", "bias", default: true)
        activation = config.activationFunction("activation")
        guard kernelSize.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }), dilation.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigError("kernel_size \(kernelSize), strides \(strides) and dilation_rate \(dilation) must be positive")
        }
        guard ["valid", "same", "causal", "full"].contains(padding) else {
            throw LayerConfigError("unknown padding '\(padding)'")
        }
    }

    /// Spatial axes and channel axis of the input, after checking its rank.
    func axes(of input: TensorShape) throws -> (spatial: [Int], channel: Int) {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        return LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst)
    }

    /// The input's channel count; `nil` when unknown (the output shape can still be given).
    func optionalInputChannels(of input: TensorShape) throws -> Int? {
        input[try axes(of: input).channel]
    }

    /// The input's channel count, which sizes the kernel and must therefore be known.
    func inputChannels(of input: TensorShape) throws -> Int {
        guard let channels = try optionalInputChannels(of: input) else {
            throw LayerConfigError("the input's channel dimension is unknown, so the kernel cannot be sized")
        }
        return channels
    }

    /// Number of kernel positions, `k₁·…·kₙ`.
    var kernelArea: Int? { LayerMath.checkedProduct(kernelSize) }

    /// The kernel shape as stored: Keras 2/3 `(k…, in, out)` whatever the data format;
    /// Keras 1 with `th` ordering `(out, in, k…)`; Keras 1.1+ Conv1D the 4-D `(k, 1, in, out)`
    /// (Keras 1.2.2 Convolution1D/2D/3D.build).
    func storedKernelShape(input inputChannels: Int, output outputChannels: Int) -> [Int] {
        guard keras1 else { return kernelSize + [inputChannels, outputChannels] }
        if spatialRank == 1 { return [kernelSize[0], 1, inputChannels, outputChannels] }
        if channelsFirst { return [outputChannels, inputChannels] + kernelSize }
        return kernelSize + [inputChannels, outputChannels]
    }

    /// A stored kernel's values in Keras 2/3's `(k…, in, out)` order, whatever the generation
    /// wrote (see `storedKernelShape`); a 4-D Keras 1 Conv1D kernel has the same values order.
    func runtimeKernel(_ stored: Tensor) -> [Float] {
        guard keras1, spatialRank > 1, channelsFirst, stored.rank == spatialRank + 2 else { return stored.values }
        // (out, in, k…) → (k…, in, out)
        return Kernels.transpose(stored, permutation: Array(2..<(spatialRank + 2)) + [1, 0]).values
    }

    /// Depthwise convolution of a channels-last tensor with Keras' `(k…, channels, multiplier)`
    /// kernel (`Kernels.depthwiseConvolution`).
    func depthwise(_ x: Tensor, kernel: Tensor, multiplier: Int, bias: [Float]?) throws -> Tensor {
        guard x.rank == spatialRank + 2 else { throw RuntimeError("expects a \(spatialRank + 2)-D input, got \(x.shape)") }
        let channels = x.lastDimension
        guard kernel.count == (kernelArea ?? 0) * channels * multiplier else {
            throw RuntimeError("the depthwise kernel \(kernel.shape) does not fit \(channels) input channels")
        }
        let geometry = WindowGeometry(shape: x.shape, kernel: kernelSize, strides: strides, dilation: dilation,
                                      padding: padding)
        let output = Kernels.depthwiseConvolution(x, kernel: kernel.values, multiplier: multiplier,
                                                  geometry: geometry, bias: bias)
        return Tensor(shape: [x.batch] + geometry.outputSpatial(rank: spatialRank) + [channels * multiplier],
                      values: output)
    }

    /// Output shape of a forward (non-transposed) convolution with `outputChannels` channels.
    func convolvedShape(_ input: TensorShape, outputChannels: Int?) throws -> TensorShape {
        let (spatial, channel) = try axes(of: input)
        var output = input
        for (index, axis) in spatial.enumerated() {
            output[axis] = try LayerMath.windowOutputLength(input[axis], window: kernelSize[index], stride: strides[index],
                                                            dilation: dilation[index], padding: padding)
        }
        output[channel] = outputChannels
        return output
    }

    /// The kernel written as `3·3` for parameter formulas.
    var kernelText: String { kernelSize.map(String.init).joined(separator: "·") }
}
