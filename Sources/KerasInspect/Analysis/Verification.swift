/// One inconsistency between what a layer's config implies and what the file stores.
public struct WeightProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case missing = "missing"
        case unexpected = "unexpected"
        case wrongShape = "wrong-shape"
        case wrongDType = "wrong-dtype"
        case wrongOrder = "wrong-order"
        case notFinite = "not-finite"
        case negativeVariance = "negative-variance"
        case unclaimedGroup = "unclaimed-group"
    }

    public var kind: Kind
    /// `outer/inner` for layers of nested models.
    public var layer: String
    public var weight: String?
    public var expected: String?
    public var actual: String?

    public var description: String {
        var text = "\(layer)"
        if let weight { text += " \(weight)" }
        switch kind {
        case .missing: text += ": missing (expected \(expected ?? "?"))"
        case .unexpected: text += ": unexpected array \(actual ?? "")"
        case .wrongShape: text += ": wrong shape: expected \(expected ?? "?"), stored \(actual ?? "?")"
        case .wrongDType: text += ": wrong dtype: expected \(expected ?? "?"), stored \(actual ?? "?")"
        case .wrongOrder: text += ": stored out of order: expected position \(expected ?? "?"), stored at \(actual ?? "?")"
        case .notFinite: text += ": \(actual ?? "") non-finite values"
        case .negativeVariance: text += ": moving variance has \(actual ?? "") values ≤ 0"
        case .unclaimedGroup: text += ": weight group matches no layer of the model (\(actual ?? ""))"
        }
        return text
    }
}

/// The result of `verify`: every problem found (not only the first), and what was checked.
public struct VerificationReport: Sendable {
    public var problems: [WeightProblem] = []
    /// Layers whose stored arrays were checked against the weights their config implies.
    public var checkedLayers = 0
    /// Arrays whose values were read (NaN/Inf, BatchNormalization variances).
    public var checkedArrays = 0
    /// Layers the catalog does not know: their arrays could not be checked against a config.
    public var uncheckedLayers: [String] = []
    /// Whether the file has an architecture to check the arrays against. A weights-only file
    /// (`save_weights`) or a subclassed model has none: only the values can be checked.
    public var structureChecked = true

    public var isConsistent: Bool { problems.isEmpty }

    /// Nothing at all was checked: no arrays against a config and no values. Saying
    /// "consistent" then would claim a check that never happened.
    public var checkedNothing: Bool { checkedLayers == 0 && checkedArrays == 0 }
}

/// Checks every layer's stored arrays against the weights its config implies: names,
/// shapes, element types and order (a wrong count shows as missing or unexpected arrays); and, when `checkValues` is set, that the values
/// are finite and that BatchNormalization variances are positive.
public enum Verifier {
    public static func verify(_ file: ModelFile, checkValues: Bool = true) throws -> VerificationReport {
        var report = VerificationReport()
        // An architecture-only file has nothing to check against its config.
        guard file.hasStoredWeights else { return report }
        let reader = checkValues ? try StoredWeightReader(file) : nil
        if file.model.structureUnknown {
            // No config to compare with; the values can still be wrong (NaN after a diverged run).
            report.structureChecked = false
            if let reader { try checkArrayValues(of: file.model, prefix: "", reader: reader, into: &report) }
        } else {
            try verify(file.model, prefix: "", reader: reader, into: &report)
        }
        for (group, weights) in file.unclaimedWeightGroups.sorted(by: { $0.key < $1.key }) {
            report.problems.append(WeightProblem(kind: .unclaimedGroup, layer: group, weight: nil, expected: nil,
                                                 actual: "\(weights.count) arrays"))
        }
        return report
    }

    private static func verify(_ model: Model, prefix: String, reader: StoredWeightReader?,
                               into report: inout VerificationReport) throws {
        for layer in model.layers {
            let label = prefix + layer.name
            if let nested = layer.nested {
                try verify(nested, prefix: label + "/", reader: reader, into: &report)
                continue
            }
            guard let expected = layer.expectedWeights else {
                if !layer.storedWeights.isEmpty || layer.kind == nil { report.uncheckedLayers.append(label) }
                continue
            }
            report.checkedLayers += 1
            report.problems += compare(expected: expected, stored: layer.storedWeights, layer: layer, label: label)
            guard let reader else { continue }
            try checkArrayValues(of: layer, label: label, reader: reader, varianceByName: false, into: &report)
        }
    }

