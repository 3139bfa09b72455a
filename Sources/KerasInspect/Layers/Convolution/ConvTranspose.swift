/// `Conv1DTranspose/2DTranspose/3DTranspose`: the gradient of a convolution, growing the
/// spatial axes (`output_padding` null means the size is inferred, see
/// `LayerMath.transposedWindowOutputLength`). The kernel is stored `(k…, filters, cin)`.
/// Params: `k₁·…·kₙ × filters × cin + filters`, e.g. Conv2DTranspose(4, 3) on 3 channels:
/// 3·3·4·3 + 4 = 112.
///
/// Keras 1's `Deconvolution2D` took its output size from the config's `output_shape` and kept
/// Convolution2D's kernel layout (1.2.2 Deconvolution2D.get_output_shape_for; no own build).
public struct ConvolutionTransposeLayer: SingleInputLayerKind {
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

    /// Every input value is spread over kernel area × filters outputs.
    /// The transpose of a convolution: every input position's channels times the kernel,
    /// (batch · positions) × (kernel positions · filters) in one product, each block then
    /// added into the output window it belongs to (col2im). Padding follows TensorFlow:
    /// the output is the input of the convolution this one transposes.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let kernel = weights.first, !settings.keras1 else { throw RuntimeError("no kernel in Keras 2/3 layout") }
        let rank = settings.spatialRank
        let outputShape = try outputShape(for: TensorShape(input.shape.map { $0 }))
        let outputDims = outputShape.dims.compactMap { $0 }
        guard outputDims.count == input.rank else { throw RuntimeError("output shape \(outputShape) is unknown") }
        let outputSpatial = settings.channelsFirst ? Array(outputDims[2...]) : Array(outputDims[1...rank])
        var result = Kernels.inChannelsLast(input, channelsFirst: settings.channelsFirst) { x in
            let channels = x.lastDimension
            let inputSpatial = Array(x.shape[1...rank])
            let positions = inputSpatial.reduce(1, *), outputPositions = outputSpatial.reduce(1, *)
            let kernelPositions = settings.kernelArea ?? 1
            let padBefore = (0..<rank).map { axis -> Int in
                guard settings.padding == "same" else { return 0 }
                let span = (settings.kernelSize[axis] - 1) * settings.dilation[axis] + 1
                let total = max((inputSpatial[axis] - 1) * settings.strides[axis] + span - outputSpatial[axis], 0)
                return total / 2
            }
            let columns = BLAS.multiply(x.values, kernel.values, m: x.batch * positions, n: kernelPositions * filters,
                                        k: channels, transposeB: true)
            let outputStrides = Kernels.strides(outputSpatial)
            var output = [Float](repeating: 0, count: x.batch * outputPositions * filters)
            var offset = [Int](repeating: 0, count: rank)
            columns.withUnsafeBufferPointer { columns in
                output.withUnsafeMutableBufferPointer { output in
                    Kernels.forEachPosition(batch: x.batch, outputSpatial: inputSpatial) { b, position, index in
                        let row = (b * positions + position) * kernelPositions * filters
                        for axis in 0..<rank { offset[axis] = 0 }
                        for k in 0..<kernelPositions {
                            var target = b * outputPositions
                            var inside = true
                            for axis in 0..<rank {
                                let coordinate = index[axis] * settings.strides[axis] + offset[axis] * settings.dilation[axis] - padBefore[axis]
                                if coordinate < 0 || coordinate >= outputSpatial[axis] { inside = false; break }
                                target += coordinate * outputStrides[axis]
                            }
                            if inside {
                                for f in 0..<filters { output[target * filters + f] += columns[row + k * filters + f] }
                            }
                            var axis = rank - 1
                            while axis >= 0 {
                                offset[axis] += 1
                                if offset[axis] < settings.kernelSize[axis] { break }
                                offset[axis] = 0
                                axis -= 1
                            }
                        }
                    }
                }
            }
            if settings.useBias, weights.count > 1 { Kernels.addBias(weights[1].values, to: &output) }
            return Tensor(shape: [x.batch] + outputSpatial + [filters], values: output)
        }
        try settings.activation.apply(&result)
        return result
    }

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
