import Glibc

/// Keras activation functions by the names configs use.
public enum ActivationFunction {
    /// Every name Keras 1, 2 and 3 accept for `activation`, mapped to the function Keras runs
    /// for it (Keras 3 aliases `swish` and `hard_swish` name `silu` and `hard_silu`).
    public static let canonicalNames: [String: String] = {
        let functions = [
            "linear", "relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "log_softmax",
            "softplus", "softsign", "tanh", "elu", "selu", "exponential", "gelu", "silu",
            "hard_silu", "mish", "leaky_relu", "celu", "glu", "sparsemax", "sparse_plus",
            "squareplus", "soft_shrink", "hard_shrink", "tanh_shrink", "threshold", "hard_tanh",
            "log_sigmoid", "sparse_sigmoid",
        ]
        var table = Dictionary(uniqueKeysWithValues: functions.map { ($0, $0) })
        table["swish"] = "silu"
        table["hard_swish"] = "hard_silu"
        return table
    }()

    /// The names in `canonicalNames`, aliases included.
    public static var knownNames: Set<String> { Set(canonicalNames.keys) }
}

/// One activation function as a layer's config names it, ready to run. The Keras generation
/// matters: `hard_sigmoid` is `clip(0.2·x + 0.5, 0, 1)` in Keras 1 and 2 but
/// `relu6(x + 3) / 6` in Keras 3.
public struct Activation: Sendable, Equatable {
    /// The name as the config gives it (`swish`, `relu`, a custom function's name).
    public let name: String
    /// Whether the config came from Keras 3.
    public let keras3: Bool

    public init(_ name: String, keras3: Bool) {
        self.name = name
        self.keras3 = keras3
    }

    public var isLinear: Bool { canonical == "linear" }

    var canonical: String { ActivationFunction.canonicalNames[name] ?? name }

