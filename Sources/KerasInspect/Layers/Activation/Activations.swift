/// `Activation`: applies a named activation function; no weights.
///
/// The output keeps the input's shape whatever the function: Keras works the shape out
/// without running it (`Activation.compute_output_shape` returns the input's). Even `glu`,
/// which halves the last axis when it runs, keeps the full width in Keras' summaries and
/// in the layers built after it, so that is the shape to report. An unknown name (a custom
/// function) gets the same rule and a note rather than an error.
public struct ActivationLayer: ShapePreservingLayerKind {
    public static let classNames = ["Activation"]

    public let function: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        function = config.activation("activation")
    }

    public var notes: [String] {
        if ActivationFunction.canonicalNames[function] == nil {
            return ["unknown activation '\(function)': its output shape is assumed equal to its input's"]
        }
        if function == "glu" {
            return ["glu halves the last axis when it runs; Keras (and this summary) report the input's shape"]
        }
        return []
    }
}

/// `ReLU`, `LeakyReLU`, `ELU`, `Softmax`, `ThresholdedReLU`: activation layers with their
/// own settings (slopes, caps, axes) but no weights.
public struct ParameterFreeActivationLayer: ShapePreservingLayerKind {
    public static let classNames = ["ReLU", "LeakyReLU", "ELU", "Softmax", "ThresholdedReLU"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}

/// `PReLU`: a learned slope per element of the input (batch excluded), shared along
/// `shared_axes` (1-based, so axis 1 is the first non-batch axis).
/// Params: the product of `input_shape[1:]` with every shared axis set to 1,
/// e.g. (None, 4, 5, 3) with shared_axes [1, 2] → alpha (1, 1, 3) = 3.
public struct PReLULayer: ShapePreservingLayerKind {
    public static let classNames = ["PReLU"]

    public let sharedAxes: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        sharedAxes = config.has("shared_axes") ? try config.intList("shared_axes") : []
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        var shape = input.withoutBatch
        for axis in sharedAxes {
            guard axis >= 1, axis <= shape.count else {
                throw LayerConfigError("shared axis \(axis) is out of range for input \(input)")
            }
            shape[axis - 1] = 1
        }
        let known = shape.compactMap { $0 }
        guard known.count == shape.count else {
            throw LayerConfigError("the alpha shape depends on unknown dimensions of input \(input)")
        }
        return [WeightSpec("alpha", known)]
    }

    public static let explanation = """
        PReLU learns the slope used for negative inputs: one value per input position, shared \
        along the shared_axes.
        """
}
