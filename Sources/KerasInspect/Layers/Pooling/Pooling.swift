/// `MaxPooling1D/2D/3D`, `AveragePooling1D/2D/3D`: a window slides over the spatial axes;
/// each output is the window's maximum or mean. No weights.
public struct PoolingLayer: SingleInputLayerKind {
    public static let classNames = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                                    "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"]

    public let spatialRank: Int
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: String
    public let channelsFirst: Bool
    public let isMax: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = Int(String(config.className.dropLast().last!))!
        isMax = config.className.hasPrefix("Max")
        poolSize = try config.ints("pool_size", "pool_length", count: spatialRank,
                                   default: Array(repeating: 2, count: spatialRank))
        strides = try config.ints("strides", "stride", count: spatialRank, default: poolSize)
        padding = config.string("padding", "border_mode", default: "valid")
        channelsFirst = config.channelsFirst
        guard poolSize.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw LayerConfigError("pool_size and strides must be positive")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            output[axis] = LayerMath.convOutputLength(input[axis], kernel: poolSize[index], padding: padding,
                                                      stride: strides[index])
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `GlobalMaxPooling1D/2D/3D`, `GlobalAveragePooling1D/2D/3D`: one value per channel over
/// all spatial positions (kept as size-1 axes with `keepdims`). No weights.
public struct GlobalPoolingLayer: SingleInputLayerKind {
    public static let classNames = ["GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                                    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"]

    public let spatialRank: Int
    public let keepDims: Bool
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = Int(String(config.className.dropLast().last!))!
        keepDims = config.bool("keepdims", default: false)
        channelsFirst = config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        let axes = LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst)
        if keepDims {
            var output = input
            for axis in axes.spatial { output[axis] = 1 }
            return output
        }
        return TensorShape([input.dims[0], input.dims[axes.channel]])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
