/// Helpers for layers that slide a window over spatial axes (convolutions, pooling) or
/// resize them (padding, cropping, upsampling), in either data format.
///
/// Every size here comes from a file. Arithmetic that could overflow is checked, so that a
/// crafted config makes the layer throw instead of trapping the process.
extension LayerMath {
    /// The spatial rank a class name announces: `Conv2DTranspose` → 2, `MaxPooling3D` → 3,
    /// `AtrousConvolution1D` → 1.
    static func spatialRank(announcedBy className: String) throws -> Int {
        let characters = Array(className)
        for index in characters.indices.dropLast() where characters[index + 1] == "D" {
            if let rank = characters[index].wholeNumberValue, (1...3).contains(rank) { return rank }
        }
        throw LayerConfigError("cannot tell the spatial rank of \(className)")
    }

    /// Indices of the spatial axes of a `rank`-D spatial input, and of its channel axis.
    static func spatialAxes(rank: Int, channelsFirst: Bool) -> (spatial: [Int], channel: Int) {
        channelsFirst ? (Array(2..<(2 + rank)), 1) : (Array(1...rank), rank + 1)
    }

    /// Checks that `input` has a batch axis, `rank` spatial axes and a channel axis.
    static func requireRank(_ input: TensorShape, spatialRank: Int) throws {
        guard input.rank == spatialRank + 2 else {
            throw LayerConfigError("expects a \(spatialRank + 2)-D input, got \(input)")
        }
    }

    /// The value of a `…ReportingOverflow` operation, or an error when it overflowed.
    static func noOverflow(_ result: (partialValue: Int, overflow: Bool)) throws -> Int {
        guard !result.overflow else { throw LayerConfigError("sizes in the config overflow a 64-bit integer") }
        return result.partialValue
    }

    /// The product of `factors`, or `nil` when it does not fit in an `Int`.
    static func checkedProduct(_ factors: [Int]) -> Int? {
        try? factors.reduce(1) { try noOverflow($0.multipliedReportingOverflow(by: $1)) }
    }

    /// The product of `factors`, throwing when it overflows; `what` names it in the message.
    static func product(_ factors: [Int], of what: String) throws -> Int {
        guard let product = checkedProduct(factors) else { throw LayerConfigError("\(what) overflows a 64-bit integer") }
        return product
    }

    /// A weight whose element count fits in an `Int`, so that parameter totals cannot trap.
    static func weight(_ name: String, _ shape: [Int], trainable: Bool = true) throws -> WeightSpec {
        guard checkedProduct(shape) != nil else { throw LayerConfigError("weight '\(name)' \(shape) is too large") }
        return WeightSpec(name, shape, trainable: trainable)
    }

    /// The span of a dilated window: `dilation·(window − 1) + 1`.
    static func dilatedSpan(window: Int, dilation: Int) throws -> Int {
        try noOverflow(noOverflow((window - 1).multipliedReportingOverflow(by: dilation)).addingReportingOverflow(1))
    }

    /// Output length of a convolution or pooling window along one axis, `nil` when the input
    /// length is unknown. With span `k' = dilation·(window − 1) + 1`:
    /// `valid` ⌊(n − k') / s⌋ + 1, `same` and `causal` ⌈n / s⌉, Keras 1's `full` ⌈(n + k' − 1) / s⌉.
    /// Throws when the window does not fit, as Keras does rather than produce an empty axis.
    static func windowOutputLength(_ length: Int?, window: Int, stride: Int, dilation: Int = 1,
                                   padding: String) throws -> Int? {
        guard let length else { return nil }
        let span = try dilatedSpan(window: window, dilation: dilation)
        switch padding {
        case "valid":
            guard length >= span else {
                throw LayerConfigError("a window spanning \(span) does not fit an axis of length \(length)")
            }
            return (length - span) / stride + 1
        case "same", "causal":
            return roundingUpDivision(length, by: stride)
        case "full":
            return roundingUpDivision(try noOverflow(length.addingReportingOverflow(span)) - 1, by: stride)
        default:
            throw LayerConfigError("unknown padding '\(padding)'")
        }
    }

