import Glibc

/// Keras 1 `Highway`: `y = t · h(x W + b) + (1 − t) · x` with a transform gate
/// `t = σ(x W_carry + b_carry)`; the output keeps the input's width.
/// Params: 2 × (in × in + in) (Keras 1.2.2 Highway.build: W, W_carry, b, b_carry).
public struct HighwayLayer: SingleInputLayerKind {
    public static let classNames = ["Highway"]

    public let useBias: Bool
    let activation: Activation

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        useBias = config.bool("bias", default: true)
        activation = config.activationFunction("activation")
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape { input }

    /// Keras 1.2.2 Highway.call: t = sigmoid(x·W_carry + b_carry); y = t·act(x·W + b) + (1 − t)·x.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let width = input.lastDimension, rows = input.count / max(width, 1)
        guard weights.count >= 2 else { throw RuntimeError("missing W and W_carry") }
        var transformed = BLAS.multiply(input.values, weights[0].values, m: rows, n: width, k: width)
        var gate = BLAS.multiply(input.values, weights[1].values, m: rows, n: width, k: width)
        if useBias, weights.count >= 4 {
            Kernels.addBias(weights[2].values, to: &transformed)
            Kernels.addBias(weights[3].values, to: &gate)
        }
        var activated = Tensor(shape: input.shape, values: transformed)
        try activation.apply(&activated)
        var result = input
        for i in result.values.indices {
            let t = 1 / (1 + expf(-gate[i]))
            result.values[i] = t * activated.values[i] + (1 - t) * input.values[i]
        }
        return result
    }

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

    /// Keras 1.2.2 MaxoutDense.call: the largest of the nb_feature products x·W[k] + b[k].
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard input.rank == 2, let kernel = weights.first else { throw RuntimeError("expects (batch, features) and W") }
        let (batch, width) = (input.shape[0], input.shape[1])
        var output = [Float](repeating: -.infinity, count: batch * units)
        for piece in 0..<pieces {
            var product = BLAS.multiply(input.values, Array(kernel.values[(piece * width * units)..<((piece + 1) * width * units)]),
                                        m: batch, n: units, k: width)
            if useBias, weights.count > 1 {
                Kernels.addBias(Array(weights[1].values[(piece * units)..<((piece + 1) * units)]), to: &product)
            }
            for i in output.indices { output[i] = max(output[i], product[i]) }
        }
        return Tensor(shape: [batch, units], values: output)
    }

    public static let explanation = """
        MaxoutDense (Keras 1) runs nb_feature Dense layers side by side and keeps, for each \\
        unit, the largest of their outputs: nb_feature kernels and biases.
        """
}
