import Foundation
import Testing
@testable import KerasInspect

/// Single-layer forward truth tables written by `fixtures/forward_cases/*.py` from real Keras:
/// a layer config, its inputs, its weights (`layer.get_weights()`, Keras' order) and the outputs
/// Keras computed with `training=False`. The layer's forward pass must reproduce them.
struct ForwardCase: Sendable, CustomTestStringConvertible {
    let file: String
    let id: String
    let className: String
    let config: JSONObject
    let inputs: [Tensor]
    let weights: [Tensor]
    /// Variable names as Keras lists them (`kernel`, `lstm_cell/bias`), paired like stored arrays.
    let weightNames: [String]
    let outputs: [Tensor]
    let atol: Float
    let rtol: Float

    var testDescription: String { "\(file) \(id)" }

    static func all() -> [ForwardCase] {
        var cases: [ForwardCase] = []
        for url in FixturePaths.files(in: "forward_cases", withSuffix: ".json") {
            guard let data = try? Data(contentsOf: url), let document = try? JSONParser.parse([UInt8](data)) else {
                Issue.record("cannot parse \(url.lastPathComponent)")
                continue
            }
            for entry in document["cases"]?.arrayValue ?? [] {
                cases.append(ForwardCase(
                    file: url.lastPathComponent,
                    id: entry["id"]?.stringValue ?? "?",
                    className: entry["class_name"]?.stringValue ?? "",
                    config: entry["config"]?.objectValue ?? JSONObject(),
                    inputs: tensors(entry["inputs"]),
                    weights: tensors(entry["weights"]),
                    weightNames: (entry["weights"]?.arrayValue ?? []).map { $0["name"]?.stringValue ?? "" },
                    outputs: tensors(entry["outputs"]),
                    atol: Float(entry["atol"]?.doubleValue ?? 1e-4),
                    rtol: Float(entry["rtol"]?.doubleValue ?? 1e-4)))
            }
        }
        return cases
    }

    /// `[{"shape": [...], "values": [...], "mask": [...]?}]`; values flattened in C order.
    private static func tensors(_ value: JSONValue?) -> [Tensor] {
        (value?.arrayValue ?? []).map { item in
            let shape = (item["shape"]?.arrayValue ?? []).compactMap(\.intValue)
            let values = (item["values"]?.arrayValue ?? []).map { Float($0.doubleValue ?? .nan) }
            let mask = item["mask"]?.arrayValue.map { $0.map { $0.boolValue ?? true } }
            return Tensor(shape: shape, values: values, mask: mask)
        }
    }
}

/// Largest absolute difference, and whether every value is within `atol + rtol · |expected|`
/// (NaN equals NaN).
func closeness(_ actual: Tensor, _ expected: Tensor, atol: Float, rtol: Float) -> (maxError: Float, close: Bool) {
    guard actual.shape == expected.shape else { return (.infinity, false) }
    var maxError: Float = 0
    var close = true
    for (a, e) in zip(actual.values, expected.values) {
        if a.isNaN && e.isNaN { continue }
        let error = abs(a - e)
        if !(error <= atol + rtol * abs(e)) { close = false }
        if error > maxError || error.isNaN { maxError = error.isNaN ? .infinity : error }
    }
    return (maxError, close)
}

@Suite struct ForwardCaseTests {
    @Test func truthTablesExist() {
        #expect(ForwardCase.all().count > 0)
    }

    @Test(arguments: ForwardCase.all())
    func forwardMatchesKeras(_ forwardCase: ForwardCase) throws {
        let config = LayerConfig(className: forwardCase.className, object: forwardCase.config)
        let kind = try #require(try LayerCatalog.standard.makeLayer(config), "\(forwardCase.className) is not in the catalog")
        // Weights reach the layer as the runtime binds them: in expectedWeights order, paired by name.
        let inputShapes = forwardCase.inputs.map { TensorShape([nil] + $0.shape.dropFirst().map { $0 }) }
        let expected = try kind.expectedWeights(for: inputShapes)
        let stored = zip(forwardCase.weightNames, forwardCase.weights).map {
            StoredWeight(name: $0.0, path: $0.0, shape: $0.1.shape, dtype: "float32")
        }
        let (pairs, _, unmatched) = WeightPairing.pair(expected: expected, stored: stored)
        #expect(unmatched.isEmpty, "Keras weights the catalog does not expect")
        let weights = try pairs.enumerated().map { index, pair in
            let storedIndex = try #require(pair, "no Keras weight for \(expected[index].name)")
            return try forwardCase.weights[storedIndex].reshaped(expected[index].shape)
        }
        let outputs = try kind.forward(forwardCase.inputs, weights: weights)
        #expect(outputs.count == forwardCase.outputs.count, "output count")
        for (index, (actual, expected)) in zip(outputs, forwardCase.outputs).enumerated() {
            #expect(actual.shape == expected.shape, "output \(index) shape")
            let (maxError, close) = closeness(actual, expected, atol: forwardCase.atol, rtol: forwardCase.rtol)
            #expect(close, "output \(index): max abs error \(maxError)")
        }
    }
}