    /// ⌈value / divisor⌉ for a non-negative value, without the overflow of `value + divisor − 1`.
    private static func roundingUpDivision(_ value: Int, by divisor: Int) -> Int {
        value == 0 ? 0 : (value - 1) / divisor + 1
    }

    /// Output length of a transposed convolution along one axis (Keras 3 and tf-keras agree).
    /// With span `k'`: inferred, `valid` (n − 1)·s + max(k', s) and `same` n·s; with an explicit
    /// `output_padding` p, `valid` (n − 1)·s + k' + p and `same` (n − 1)·s + (k' mod 2) + p.
    static func transposedWindowOutputLength(_ length: Int?, window: Int, stride: Int, dilation: Int,
                                             padding: String, outputPadding: Int?) throws -> Int? {
        guard let length else { return nil }
        guard length > 0 else { throw LayerConfigError("a transposed convolution needs a non-empty input axis") }
        let span = try dilatedSpan(window: window, dilation: dilation)
        let stretched = try noOverflow((length - 1).multipliedReportingOverflow(by: stride))
        let tail: Int
        switch (padding, outputPadding) {
        case ("valid", nil): tail = max(span, stride)
        case ("same", nil): tail = stride
        case ("valid", let extra?): tail = try noOverflow(span.addingReportingOverflow(extra))
        case ("same", let extra?): tail = try noOverflow((span % 2).addingReportingOverflow(extra))
        default: throw LayerConfigError("padding '\(padding)' is not valid for a transposed convolution")
        }
        return try noOverflow(stretched.addingReportingOverflow(tail))
    }

    /// `padding` / `cropping` as one (before, after) pair per spatial axis, from any form Keras
    /// wrote: an int for all; one int per axis; a pair per axis; for one axis a bare pair. Keras 1
    /// also wrote ZeroPadding2D as `(top, bottom, left, right)` or a `{top_pad, …}` dictionary and
    /// ZeroPadding1D as `{left_pad, right_pad}` (1.2.2 ZeroPadding1D/2D.__init__).
    static func pairs(_ config: LayerConfig, key: String, spatialRank: Int, default defaultValue: Int) throws -> [(Int, Int)] {
        let pairs = try readPairs(config, key: key, spatialRank: spatialRank, default: defaultValue)
        guard pairs.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw LayerConfigError("'\(key)' must not be negative")
        }
        return pairs
    }

    private static func readPairs(_ config: LayerConfig, key: String, spatialRank: Int,
                                  default defaultValue: Int) throws -> [(Int, Int)] {
        guard let value = config[key], !value.isNull else {
            return Array(repeating: (defaultValue, defaultValue), count: spatialRank)
        }
        if let int = value.intValue { return Array(repeating: (int, int), count: spatialRank) }
        if let object = value.objectValue {
            let names = spatialRank == 1 ? [("left_pad", "right_pad")]
                : [("top_pad", "bottom_pad"), ("left_pad", "right_pad")]
            guard names.count == spatialRank else { throw LayerConfigError("'\(key)' has an unsupported form") }
            return names.map { (object[$0.0]?.intValue ?? 0, object[$0.1]?.intValue ?? 0) }
        }
        guard let items = LayerConfig.unwrapTuple(value)?.arrayValue else {
            throw LayerConfigError("'\(key)' has an unsupported form")
        }
        let ints = items.compactMap(\.intValue)
        if ints.count == items.count {
            if spatialRank == 1, ints.count == 2 { return [(ints[0], ints[1])] }
            if spatialRank == 2, ints.count == 4 { return [(ints[0], ints[1]), (ints[2], ints[3])] }
        }
        guard items.count == spatialRank else {
            throw LayerConfigError("'\(key)' needs \(spatialRank) entries, got \(items.count)")
        }
        return try items.map { item in
            if let int = item.intValue { return (int, int) }
            let pair = try LayerConfig.intList(item, key: key, count: 2)
            return (pair[0], pair[1])
        }
    }
}
