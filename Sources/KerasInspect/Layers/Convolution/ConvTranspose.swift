/// `Conv1DTranspose/2DTranspose/3DTranspose`: the gradient of a convolution, growing the
/// spatial axes (`output_padding` null means the size is inferred, see
/// `LayerMath.transposedWindowOutputLength`). The kernel is stored `(k…, filters, cin)`.
/// Params: `k₁·…·kₙ × filters × cin + filters`, e.g. Conv2DTranspose(4, 3) on 3 channels:
/// 3·3·4·3 + 4 = 112.
///
/// Keras 1's `Deconvolution2D` took its output size from the config's `output_shape` and kept
/// Convolution2D's kernel layout (1.2.2 Deconvolution2D.get_output_shape_for; no own build).
public struct ConvolutionTransposeLayer: SingleInputLayerKind, SpatialKernelLayerKind {
    public static let classNames = ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D",
                                    "Convolution2DTranspose"]

    let settings: ConvolutionSettings
    public let filters: Int
    public let outputPadding: [Int]?
    /// Keras 1 Deconvolution2D's declared output shape, batch axis included.
    let keras1OutputShape: [Int?]?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        settings = try ConvolutionSettings(config)
        filters = try config.int("filters", "nb_filter")
        outputPadding = config.has("output_padding")
            ? try config.ints("output_padding", count: settings.spatialRank) : nil
        keras1OutputShape = settings.keras1 ? config.shape("output_shape") : nil
        guard filters > 0 else { throw LayerConfigError("filters must be positive, got \(filters)") }
        if let outputPadding, outputPadding.contains(where: { $0 < 0 }) {
            throw LayerConfigError("output_padding \(outputPadding) must not be negative")
        }
        if let keras1OutputShape, keras1OutputShape.count != settings.spatialRank + 2 {
            throw LayerConfigError("output_shape \(keras1OutputShape) does not have \(settings.spatialRank + 2) axes")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let (spatial, channel) = try settings.axes(of: input)
        var output = input
        for (index, axis) in spatial.enumerated() {
            if let keras1OutputShape {
                output[axis] = keras1OutputShape[axis]
                continue
            }
            output[axis] = try LayerMath.transposedWindowOutputLength(
                input[axis], window: settings.kernelSize[index], stride: settings.strides[index],
                dilation: settings.dilation[index], padding: settings.padding, outputPadding: outputPadding?[index])
        }
        output[channel] = filters
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let channels = try settings.inputChannels(of: input)
        let kernelShape = settings.keras1
            ? settings.storedKernelShape(input: channels, output: filters)
            : settings.kernelSize + [filters, channels]
        var weights = [try LayerMath.weight("kernel", kernelShape)]
        if settings.useBias { weights.append(WeightSpec("bias", [filters])) }
        return weights
    }

    /// The transpose of a convolution (`Kernels.transposedConvolution`: one sgemm, then col2im
    /// into an output that starts as the bias). Padding follows TensorFlow's
    /// `conv_transpose`, which Keras 3, tf-keras and Keras 1's TensorFlow backend all call with
    /// the output size: the output is the input of the convolution this one transposes, and
    /// `same` puts the smaller half of that convolution's padding first. Keras 1's
    /// Deconvolution2D kernels, `(nb_filter, stack, rows, cols)` (th) or
    /// `(rows, cols, stack, nb_filter)` (tf), become `(rows, cols, nb_filter, stack)` as its
    /// TensorFlow backend's `deconv2d` transposed them.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard var kernel = weights.first else { throw RuntimeError("no kernel") }
        let rank = settings.spatialRank
        if settings.keras1 {
            let spatial = Array((settings.channelsFirst ? 2 : 0)..<(settings.channelsFirst ? rank + 2 : rank))
            let (output, input) = settings.channelsFirst ? (0, 1) : (rank + 1, rank)
            kernel = Kernels.transpose(kernel, permutation: spatial + [output, input])
        }
        let outputShape = try outputShape(for: TensorShape(input.shape.map { $0 }))
        let outputDims = outputShape.dims.compactMap { $0 }
        guard outputDims.count == input.rank else { throw RuntimeError("output shape \(outputShape) is unknown") }
        let outputSpatial = settings.channelsFirst ? Array(outputDims[2...]) : Array(outputDims[1...rank])
        let bias = settings.useBias && weights.count > 1 ? weights[1].values : nil
        var result = try Kernels.inChannelsLast(input, channelsFirst: settings.channelsFirst) { x in
            let channels = x.lastDimension
            guard kernel.count == (settings.kernelArea ?? 0) * filters * channels else {
                throw RuntimeError("the kernel \(weights[0].shape) does not fit \(channels) input channels")
            }
            let inputSpatial = Array(x.shape[1...rank])
            let padBefore = (0..<rank).map { axis -> Int in
                guard settings.padding == "same" else { return 0 }
                let span = (settings.kernelSize[axis] - 1) * settings.dilation[axis] + 1
                let total = max((inputSpatial[axis] - 1) * settings.strides[axis] + span - outputSpatial[axis], 0)
                return total / 2
            }
            let geometry = WindowGeometry(batch: x.batch, channels: channels, input: inputSpatial, output: outputSpatial,
                                          kernel: settings.kernelSize, strides: settings.strides,
                                          dilation: settings.dilation, padBefore: padBefore)
            let output = Kernels.transposedConvolution(x, kernel: kernel.values, filters: filters, geometry: geometry,
                                                       bias: bias)
            return Tensor(shape: [x.batch] + outputSpatial + [filters], values: output)
        }
        try settings.activation.apply(&result)
        return result
    }

    /// `--theano-kernels`: Theano's `deconv2d` (the gradient of its flipped-kernel convolution)
    /// equals TensorFlow's with the kernel's spatial axes reversed.
    func flippingSpatialKernels(_ weights: [Tensor]) -> [Tensor] {
        guard let kernel = weights.first else { return weights }
        let rank = settings.spatialRank
        let axes = settings.keras1 && settings.channelsFirst ? Array(2..<(rank + 2)) : Array(0..<rank)
        return [Kernels.flip(kernel, axes: axes)] + weights.dropFirst()
    }

    /// Every input value is spread over kernel area × filters outputs.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let inputElements = inputs.first?.elementCount, let area = settings.kernelArea else { return nil }
        return LayerMath.checkedProduct([inputElements, area, filters])
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let channels = try? settings.optionalInputChannels(of: input) else { return nil }
        let perFilter = "\(channels) × \(settings.kernelText)" + (settings.useBias ? " + 1" : "")
        return "= \(filters) filters × (\(perFilter))"
    }

    public static let explanation = """
        A transposed convolution grows the spatial size: each input value is multiplied by a \
        kernel of filters × kernel-area weights and added into the output, plus one bias per filter.
        """
}
