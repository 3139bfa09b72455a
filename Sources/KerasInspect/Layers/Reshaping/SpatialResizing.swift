/// `ZeroPadding1D/2D/3D` and `Cropping1D/2D/3D`: add or remove rows at both ends of each
/// spatial axis. No weights.
public struct PaddingOrCroppingLayer: SingleInputLayerKind {
    public static let classNames = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
                                    "Cropping1D", "Cropping2D", "Cropping3D"]

    public let spatialRank: Int
    public let amounts: [(Int, Int)]
    public let isCropping: Bool
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = Int(String(config.className.dropLast().last!))!
        isCropping = config.className.hasPrefix("Cropping")
        amounts = try LayerMath.pairs(config, key: isCropping ? "cropping" : "padding", spatialRank: spatialRank,
                                      default: 1)
        channelsFirst = spatialRank > 1 && config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            guard let length = input[axis] else { continue }
            let change = amounts[index].0 + amounts[index].1
            let newLength = isCropping ? length - change : length + change
            guard newLength >= 0 else { throw LayerConfigError("cropping \(change) exceeds length \(length)") }
            output[axis] = newLength
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `UpSampling1D/2D/3D`: repeats each spatial position `size` times. No weights.
public struct UpSamplingLayer: SingleInputLayerKind {
    public static let classNames = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]

    public let spatialRank: Int
    public let factors: [Int]
    public let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        spatialRank = Int(String(config.className.dropLast().last!))!
        factors = try config.ints("size", "length", count: spatialRank, default: Array(repeating: 2, count: spatialRank))
        channelsFirst = spatialRank > 1 && config.channelsFirst
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try LayerMath.requireRank(input, spatialRank: spatialRank)
        var output = input
        for (index, axis) in LayerMath.spatialAxes(rank: spatialRank, channelsFirst: channelsFirst).spatial.enumerated() {
            output[axis] = input[axis].map { $0 * factors[index] }
        }
        return output
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
