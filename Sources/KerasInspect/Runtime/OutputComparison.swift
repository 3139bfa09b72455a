/// How closely one computed tensor matches a reference, by numpy's `allclose` rule:
/// a value matches when |actual − expected| ≤ atol + rtol · |expected|; NaN matches NaN.
public struct OutputComparison: Sendable, Equatable {
    public var name: String
    public var count: Int
    public var maxAbsoluteError: Float
    /// Largest |actual − expected| / |expected| over values whose expected value is not zero.
    public var maxRelativeError: Float
    public var mismatches: Int
    /// Set when the shapes differ; then nothing else was compared.
    public var shapeMismatch: String?

    public var matches: Bool { shapeMismatch == nil && mismatches == 0 }

    public init(name: String, actual: Tensor, expected: Tensor, atol: Float, rtol: Float) {
        self.name = name
        count = expected.count
        maxAbsoluteError = 0
        maxRelativeError = 0
        mismatches = 0
        shapeMismatch = nil
        guard actual.shape == expected.shape else {
            shapeMismatch = "shape \(Self.text(actual.shape)), expected \(Self.text(expected.shape))"
            mismatches = max(actual.count, expected.count)
            return
        }
        var maxAbsolute: Float = 0, maxRelative: Float = 0, mismatched = 0
        actual.values.withUnsafeBufferPointer { actual in
            expected.values.withUnsafeBufferPointer { expected in
                for index in 0..<expected.count {
                    let a = actual[index], e = expected[index]
                    if a.isNaN || e.isNaN {
                        if a.isNaN != e.isNaN { mismatched += 1; maxAbsolute = .infinity }
                        continue
                    }
                    if a == e { continue }  // equal infinities too
                    let error = abs(a - e)
                    if !(error <= atol + rtol * abs(e)) { mismatched += 1 }
                    if !(error <= maxAbsolute) { maxAbsolute = error }
                    if e != 0, !(error / abs(e) <= maxRelative) { maxRelative = error / abs(e) }
                }
            }
        }
        maxAbsoluteError = maxAbsolute
        maxRelativeError = maxRelative
        mismatches = mismatched
    }

    private static func text(_ shape: [Int]) -> String { TensorShape(shape.map { $0 }).description }

    /// The first recorded layer output (in the order the calls ran) that differs from its
    /// reference under the same rule; layers without a reference are skipped.
    public static func firstDivergence(_ recorded: [LayerOutput], reference: [String: Tensor],
                                       atol: Float, rtol: Float) -> OutputComparison? {
        for output in recorded {
            guard let expected = reference[output.key] else { continue }
            let comparison = OutputComparison(name: output.key, actual: output.value, expected: expected, atol: atol, rtol: rtol)
            if !comparison.matches { return comparison }
        }
        return nil
    }
}
