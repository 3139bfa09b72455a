/// `MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D`: a window slides over the spatial axes and
/// each output is the window's maximum or mean; channels are untouched. No weights.
/// `strides` default to `pool_size` (Keras 1: `pool_length` and `stride` for 1-D).
public struct PoolingLayer: SingleInputLayerKind {
    public static let classNames = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                                    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"]

    public let spatialRank: Int
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: String
    public let channelsFirst: Bool
    let kindName: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        kindName = config.className
        spatialRank = try LayerMath.spatialRank(announcedBy: config.className)
        // Keras 3's AveragePooling requires pool_size; the other generations default to 2.
        poolSize = try config.ints("pool_size", "pool_length", count: spatialRank,
                                   default: Array(repeating: 2, count: spatialRank))
        strides = try config.ints("strides", "stride", count: spatialRank, default: poolSize)
        padding = config.string("padding", "border_mode", default: "valid").lowercased()
        channelsFirst = config.channelsFirst
        guard poolSize.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigError("pool_size \(poolSize) and strides \(strides) must be positive")
        }
        guard padding == "valid" || padding == "same" else { throw LayerConfigError("unknown padding '\(padding)'") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            output[axis] = try LayerMath.windowOutputLength(input[axis], window: poolSize[index], stride: strides[index],
                                                            padding: padding)
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// Each output is the maximum or the mean of its window; positions in the `same` padding
    /// take no part (TensorFlow's average divides by the real positions only).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let isMax = PoolingLayer.classNames.prefix(3).contains { $0 == kindName }
        return Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { x in
            let rank = spatialRank
            let channels = x.lastDimension
            let inputSpatial = Array(x.shape[1...rank])
            let geometry = (0..<rank).map {
                Kernels.window(length: inputSpatial[$0], kernel: poolSize[$0], stride: strides[$0], dilation: 1, padding: padding)
            }
            let outputSpatial = geometry.map(\.outputLength)
            let inputStrides = Kernels.strides(inputSpatial)
            let inputPositions = inputSpatial.reduce(1, *), outputPositions = outputSpatial.reduce(1, *)
            let windowPositions = poolSize.reduce(1, *)
            var output = [Float](repeating: 0, count: x.batch * outputPositions * channels)
            var accumulator = [Float](repeating: 0, count: channels)
            var offset = [Int](repeating: 0, count: rank)
            x.values.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { output in
                    Kernels.forEachPosition(batch: x.batch, outputSpatial: outputSpatial) { b, position, index in
                        for c in 0..<channels { accumulator[c] = isMax ? -.infinity : 0 }
                        var counted = 0
                        for axis in 0..<rank { offset[axis] = 0 }
                        for _ in 0..<windowPositions {
                            var from = b * inputPositions
                            var inside = true
                            for axis in 0..<rank {
                                let coordinate = index[axis] * strides[axis] + offset[axis] - geometry[axis].padBefore
                                if coordinate < 0 || coordinate >= inputSpatial[axis] { inside = false; break }
                                from += coordinate * inputStrides[axis]
                            }
                            if inside {
                                counted += 1
                                let base = from * channels
                                if isMax {
                                    for c in 0..<channels { accumulator[c] = max(accumulator[c], source[base + c]) }
                                } else {
                                    for c in 0..<channels { accumulator[c] += source[base + c] }
                                }
                            }
                            var axis = rank - 1
                            while axis >= 0 {
                                offset[axis] += 1
                                if offset[axis] < poolSize[axis] { break }
                                offset[axis] = 0
                                axis -= 1
                            }
                        }
                        let to = (b * outputPositions + position) * channels
                        let scale: Float = isMax ? 1 : 1 / Float(max(counted, 1))
                        for c in 0..<channels { output[to + c] = accumulator[c] * scale }
                    }
                }
            }
            return Tensor(shape: [x.batch] + outputSpatial + [channels], values: output)
        }
    }
}
