/// Loops over the spatial axes of channels-last tensors `(batch, s₁…sₙ, channels)`, shared
/// by convolution, pooling, padding, cropping and upsampling. Channels-first layers move
/// their channel axis last, run these, and move it back: one code path per operation.
extension Kernels {
    /// `(batch, channels, s…)` → `(batch, s…, channels)`.
    public static func channelsLast(_ tensor: Tensor) -> Tensor {
        var result = moveAxis(tensor, from: 1, to: tensor.rank - 1)
        result.mask = tensor.mask
        return result
    }

    /// `(batch, s…, channels)` → `(batch, channels, s…)`.
    public static func channelsFirst(_ tensor: Tensor) -> Tensor {
        var result = moveAxis(tensor, from: tensor.rank - 1, to: 1)
        result.mask = tensor.mask
        return result
    }

    /// Runs a channels-last operation on a tensor stored in either layout.
    static func inChannelsLast(_ tensor: Tensor, channelsFirst: Bool,
                               _ body: (Tensor) throws -> Tensor) rethrows -> Tensor {
        guard channelsFirst else { return try body(tensor) }
        return Self.channelsFirst(try body(channelsLast(tensor)))
    }

    /// Where a window starts before the first input position, and the output length, for
    /// Keras' padding modes: `same` puts the smaller half of the padding first (TensorFlow's
    /// rule), `causal` all of it, Keras 1's `full` `(k − 1)·d` on each side.
    static func window(length: Int, kernel: Int, stride: Int, dilation: Int,
                       padding: String) -> (padBefore: Int, outputLength: Int) {
        let span = (kernel - 1) * dilation + 1
        switch padding {
        case "same":
            let output = (length + stride - 1) / stride
            let total = max((output - 1) * stride + span - length, 0)
            return (total / 2, output)
        case "causal":
            return ((kernel - 1) * dilation, (length + stride - 1) / stride)
        case "full":
            let padded = length + 2 * (span - 1)
            return (span - 1, (padded - span) / stride + 1)
        default:
            return (0, length >= span ? (length - span) / stride + 1 : 0)
        }
    }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// Calls `body(batch, outputPosition, inputOffsets)` for every output position of a
    /// channels-last layout, where `inputPosition(axis, outputIndex)` maps output to input
    /// coordinates (nil: outside the input). Offsets are in positions, not values.
    static func forEachPosition(batch: Int, outputSpatial: [Int],
                                _ body: (_ batch: Int, _ position: Int, _ index: [Int]) -> Void) {
        let rank = outputSpatial.count
        let positions = outputSpatial.reduce(1, *)
        var index = [Int](repeating: 0, count: rank)
        for b in 0..<batch {
            for axis in 0..<rank { index[axis] = 0 }
            for position in 0..<positions {
                body(b, position, index)
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < outputSpatial[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// Pads (positive amounts) or crops (negative amounts) each spatial axis of a channels-last
    /// tensor, filling new positions with zeros.
    static func padSpatial(_ tensor: Tensor, before: [Int], after: [Int]) -> Tensor {
        let shape = tensor.shape
        let rank = shape.count - 2
        let channels = shape[rank + 1]
        let inputSpatial = Array(shape[1...rank])
        let outputSpatial = (0..<rank).map { inputSpatial[$0] + before[$0] + after[$0] }
        let inputStrides = strides(inputSpatial)
        let inputPositions = inputSpatial.reduce(1, *)
        let outputPositions = outputSpatial.reduce(1, *)
        var output = [Float](repeating: 0, count: shape[0] * outputPositions * channels)
        tensor.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                forEachPosition(batch: shape[0], outputSpatial: outputSpatial) { b, position, index in
                    var source = b * inputPositions
                    for axis in 0..<rank {
                        let coordinate = index[axis] - before[axis]
                        guard coordinate >= 0, coordinate < inputSpatial[axis] else { return }
                        source += coordinate * inputStrides[axis]
                    }
                    let target = (b * outputPositions + position) * channels
                    for c in 0..<channels { output[target + c] = input[source * channels + c] }
                }
            }
        }
        return Tensor(shape: [shape[0]] + outputSpatial + [channels], values: output)
    }

    /// Gathers convolution patches of a channels-last tensor into rows, one row per output
    /// position: `(batch · outputs) × (kernel positions · channels)`, zeros where a window
    /// hangs over the padding. `channelRange` takes a slice of the channels (grouped
    /// convolutions).
    static func im2col(_ tensor: Tensor, kernel: [Int], strides: [Int], dilation: [Int], padBefore: [Int],
                       outputSpatial: [Int], channelRange: Range<Int>) -> [Float] {
        let shape = tensor.shape
        let rank = kernel.count
        let channels = shape[rank + 1]
        let inputSpatial = Array(shape[1...rank])
        let inputStrides = Self.strides(inputSpatial)
        let inputPositions = inputSpatial.reduce(1, *)
        let kernelPositions = kernel.reduce(1, *)
        let width = channelRange.count
        let rowLength = kernelPositions * width
        let outputPositions = outputSpatial.reduce(1, *)
        var columns = [Float](repeating: 0, count: shape[0] * outputPositions * rowLength)
        var kernelIndex = [Int](repeating: 0, count: rank)
        tensor.values.withUnsafeBufferPointer { input in
            columns.withUnsafeMutableBufferPointer { columns in
                forEachPosition(batch: shape[0], outputSpatial: outputSpatial) { b, position, index in
                    let rowStart = (b * outputPositions + position) * rowLength
                    for axis in 0..<rank { kernelIndex[axis] = 0 }
                    for k in 0..<kernelPositions {
                        var source = b * inputPositions
                        var inside = true
                        for axis in 0..<rank {
                            let coordinate = index[axis] * strides[axis] + kernelIndex[axis] * dilation[axis] - padBefore[axis]
                            if coordinate < 0 || coordinate >= inputSpatial[axis] { inside = false; break }
                            source += coordinate * inputStrides[axis]
                        }
                        if inside {
                            let from = source * channels + channelRange.lowerBound
                            let to = rowStart + k * width
                            for c in 0..<width { columns[to + c] = input[from + c] }
                        }
                        var axis = rank - 1
                        while axis >= 0 {
                            kernelIndex[axis] += 1
                            if kernelIndex[axis] < kernel[axis] { break }
                            kernelIndex[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
        }
        return columns
    }
}

extension Kernels {
    /// Depthwise convolution of a channels-last tensor: each input channel c convolved with
    /// its own `multiplier` kernels; output channel c·multiplier + j. `kernel` is Keras'
    /// `(k…, channels, multiplier)` array.
    static func depthwise(_ x: Tensor, kernel: [Float], kernelSize: [Int], multiplier: Int, strides: [Int],
                          dilation: [Int], padding: String) -> Tensor {
        let rank = kernelSize.count
        let channels = x.lastDimension
        let inputSpatial = Array(x.shape[1...rank])
        let geometry = (0..<rank).map {
            window(length: inputSpatial[$0], kernel: kernelSize[$0], stride: strides[$0], dilation: dilation[$0], padding: padding)
        }
        let outputSpatial = geometry.map(\.outputLength)
        let inputStrides = Self.strides(inputSpatial)
        let inputPositions = inputSpatial.reduce(1, *), outputPositions = outputSpatial.reduce(1, *)
        let kernelPositions = kernelSize.reduce(1, *)
        let width = channels * multiplier
        var output = [Float](repeating: 0, count: x.batch * outputPositions * width)
        var offset = [Int](repeating: 0, count: rank)
        x.values.withUnsafeBufferPointer { source in
            kernel.withUnsafeBufferPointer { kernel in
                output.withUnsafeMutableBufferPointer { output in
                    forEachPosition(batch: x.batch, outputSpatial: outputSpatial) { b, position, index in
                        let to = (b * outputPositions + position) * width
                        for axis in 0..<rank { offset[axis] = 0 }
                        for k in 0..<kernelPositions {
                            var from = b * inputPositions
                            var inside = true
                            for axis in 0..<rank {
                                let coordinate = index[axis] * strides[axis] + offset[axis] * dilation[axis] - geometry[axis].padBefore
                                if coordinate < 0 || coordinate >= inputSpatial[axis] { inside = false; break }
                                from += coordinate * inputStrides[axis]
                            }
                            if inside {
                                let base = from * channels, weights = k * width
                                if multiplier == 1 {
                                    for c in 0..<channels { output[to + c] += source[base + c] * kernel[weights + c] }
                                } else {
                                    for c in 0..<channels {
                                        let value = source[base + c]
                                        for j in 0..<multiplier {
                                            output[to + c * multiplier + j] += value * kernel[weights + c * multiplier + j]
                                        }
                                    }
                                }
                            }
                            var axis = rank - 1
                            while axis >= 0 {
                                offset[axis] += 1
                                if offset[axis] < kernelSize[axis] { break }
                                offset[axis] = 0
                                axis -= 1
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.batch] + outputSpatial + [width], values: output)
    }
}

/// Layers whose kernels slide over spatial axes: `kerasinspect run --theano-kernels` flips
/// those axes for files trained with Theano's true convolution.
protocol SpatialKernelLayerKind: LayerKind {
    func flippingSpatialKernels(_ weights: [Tensor]) -> [Tensor]
}

extension Kernels {
    /// The tensor with the order of `axes` reversed (a kernel turned by 180° for 2-D).
    static func flip(_ tensor: Tensor, axes: [Int]) -> Tensor {
        let shape = tensor.shape
        let strides = Self.strides(shape)
        var values = tensor.values
        var index = [Int](repeating: 0, count: shape.count)
        for position in 0..<tensor.count {
            var source = 0
            for axis in 0..<shape.count {
                let coordinate = axes.contains(axis) ? shape[axis] - 1 - index[axis] : index[axis]
                source += coordinate * strides[axis]
            }
            values[position] = tensor.values[source]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: shape, values: values)
    }
}
