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

    /// Max or mean over every spatial position, per channel. A sequence mask (1-D) limits the
    /// mean to the real steps, as Keras' GlobalAveragePooling1D does: `sum(x · mask) /
    /// sum(mask)`, so a sample with every step masked gives NaN there too.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard input.rank == spatialRank + 2 else { throw RuntimeError("expects a \(spatialRank + 2)-D input, got \(input.shape)") }
        let batch = input.batch
        let channels = channelsFirst ? input.shape[1] : input.lastDimension
        let positions = input.count / max(batch * channels, 1)
        let mask = spatialRank == 1 && !isMax ? input.mask : nil
        if let mask, mask.count != batch * positions {
            throw RuntimeError("the mask has \(mask.count) flags for \(batch) × \(positions) steps")
        }
        var output = [Float](repeating: isMax ? -.infinity : 0, count: batch * channels)
        input.values.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                for b in 0..<batch {
                    let out = output.baseAddress! + b * channels
                    let sample = source.baseAddress! + b * positions * channels
                    var counted = 0
                    if channelsFirst {
                        // Each channel's positions are contiguous.
                        for c in 0..<channels {
                            let values = sample + c * positions
                            var value = out[c]
                            for p in 0..<positions {
                                if let mask, !mask[b * positions + p] { continue }
                                value = isMax ? max(value, values[p]) : value + values[p]
                            }
                            out[c] = value
                        }
                        counted = mask.map { mask in (0..<positions).filter { mask[b * positions + $0] }.count } ?? positions
                    } else {
                        for p in 0..<positions {
                            if let mask, !mask[b * positions + p] { continue }
                            counted += 1
                            let pixel = sample + p * channels
                            if isMax {
                                for c in 0..<channels { out[c] = max(out[c], pixel[c]) }
                            } else {
                                for c in 0..<channels { out[c] += pixel[c] }
                            }
                        }
                    }
                    if !isMax {
                        let scale = 1 / Float(counted)
                        for c in 0..<channels { out[c] *= scale }
                    }
                }
            }
        }
        var shape = [batch, channels]
        if keepDims {
            let ones = Array(repeating: 1, count: spatialRank)
            shape = channelsFirst ? [batch, channels] + ones : [batch] + ones + [channels]
        }
        return Tensor(shape: shape, values: output)
    }
}