    /// Values only, for every stored array of a model without an architecture.
    private static func checkArrayValues(of model: Model, prefix: String, reader: StoredWeightReader,
                                    into report: inout VerificationReport) throws {
        for layer in model.graphLayers {
            if let nested = layer.nested {
                try checkArrayValues(of: nested, prefix: prefix + layer.name + "/", reader: reader, into: &report)
            } else {
                try checkArrayValues(of: layer, label: prefix + layer.name, reader: reader, varianceByName: true, into: &report)
            }
        }
    }

    /// Non-finite values in any array; moving variances ≤ 0 in BatchNormalization layers, or,
    /// with `varianceByName` (no config to name the class), in any array called `moving_variance`.
    private static func checkArrayValues(of layer: Layer, label: String, reader: StoredWeightReader, varianceByName: Bool,
                                    into report: inout VerificationReport) throws {
        let holdsVariances = varianceByName || layer.className == "BatchNormalization"
        for stored in layer.storedWeights where stored.dtype != "string" {
            report.checkedArrays += 1
            let statistics = WeightStatistics(try reader.values(of: stored))
            let nonFinite = statistics.nanCount + statistics.positiveInfinityCount + statistics.negativeInfinityCount
            if nonFinite > 0 {
                report.problems.append(WeightProblem(kind: .notFinite, layer: label, weight: stored.name,
                    expected: nil, actual: "\(nonFinite) (NaN \(statistics.nanCount), +Inf \(statistics.positiveInfinityCount), -Inf \(statistics.negativeInfinityCount))"))
            }
            if holdsVariances, ["moving_variance", "running_std"].contains(stored.shortName),
               let minimum = statistics.minimum, minimum <= 0 {
                let count = try reader.values(of: stored).filter { $0 <= 0 }.count
                report.problems.append(WeightProblem(kind: .negativeVariance, layer: label, weight: stored.name,
                                                     expected: nil, actual: "\(count)"))
            }
        }
    }

    /// Pairs stored arrays with expected weights by variable name, then by position, and
    /// reports what does not fit.
    static func compare(expected: [WeightSpec], stored: [StoredWeight], layer: Layer, label: String) -> [WeightProblem] {
        var problems: [WeightProblem] = []
        let shapeText = { (shape: [Int]) in TensorShape(shape.map { $0 }).description }
        let (pairs, namedPairs, unmatched) = WeightPairing.pair(expected: expected, stored: stored)
        for (index, spec) in expected.enumerated() {
            guard let storedIndex = pairs[index] else {
                problems.append(WeightProblem(kind: .missing, layer: label, weight: spec.name,
                                              expected: shapeText(spec.shape), actual: nil))
                continue
            }
            let array = stored[storedIndex]
            if array.shape != spec.shape {
                problems.append(WeightProblem(kind: .wrongShape, layer: label, weight: array.name,
                                              expected: shapeText(spec.shape), actual: shapeText(array.shape)))
            }
            let expectedDType = spec.dtype ?? layer.variableDType
            if !dtypesCompatible(expected: expectedDType, stored: array.dtype) {
                problems.append(WeightProblem(kind: .wrongDType, layer: label, weight: array.name,
                                              expected: expectedDType, actual: array.dtype))
            }
            if namedPairs[index] != nil, storedIndex != index, stored.count == expected.count {
                problems.append(WeightProblem(kind: .wrongOrder, layer: label, weight: array.name,
                                              expected: "\(index + 1)", actual: "\(storedIndex + 1)"))
            }
        }
        for storedIndex in unmatched {
            let array = stored[storedIndex]
            problems.append(WeightProblem(kind: .unexpected, layer: label, weight: array.name,
                                          expected: nil, actual: shapeText(array.shape)))
        }
        return problems
    }

    /// Float variables may be stored in another float width by mixed-precision or
    /// conversion tools; only a change of kind (integer vs float) is an error.
    static func dtypesCompatible(expected: String, stored: String) -> Bool {
        if expected == stored { return true }
        let floats: Set<String> = ["float16", "float32", "float64", "bfloat16"]
        return floats.contains(expected) && floats.contains(stored)
    }
}
