/// The floating-point type a layer computes in, from its dtype policy, and how kerasinspect
/// follows it.
///
/// Keras casts a layer's floating inputs to the policy's compute dtype when the layer is
/// called, reads its variables in that dtype (mixed policies keep float32 variables and cast
/// them at use), and returns the result in it. kerasinspect rounds at those same points
/// (inputs, weights, outputs) but does the arithmetic in between in float32, so a half
/// precision layer agrees with Keras to about its own precision, not bit for bit; the
/// runner names such layers and `defaultTolerance` widens the comparison accordingly.
/// float64 layers are computed in float32: they differ from Keras by float32 rounding.
public enum ComputePrecision: String, Sendable, Comparable {
    case float32
    case float64
    case float16
    case bfloat16

    /// The compute dtype of a policy name (`float16`, `mixed_float16`, `bfloat16`,
    /// `mixed_bfloat16`, `float64`, `float32`); `nil` for policies that do not name a floating
    /// compute type (integer outputs of preprocessing layers, `int32` on Keras 2's Embedding).
    /// Throws for policies whose arithmetic kerasinspect does not implement (quantized ones).
    public static func of(policy: String?) throws -> ComputePrecision? {
        guard let policy else { return nil }
        // Keras 3's quantized policies (`int8_from_float32`, `float8_from_bfloat16`, …).
        if policy.contains("_from_") {
            throw RuntimeError("dtype policy '\(policy)' is quantized, which kerasinspect cannot compute")
        }
        switch policy {
        case "float32", "mixed_float32": return .float32
        case "float64": return .float64
        case "float16", "mixed_float16", "half": return .float16
        case "bfloat16", "mixed_bfloat16": return .bfloat16
        default:
            if policy.hasPrefix("int") || policy.hasPrefix("uint") || policy == "bool" || policy == "string" {
                return nil
            }
            throw RuntimeError("dtype policy '\(policy)' is not one kerasinspect can compute (quantized or unknown)")
        }
    }

    /// Half-precision kinds change values at every cast point.
    public var rounds: Bool { self == .float16 || self == .bfloat16 }

    /// The default `allclose` tolerance (atol = rtol) for outputs that passed through a layer
    /// of this precision: ten units in the last place of a value near 1.
    public var defaultTolerance: Float {
        switch self {
        case .float32, .float64: return 1e-4
        case .float16: return 1e-2     // float16 keeps 11 significant bits (ε ≈ 9.8e-4)
        case .bfloat16: return 8e-2    // bfloat16 keeps 8 significant bits (ε ≈ 7.8e-3)
        }
    }

    /// Orders precisions by how far they can move a result from float32's.
    public static func < (a: ComputePrecision, b: ComputePrecision) -> Bool {
        let rank: [ComputePrecision: Int] = [.float32: 0, .float64: 1, .float16: 2, .bfloat16: 3]
        return rank[a]! < rank[b]!
    }

    /// Rounds every value to this precision (round to nearest, ties to even), as Keras' cast does.
    public func round(_ values: inout [Float]) {
        switch self {
        case .float32, .float64:
            return
        case .float16:
            for index in values.indices { values[index] = Float(Float16(values[index])) }
        case .bfloat16:
            for index in values.indices { values[index] = Self.bfloat16(values[index]) }
        }
    }

    /// The nearest bfloat16 (the top 16 bits of a float32), ties to even; NaN stays NaN.
    static func bfloat16(_ value: Float) -> Float {
        guard !value.isNaN else { return value }
        let bits = value.bitPattern
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }
}
