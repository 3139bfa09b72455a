/// `UpSampling1D/2D/3D`: repeats each spatial position `size` times along its axis (Keras 1:
/// `length` for 1-D). `interpolation` changes the values, not the shape. No weights.
public struct UpSamplingLayer: SingleInputLayerKind {
    public static let classNames = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]

    public let spatialRank: Int
    public let factors: [Int]
    public let channelsFirst: Bool
    let interpolation: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        interpolation = config.string("interpolation", default: "nearest")
        spatialRank = try LayerMath.spatialRank(announcedBy: config.className)
        factors = try config.ints("size", "length", count: spatialRank, default: Array(repeating: 2, count: spatialRank))
        channelsFirst = spatialRank > 1 && config.channelsFirst
        guard factors.allSatisfy({ $0 > 0 }) else { throw LayerConfigError("size \(factors) must be positive") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            output[axis] = try input[axis].map { try LayerMath.noOverflow($0.multipliedReportingOverflow(by: factors[index])) }
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// Nearest neighbour repeats each position (`ops.repeat` in Keras 3, `repeat_elements` in
    /// Keras 1/2). Bilinear UpSampling2D is `tf.image.resize` to size × input (Keras 3 through
    /// `ops.image.resize`, tf-keras through `resize_images`, both without antialiasing):
    /// half-pixel centres, clamped at the border.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard interpolation == "nearest" || (interpolation == "bilinear" && spatialRank == 2) else {
            throw RuntimeError("\(interpolation) upsampling cannot run yet (nearest and bilinear can)")
        }
        return try Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { x in
            guard x.rank == spatialRank + 2 else { throw RuntimeError("expects a \(spatialRank + 2)-D input, got \(x.shape)") }
            if interpolation == "bilinear" {
                return try Kernels.resize(x, height: x.shape[1] * factors[0], width: x.shape[2] * factors[1],
                                          interpolation: .bilinear)
            }
            return Kernels.repeatSpatial(x, factors: factors)
        }
    }
}
