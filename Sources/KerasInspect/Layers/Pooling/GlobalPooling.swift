/// `GlobalMaxPooling1D/2D/3D`, `GlobalAveragePooling1D/2D/3D`: one value per channel over all
/// spatial positions, `(batch, channels)`; with `keepdims` the spatial axes stay, each of
/// size 1. No weights.
public struct GlobalPoolingLayer: SingleInputLayerKind {
    public static let classNames = ["GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
                                    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D"]

    public let spatialRank: Int
    public let keepDims: Bool
    public let channelsFirst: Bool
    let isMax: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        isMax = config.className.hasPrefix("GlobalMax")
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

    /// Max or mean over every spatial position, per channel. A sequence mask (1-D) limits
    /// the mean to the real steps, as Keras' GlobalAveragePooling1D does.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let x = channelsFirst ? Kernels.channelsLast(input) : input
        let channels = x.lastDimension
        let positions = x.count / max(x.batch * channels, 1)
        let mask = spatialRank == 1 && !isMax ? input.mask : nil
        var output = [Float](repeating: isMax ? -.infinity : 0, count: x.batch * channels)
        x.values.withUnsafeBufferPointer { source in
            for b in 0..<x.batch {
                var counted = 0
                for p in 0..<positions {
                    if let mask, !mask[b * positions + p] { continue }
                    counted += 1
                    let base = (b * positions + p) * channels
                    for c in 0..<channels {
                        output[b * channels + c] = isMax ? max(output[b * channels + c], source[base + c])
                            : output[b * channels + c] + source[base + c]
                    }
                }
                if !isMax {
                    for c in 0..<channels { output[b * channels + c] /= Float(max(counted, 1)) }
                }
            }
        }
        var shape = [x.batch, channels]
        if keepDims {
            let ones = Array(repeating: 1, count: spatialRank)
            shape = channelsFirst ? [x.batch, channels] + ones : [x.batch] + ones + [channels]
        }
        return Tensor(shape: shape, values: output)
    }
}
