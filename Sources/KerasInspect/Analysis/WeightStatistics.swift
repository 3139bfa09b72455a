/// Health numbers of one stored array, computed in one pass over its values.
public struct WeightStatistics: Sendable, Equatable {
    public var count = 0
    public var nanCount = 0
    public var positiveInfinityCount = 0
    public var negativeInfinityCount = 0
    public var zeroCount = 0
    /// Over finite values only; `nil` when there are none.
    public var minimum: Double?
    public var maximum: Double?
    public var mean: Double?
    public var standardDeviation: Double?

    /// Values beyond this magnitude suggest diverged training.
    public static let explodingThreshold = 1e3

    public init(_ values: [Float]) {
        count = values.count
        var finiteCount = 0
        var sum = 0.0
        var sumOfSquares = 0.0
        var low = Double.infinity
        var high = -Double.infinity
        for value in values {
            if value.isNaN { nanCount += 1; continue }
            if value == .infinity { positiveInfinityCount += 1; continue }
            if value == -.infinity { negativeInfinityCount += 1; continue }
            if value == 0 { zeroCount += 1 }
            let x = Double(value)
            finiteCount += 1
            sum += x
            sumOfSquares += x * x
            low = min(low, x)
            high = max(high, x)
        }
        guard finiteCount > 0 else { return }
        let average = sum / Double(finiteCount)
        minimum = low
        maximum = high
        mean = average
        standardDeviation = (max(0, sumOfSquares / Double(finiteCount) - average * average)).squareRoot()
    }

    public var zeroFraction: Double { count == 0 ? 0 : Double(zeroCount) / Double(count) }

    /// Every finite value equal (and more than one of them): a weight that never trained or died.
    public var isConstant: Bool { count > 1 && minimum != nil && minimum == maximum && nanCount == 0 }

    public var isExploding: Bool {
        guard let minimum, let maximum else { return false }
        return max(abs(minimum), abs(maximum)) > Self.explodingThreshold
    }

    public var hasNonFinite: Bool { nanCount + positiveInfinityCount + negativeInfinityCount > 0 }
}
