/// Keras activation functions by the names configs use.
public enum ActivationFunction {
    /// Every name Keras 1, 2 and 3 accept for `activation` (Keras 3 aliases included).
    public static let knownNames: Set<String> = [
        "linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "log_softmax", "softplus",
        "softsign", "tanh", "elu", "selu", "exponential", "gelu", "silu", "swish", "hard_silu",
        "hard_swish", "mish", "leaky_relu", "celu", "glu", "sparsemax", "sparse_plus", "squareplus",
        "soft_shrink", "hard_shrink", "tanh_shrink", "threshold", "hard_tanh", "log_sigmoid",
        "sparse_sigmoid",
    ]

    /// The shape an activation produces: all keep the shape except `glu`, which gates one
    /// half of the last axis with the other.
    static func outputShape(of name: String, for input: TensorShape) throws -> TensorShape {
        guard name == "glu" else { return input }
        var output = input
        if let last = input.dims.last, let width = last {
            guard width % 2 == 0 else { throw LayerConfigError("glu needs an even last dimension, got \(width)") }
            output.dims[output.rank - 1] = width / 2
        }
        return output
    }
}

/// `Activation`: applies a named activation function; no weights.
public struct ActivationLayer: SingleInputLayerKind {
    public static let classNames = ["Activation"]

    public let function: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        function = config.activation("activation")
        guard ActivationFunction.knownNames.contains(function) else {
            throw LayerConfigError("unknown activation '\(function)'")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try ActivationFunction.outputShape(of: function, for: input)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `ReLU`, `LeakyReLU`, `ELU`, `Softmax`, `ThresholdedReLU`: activation layers with their
/// own settings (slopes, caps, axes) but no weights.
public struct ParameterFreeActivationLayer: ShapePreservingLayerKind {
    public static let classNames = ["ReLU", "LeakyReLU", "ELU", "Softmax", "ThresholdedReLU"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}

/// `PReLU`: a learned slope per element of the input (batch excluded), shared along
/// `shared_axes` (1-based, so axis 1 is the first non-batch axis).
/// Params: the product of `input_shape[1:]` with every shared axis set to 1.
public struct PReLULayer: ShapePreservingLayerKind {
    public static let classNames = ["PReLU"]

    public let sharedAxes: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        sharedAxes = config.has("shared_axes") ? try config.intList("shared_axes") : []
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        var shape = input.withoutBatch
        for axis in sharedAxes {
            guard axis >= 1, axis <= shape.count else { throw LayerConfigError("shared axis \(axis) out of range") }
            shape[axis - 1] = 1
        }
        guard shape.allSatisfy({ $0 != nil }) else { throw LayerConfigError("the alpha shape depends on unknown dimensions") }
        return [WeightSpec("alpha", shape.map { $0! })]
    }

    public static let explanation = """
        PReLU learns the slope used for negative inputs: one value per input position, shared \
        along the shared_axes.
        """
}
