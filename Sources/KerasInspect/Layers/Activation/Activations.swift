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
    /// Keras 3 replaces masked logits by -1e9; tf-keras adds -1e9 to them.
    let keras3: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        className = config.className
        keras3 = config.isKeras3
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
            return try softmax(input)
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
            if slope == 0, threshold == 0 {
                // Plain ReLU, capped or not (ReLU(6.0) in MobileNets): one vectorisable loop.
                let cap = maxValue ?? .infinity
                var result = input
                result.values.withUnsafeMutableBufferPointer { values in
                    for i in values.indices { values[i] = min(max(values[i], 0), cap) }
                }
                return result
            }
            return input.map { x in
                var y = x > threshold ? x : slope * (x - threshold)
                if let cap, y > cap { y = cap }
                return y
            }
        }
    }
}

extension ParameterFreeActivationLayer {
    /// Softmax over `axes` (several axes form one distribution, Keras' `exp(x − logsumexp)`).
    /// A mask (Keras broadcasts it against the input from the right, so a (batch, time) mask
    /// fits a (batch, time) input) pushes masked logits to -1e9; Keras 3 then also zeroes the
    /// masked outputs, so a fully masked row is all zeros there and uniform in tf-keras.
    func softmax(_ input: Tensor) throws -> Tensor {
        let rank = input.rank
        let resolved = try Set(axes.map { axis -> Int in
            let value = axis < 0 ? axis + rank : axis
            guard value > 0, value < rank else { throw RuntimeError("softmax axis \(axis) is out of range for rank \(rank)") }
            return value
        }).sorted()
        var logits = input
        logits.mask = nil
        var maskIndex: [Int]? = nil
        if let mask = input.mask {
            let maskShape = [input.batch, mask.count / max(input.batch, 1)]
            let padded = Array(repeating: 1, count: max(rank - 2, 0)) + maskShape
            guard padded.count == rank, zip(padded, input.shape).allSatisfy({ $0.0 == 1 || $0.0 == $0.1 }) else {
                throw RuntimeError("a mask of shape \(maskShape) does not broadcast to input \(input.shape)")
            }
            let index = Kernels.broadcastIndices(from: padded, to: input.shape)
            maskIndex = index
            let keras3 = keras3
            logits.values.withUnsafeMutableBufferPointer { values in
                for i in values.indices where !mask[index[i]] {
                    values[i] = keras3 ? -1e9 : values[i] + -1e9
                }
            }
        }
        let kept = (0..<rank).filter { !resolved.contains($0) }
        var moved = Kernels.transpose(logits, permutation: kept + resolved)
        Activation.softmax(&moved.values, width: resolved.map { input.shape[$0] }.reduce(1, *))
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in (kept + resolved).enumerated() { inverse[axis] = position }
        var result = Kernels.transpose(moved, permutation: inverse)
        if keras3, let mask = input.mask, let maskIndex {
            for i in result.values.indices where !mask[maskIndex[i]] { result.values[i] = 0 }
        }
        result.mask = input.mask
        return result
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
