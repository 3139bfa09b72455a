import Glibc

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
    let activation: Activation

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        function = config.activation("activation")
        activation = config.activationFunction("activation")
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        try activation.applied(to: input)
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

    let className: String
    /// ReLU: `max_value` cap, `negative_slope` below `threshold`; LeakyReLU's slope
    /// (Keras 3 `negative_slope`, Keras 1/2 `alpha`, 0.3 by default in every generation);
    /// ELU's `alpha`; ThresholdedReLU's `theta`; Softmax's axes.
    let maxValue: Float?
    let slope: Float
    let threshold: Float
    let axes: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        className = config.className
        maxValue = config.has("max_value") && config["max_value"]?.doubleValue != nil
            ? Float(config.double("max_value", default: 0)) : nil
        switch className {
        case "LeakyReLU": slope = Float(config.double("negative_slope", "alpha", default: 0.3))
        case "ELU": slope = Float(config.double("alpha", default: 1))
        default: slope = Float(config.double("negative_slope", default: 0))
        }
        threshold = Float(config.double("threshold", "theta", default: className == "ThresholdedReLU" ? 1 : 0))
        axes = className == "Softmax" ? try config.axes("axis", default: [-1]) : []
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        switch className {
        case "Softmax":
            guard axes.count == 1 else { throw RuntimeError("softmax over several axes cannot run yet") }
            let axis = axes[0] < 0 ? axes[0] + input.rank : axes[0]
            guard axis > 0, axis < input.rank else { throw RuntimeError("softmax axis \(axes[0]) is out of range") }
            var moved = Kernels.moveAxis(input, from: axis, to: input.rank - 1)
            Activation.softmax(&moved.values, width: moved.lastDimension)
            var result = Kernels.moveAxis(moved, from: input.rank - 1, to: axis)
            result.mask = input.mask
            return result
        case "ELU":
            let alpha = slope
            return input.map { $0 > 0 ? $0 : alpha * expm1f($0) }
        case "ThresholdedReLU":
            let theta = threshold
            return input.map { $0 > theta ? $0 : 0 }
        case "LeakyReLU":
            let alpha = slope
            return input.map { $0 >= 0 ? $0 : alpha * $0 }
        default:
            // Keras' relu: x ≥ max_value → max_value; threshold ≤ x → x; else slope·(x − threshold).
            let cap = maxValue, slope = slope, threshold = threshold
            return input.map { x in
                var y = x > threshold ? x : slope * (x - threshold)
                if let cap, y > cap { y = cap }
                return y
            }
        }
    }
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

    /// `max(x, 0) + alpha · min(x, 0)`, alpha broadcast over the shared axes.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let alpha = weights.first else { throw RuntimeError("no alpha") }
        let fullShape = [1] + alpha.shape
        guard fullShape.count == input.rank else { throw RuntimeError("alpha \(alpha.shape) does not fit input \(input.shape)") }
        let index = Kernels.broadcastIndices(from: fullShape, to: input.shape)
        var result = input
        result.values.withUnsafeMutableBufferPointer { values in
            alpha.values.withUnsafeBufferPointer { alpha in
                for i in values.indices where values[i] < 0 { values[i] *= alpha[index[i]] }
            }
        }
        return result
    }

    public static let explanation = """
        PReLU learns the slope used for negative inputs: one value per input position, shared \
        along the shared_axes.
        """
}
