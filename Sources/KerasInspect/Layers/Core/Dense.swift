/// `Dense`: `output = activation(input · kernel + bias)` over the last axis.
/// Params: `in × units + units` (the bias only when `use_bias`), e.g. 784 × 10 + 10 = 7,850.
/// Keras 3's `lora_rank` r freezes the kernel and adds `lora_kernel_a` (in, r) and
/// `lora_kernel_b` (r, units); the kernel that runs is `kernel + lora_alpha / r · a · b`.
public struct DenseLayer: SingleInputLayerKind {
    public static let classNames = ["Dense"]

    public let units: Int
    public let useBias: Bool
    public let activation: Activation
    let loraRank: Int?
    let loraAlpha: Float

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        units = try config.int("units", "output_dim")
        useBias = config.bool("use_bias", "bias", default: true)
        activation = config.activationFunction("activation")
        loraRank = config.optionalInt("lora_rank")
        // Keras 3.15 stores the alpha its build actually used (the rank when enable_lora reset it).
        loraAlpha = Float(config.double("lora_alpha", default: Double(loraRank ?? 1)))
        guard units > 0 else { throw LayerConfigError("units must be positive, got \(units)") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        TensorShape(input.dims.dropLast() + [units])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let inputWidth = try LayerMath.lastDimension(input)
        var weights = [WeightSpec("kernel", [inputWidth, units], trainable: loraRank == nil)]
        if useBias { weights.append(WeightSpec("bias", [units])) }
        if let loraRank {
            weights.append(WeightSpec("lora_kernel_a", [inputWidth, loraRank]))
            weights.append(WeightSpec("lora_kernel_b", [loraRank, units]))
        }
        return weights
    }

    /// Every output value is a dot product over the input's last axis.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, let width = input.dims.last ?? nil,
              let outputElements = outputs.first?.elementCount else { return nil }
        return outputElements * width
    }

    /// One matrix product over all leading axes at once: (rows × in) · (in × units).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let inputWidth = input.lastDimension
        guard var kernel = weights.first, kernel.shape == [inputWidth, units] else {
            throw RuntimeError("kernel does not fit an input of width \(inputWidth)")
        }
        if let loraRank {
            guard weights.count == (useBias ? 4 : 3) else { throw RuntimeError("missing the LoRA kernels") }
            let delta = BLAS.multiply(weights[weights.count - 2].values, weights[weights.count - 1].values,
                                      m: inputWidth, n: units, k: loraRank)
            let factor = loraAlpha / Float(loraRank)
            for i in kernel.values.indices { kernel.values[i] += factor * delta[i] }
        }
        let rows = input.count / max(inputWidth, 1)
        var output = BLAS.multiply(input.values, kernel.values, m: rows, n: units, k: inputWidth)
        if useBias, weights.count > 1 { Kernels.addBias(weights[1].values, to: &output) }
        var result = Tensor(shape: Array(input.shape.dropLast()) + [units], values: output, mask: input.mask)
        try activation.apply(&result)
        return result
    }

    public static let explanation = """
        A Dense layer connects every input feature to every unit: its kernel holds one weight per \
        (input, unit) pair, and its bias one value per unit, added after the product.
        """
}
