/// `UpSampling1D/2D/3D`: repeats each spatial position `size` times along its axis (Keras 1:
/// `length` for 1-D). `interpolation` changes the values, not the shape. No weights.
public struct UpSamplingLayer: SingleInputLayerKind {
    public static let classNames = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]

    public let spatialRank: Int
    public let factors: [Int]
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
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
}
