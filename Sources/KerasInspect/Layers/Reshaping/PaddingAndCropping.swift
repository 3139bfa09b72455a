/// `ZeroPadding1D/2D/3D` and `Cropping1D/2D/3D`: add zeros at, or cut rows from, both ends of
/// each spatial axis. Keras refuses a cropping that leaves an axis empty. No weights.
/// Amounts may be one int, one per axis or a (before, after) pair per axis (`LayerMath.pairs`);
/// of the 1-D layers only Keras 3's ZeroPadding1D has a `data_format`.
public struct PaddingOrCroppingLayer: SingleInputLayerKind {
    public static let classNames = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
                                    "Cropping1D", "Cropping2D", "Cropping3D"]

    public let spatialRank: Int
    public let amounts: [(Int, Int)]
    public let isCropping: Bool
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = try LayerMath.spatialRank(announcedBy: config.className)
        isCropping = config.className.hasPrefix("Cropping")
        amounts = try LayerMath.pairs(config, key: isCropping ? "cropping" : "padding", spatialRank: spatialRank,
                                      default: 1)
        // Keras 3's ZeroPadding1D has a data_format too; Cropping1D has none (false).
        channelsFirst = config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            guard let length = input[axis] else { continue }
            let (before, after) = amounts[index]
            let change = try LayerMath.noOverflow(before.addingReportingOverflow(after))
            if isCropping {
                guard change < length else {
                    throw LayerConfigError("cropping \(change) leaves nothing of an axis of length \(length)")
                }
                output[axis] = length - change
            } else {
                output[axis] = try LayerMath.noOverflow(length.addingReportingOverflow(change))
            }
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let sign = isCropping ? -1 : 1
        return try Kernels.inChannelsLast(input, channelsFirst: channelsFirst) { x in
            guard x.rank == spatialRank + 2 else { throw RuntimeError("expects a \(spatialRank + 2)-D input, got \(x.shape)") }
            return Kernels.padOrCrop(x, before: amounts.map { sign * $0.0 }, after: amounts.map { sign * $0.1 })
        }
    }
}
