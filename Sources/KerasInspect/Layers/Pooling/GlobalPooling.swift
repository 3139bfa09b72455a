/// `GlobalMaxPooling1D/2D/3D`, `GlobalAveragePooling1D/2D/3D`: one value per channel over all
/// spatial positions, `(batch, channels)`; with `keepdims` the spatial axes stay, each of
/// size 1. No weights.
public struct GlobalPoolingLayer: SingleInputLayerKind {
    public static let classNames = ["GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                                    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"]

    public let spatialRank: Int
    public let keepDims: Bool
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = try LayerMath.spatialRank(announcedBy: config.className)
        keepDims = config.bool("keepdims", default: false)
        channelsFirst = config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        let axes = LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst)
        guard keepDims else { return TensorShape([input[0], input[axes.channel]]) }
        var output = input
        for axis in axes.spatial { output[axis] = 1 }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
