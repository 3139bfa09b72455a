/// `Rescaling`: `x × scale + offset`; no weights.
public struct RescalingLayer: ShapePreservingLayerKind {
    public static let classNames = ["Rescaling"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}

/// `Normalization`: `(x − mean) / √variance` with statistics learned by `adapt()`.
/// When the config gives `mean` and `variance` they are constants and no weights exist;
/// otherwise the layer holds non-trainable `mean`, `variance` (one value per kept axis)
/// and an int64 scalar `count`.
public struct NormalizationLayer: ShapePreservingLayerKind {
    public static let classNames = ["Normalization"]

    public let keptAxes: [Int]
    public let hasConstantStatistics: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        keptAxes = try config.axes("axis", default: [-1])
        hasConstantStatistics = config.has("mean") && config.has("variance")
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        if hasConstantStatistics { return [] }
        let shape = try LayerMath.axisSizes(keptAxes, of: input)
        return [
            WeightSpec("mean", shape, trainable: false),
            WeightSpec("variance", shape, trainable: false),
            WeightSpec("count", [], trainable: false, dtype: "int64"),
        ]
    }

    public static let explanation = """
        Normalization stores the mean and variance it computed with adapt(), and the number of \
        samples seen (count, an integer). They are set from data, never by gradients, so all \
        three are non-trainable.
        """
}
