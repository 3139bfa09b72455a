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
        let average = kindName.hasPrefix("Average")
        return try Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { x in
            guard x.rank == spatialRank + 2 else { throw RuntimeError("expects a \(spatialRank + 2)-D input, got \(x.shape)") }
            let geometry = WindowGeometry(shape: x.shape, kernel: poolSize, strides: strides,
                                          dilation: Array(repeating: 1, count: spatialRank), padding: padding)
            return Tensor(shape: [x.batch] + geometry.outputSpatial(rank: spatialRank) + [x.lastDimension],
                          values: Kernels.pooling(x, geometry: geometry, average: average))
        }
    }
}
