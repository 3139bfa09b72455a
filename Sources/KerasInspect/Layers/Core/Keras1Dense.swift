/// Keras 1 `Highway`: `y = t · h(x W + b) + (1 − t) · x` with a transform gate
/// `t = σ(x W_carry + b_carry)`; the output keeps the input's width.
/// Params: 2 × (in × in + in) (Keras 1.2.2 Highway.build: W, W_carry, b, b_carry).
public struct HighwayLayer: SingleInputLayerKind {
    public static let classNames = ["Highway"]

    public let useBias: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        useBias = config.bool("bias", default: true)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape { input }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let width = try LayerMath.lastDimension(input)
        var weights = [WeightSpec("W", [width, width]), WeightSpec("W_carry", [width, width])]
        if useBias { weights += [WeightSpec("b", [width]), WeightSpec("b_carry", [width])] }
        return weights
    }

    public static let explanation = """
        A Highway layer (Keras 1) has two square weight matrices and biases: one transforms the \\
        input, the other computes a gate that mixes the transformed value with the input itself.
        """
}

/// Keras 1 `MaxoutDense`: `nb_feature` Dense layers side by side, keeping the element-wise
/// maximum. Params: nb_feature × (in × out + out) (MaxoutDense.build: W, b).
public struct MaxoutDenseLayer: SingleInputLayerKind {
    public static let classNames = ["MaxoutDense"]

    public let units: Int
    public let pieces: Int
    public let useBias: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        units = try config.int("output_dim")
        pieces = try config.int("nb_feature", default: 4)
        useBias = config.bool("bias", default: true)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        TensorShape([input.dims.first ?? nil, units])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let width = try LayerMath.lastDimension(input)
        var weights = [WeightSpec("W", [pieces, width, units])]
        if useBias { weights.append(WeightSpec("b", [pieces, units])) }
        return weights
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let batch = inputs.first?.dims.first ?? nil, let width = inputs.first?.dims.last ?? nil else { return nil }
        return batch * pieces * width * units
    }

    public static let explanation = """
        MaxoutDense (Keras 1) runs nb_feature Dense layers side by side and keeps, for each \\
        unit, the largest of their outputs: nb_feature kernels and biases.
        """
}
