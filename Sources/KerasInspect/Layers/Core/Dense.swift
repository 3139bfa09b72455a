/// `Dense`: `output = activation(input · kernel + bias)` over the last axis.
/// Params: `in × units + units` (the bias only when `use_bias`), e.g. 784 × 10 + 10 = 7,850.
public struct DenseLayer: SingleInputLayerKind {
    public static let classNames = ["Dense"]

    public let units: Int
    public let useBias: Bool
    public let activation: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        units = try config.int("units", "output_dim")
        useBias = config.bool("use_bias", "bias", default: true)
        activation = config.activation("activation")
        guard units > 0 else { throw LayerConfigError("units must be positive, got \(units)") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        TensorShape(input.dims.dropLast() + [units])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let inputWidth = try LayerMath.lastDimension(input)
        var weights = [WeightSpec("kernel", [inputWidth, units])]
        if useBias { weights.append(WeightSpec("bias", [units])) }
        return weights
    }
}