    /// Applies the function over `tensor`; softmax-like functions work along the last axis.
    public func apply(_ tensor: inout Tensor) throws {
        switch canonical {
        case "linear": return
        case "softmax": Self.softmax(&tensor.values, width: tensor.lastDimension)
        case "log_softmax": Self.logSoftmax(&tensor.values, width: tensor.lastDimension)
        case "sparsemax": Self.sparsemax(&tensor.values, width: tensor.lastDimension)
        case "relu", "relu6":
            // Inline loops for the activations of convolutional nets (a closure call per
            // element would keep them from vectorising).
            let cap: Float = canonical == "relu6" ? 6 : .infinity
            tensor.values.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = min(max(buffer[index], 0), cap) }
            }
        case "glu":
            // Runs on the two halves of the last axis: a · sigmoid(b). The output is half as wide.
            let width = tensor.lastDimension
            guard width % 2 == 0 else { throw RuntimeError("glu needs an even last axis, got \(width)") }
            let half = width / 2, rows = tensor.count / max(width, 1)
            var output = [Float](repeating: 0, count: rows * half)
            for row in 0..<rows {
                for column in 0..<half {
                    let a = tensor.values[row * width + column], b = tensor.values[row * width + half + column]
                    output[row * half + column] = a * Self.sigmoid(b)
                }
            }
            tensor = Tensor(shape: Array(tensor.shape.dropLast()) + [half], values: output, mask: tensor.mask)
        default:
            let function = try elementwise()
            tensor.values.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = function(buffer[index]) }
            }
        }
    }

    /// A copy of `tensor` with the function applied.
    public func applied(to tensor: Tensor) throws -> Tensor {
        var result = tensor
        try apply(&result)
        return result
    }

    /// The scalar function for element-wise activations (every one but softmax, log_softmax,
    /// sparsemax, glu).
    public func elementwise() throws -> @Sendable (Float) -> Float {
        switch canonical {
        case "linear": return { $0 }
        case "relu": return { max($0, 0) }
        case "relu6": return { min(max($0, 0), 6) }
        case "sigmoid": return Self.sigmoid
        case "hard_sigmoid":
            if keras3 { return { min(max($0 + 3, 0), 6) / 6 } }
            return { min(max(0.2 * $0 + 0.5, 0), 1) }
        case "hard_silu": return { x in x * min(max(x + 3, 0), 6) / 6 }
        case "softplus": return Self.softplus
        case "softsign": return { $0 / (1 + abs($0)) }
        case "tanh": return { tanhf($0) }
        case "elu": return { $0 > 0 ? $0 : expm1f($0) }
        case "selu":
            return { x in
                let alpha: Float = 1.6732632423543772, scale: Float = 1.0507009873554805
                return scale * (x > 0 ? x : alpha * expm1f(x))
            }
        case "celu": return { x in max(x, 0) + min(0, expm1f(x)) }
        case "exponential": return { expf($0) }
        case "gelu":
            // Keras' default for the name "gelu" is the exact form, x·Φ(x).
            return { x in 0.5 * x * (1 + erff(x / 1.4142135623730951)) }
        case "silu": return { $0 * Self.sigmoid($0) }
        case "mish": return { $0 * tanhf(Self.softplus($0)) }
        case "leaky_relu": return { $0 >= 0 ? $0 : 0.2 * $0 }
        case "log_sigmoid": return { -Self.softplus(-$0) }
        case "sparse_plus": return { x in x <= -1 ? 0 : (x >= 1 ? x : (x + 1) * (x + 1) / 4) }
        case "sparse_sigmoid": return { x in x <= -1 ? 0 : (x >= 1 ? 1 : (x + 1) / 2) }
        case "squareplus": return { x in (x + (x * x + 4).squareRoot()) / 2 }
        case "soft_shrink": return { x in x > 0.5 ? x - 0.5 : (x < -0.5 ? x + 0.5 : 0) }
        case "hard_shrink": return { x in abs(x) > 0.5 ? x : 0 }
        case "tanh_shrink": return { $0 - tanhf($0) }
        case "hard_tanh": return { min(max($0, -1), 1) }
        default:
            throw RuntimeError("activation '\(name)' cannot run here (\(ActivationFunction.canonicalNames[name] == nil ? "a custom function" : "not implemented"))")
        }
    }

    @Sendable static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
    }

    /// log(1 + eˣ) without overflow for large x.
    @Sendable static func softplus(_ x: Float) -> Float {
        x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
    }

    /// Softmax along rows of `width` values, max-subtracted like every Keras backend.
    static func softmax(_ values: inout [Float], width: Int) {
        guard width > 0 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + width)])
                let maximum = row.max() ?? 0
                var sum: Float = 0
                for index in row.indices {
                    row[index] = expf(row[index] - maximum)
                    sum += row[index]
                }
                for index in row.indices { row[index] /= sum }
                start += width
            }
        }
    }

    /// Sparsemax along rows of `width` values as Keras 3.15's TensorFlow backend computes it:
    /// sorted descending, support where `z_k − (cumsum_k − 1) / k > 0`, then
    /// `τ = (Σ_{k in support} cumsum_k − 1) / |support|` — the sum of the cumulative sums,
    /// where the JAX and NumPy backends (and the sparsemax paper) take the last one. The two
    /// agree when one value dominates; TensorFlow is the backend that wrote our truth tables.
    static func sparsemax(_ values: inout [Float], width: Int) {
        guard width > 0 else { return }
        var sorted = [Float](repeating: 0, count: width)
        values.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                for i in 0..<width { sorted[i] = buffer[start + i] }
                sorted.sort(by: >)
                var cumulative: Float = 0, supportSum: Float = 0, support: Float = 0
                for (index, value) in sorted.enumerated() {
                    cumulative += value
                    if value - (cumulative - 1) / Float(index + 1) > 0 {
                        supportSum += cumulative
                        support += 1
                    }
                }
                let tau = (supportSum - 1) / support
                for i in 0..<width { buffer[start + i] = max(buffer[start + i] - tau, 0) }
                start += width
            }
        }
    }

    static func logSoftmax(_ values: inout [Float], width: Int) {
        guard width > 0 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + width)])
                let maximum = row.max() ?? 0
                var sum: Float = 0
                for value in row { sum += expf(value - maximum) }
                let logSum = logf(sum) + maximum
                for index in row.indices { row[index] -= logSum }
                start += width
            }
        }
    }
}

extension LayerConfig {
    /// The activation function a config key names, with the generation that decides its definition.
    public func activationFunction(_ keys: String..., default defaultValue: String = "linear") -> Activation {
        var name = defaultValue
        for key in keys where has(key) {
            name = activation(key, default: defaultValue)
            break
        }
        return Activation(name, keras3: isKeras3)
    }
}
