import Foundation
import Testing
@testable import KerasInspect

/// The reference arrays `fixtures/generate.py` stores beside every fixture model agree with
/// the model's own report: one input array per InputLayer, one output array per model output,
/// one layer array per top-level call (or the call listed as skipped), every shape as Keras
/// reported it. `InferenceTests` runs the models against these arrays; this suite keeps a
/// generator change from silently leaving a model without references, or with arrays that
/// belong to another shape.
struct ReferenceFixture: Sendable, CustomTestStringConvertible {
    let directory: URL
    let stem: String

    var testDescription: String { stem }

    /// Every `<model>.<writer>.report.json` in `fixtures/models`.
    static func all() -> [ReferenceFixture] {
        let models = FixturePaths.fixtures.appendingPathComponent("models")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: models.path)) ?? []).sorted()
        return names.flatMap { model in
            FixturePaths.files(in: "models/\(model)", withSuffix: ".report.json").map {
                ReferenceFixture(directory: $0.deletingLastPathComponent(),
                                 stem: String($0.lastPathComponent.dropLast(".report.json".count)))
            }
        }
    }

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func report() throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: url("\(stem).report.json"))))
    }
}

@Suite struct FixtureReferenceTests {
    /// The generator's REFERENCE_TENSOR_LIMIT: no stored layer output is larger.
    static let tensorLimit = 262_144

    /// A report shape (`[null, 32, 32, 3]`) with the reference batch in place of `null`.
    static func shape(_ value: JSONValue?, batch: Int) -> [Int]? {
        guard let dims = value?.arrayValue, !dims.isEmpty else { return nil }
        var result = [batch]
        for dim in dims.dropFirst() {
            guard let size = dim.intValue else { return nil }
            result.append(size)
        }
        return result
    }

    /// The report's `output_shapes` entry of one call: a single shape, or a list of shapes.
    static func callShapes(_ value: JSONValue) -> [JSONValue] {
        guard let items = value.arrayValue else { return [] }
        if let first = items.first, first.arrayValue != nil { return items }
        return [value]
    }

    /// The `.npy` dtype of every member: the generator stores float32 only.
    static func dtypes(of path: String) throws -> [String: String] {
        let archive = try ZipArchive(path: path)
        var result: [String: String] = [:]
        for member in archive.members {
            let header = String(decoding: try archive.data(of: member).prefix(128), as: UTF8.self)
            let descr = header.range(of: "'descr': '").map { header[$0.upperBound...].prefix(3) }
            result[String(member.name.dropLast(4))] = descr.map(String.init) ?? "?"
        }
        return result
    }

    @Test func everyModelAndWriterHasReferences() {
        let fixtures = ReferenceFixture.all()
        #expect(fixtures.count >= 46, "\(fixtures.count) reports")
        for fixture in fixtures {
            for kind in ["inputs", "outputs", "layers"] {
                let name = "\(fixture.stem).\(kind).npz"
                #expect(FileManager.default.fileExists(atPath: fixture.url(name).path), "missing \(name)")
            }
        }
    }

    @Test(arguments: ReferenceFixture.all())
    func referencesMatchTheReport(_ fixture: ReferenceFixture) throws {
        let report = try fixture.report()
        let reference = try #require(report["reference"], "no reference entry in \(fixture.stem).report.json")
        for kind in ["inputs", "outputs", "layers"] {
            #expect(reference[kind]?.stringValue == "\(fixture.stem).\(kind).npz")
        }

        // Inputs: one float32 array per InputLayer, batch 2 (1 for conv_224's big images);
        // token ids stored as float32 are whole numbers.
        let inputs = try NPZ.read(path: fixture.url("\(fixture.stem).inputs.npz").path)
        let reportInputs = report["inputs"]?.arrayValue ?? []
        #expect(inputs.map(\.name).sorted() == reportInputs.compactMap { $0["name"]?.stringValue }.sorted())
        let batch = try #require(inputs.first?.tensor.shape.first)
        #expect(batch == 2 || (batch == 1 && fixture.stem.hasPrefix("conv_224")), "batch \(batch)")
        let inputDtypes = reference["input_dtypes"]?.objectValue
        for input in reportInputs {
            let name = try #require(input["name"]?.stringValue)
            let tensor = try #require(inputs.first { $0.name == name }?.tensor)
            #expect(tensor.shape == Self.shape(input["shape"], batch: batch), "input \(name)")
            #expect(inputDtypes?[name]?.stringValue == input["dtype"]?.stringValue, "input dtype of \(name)")
            if input["dtype"]?.stringValue?.contains("int") == true {
                #expect(tensor.values.allSatisfy { $0 >= 0 && $0.rounded() == $0 }, "token ids of \(name)")
            }
        }

        // Outputs: keyed by the producing layer (`layer/node/tensor` when one layer produces
        // several), in the model's output order.
        let outputs = try NPZ.read(path: fixture.url("\(fixture.stem).outputs.npz").path)
        let reportOutputs = report["outputs"]?.arrayValue ?? []
        let names = reportOutputs.compactMap { $0["name"]?.stringValue }
        let keys = reportOutputs.map { output -> String in
            let name = output["name"]?.stringValue ?? ""
            guard names.filter({ $0 == name }).count > 1 else { return name }
            return (output["keras_history"]?.arrayValue ?? []).map {
                $0.stringValue ?? $0.intValue.map(String.init) ?? "?"
            }.joined(separator: "/")
        }
        #expect(outputs.map(\.name) == keys)
        #expect(reference["keras_predict_outputs"]?.arrayValue?.compactMap(\.stringValue) == keys)
        // Where Keras declares another shape than it computes, the arrays hold what it computed.
        let differing = reference["declared_shape_differs"]?.objectValue ?? JSONObject()
        for (output, entry) in zip(outputs, reportOutputs) {
            let shape = differing[output.name].map { $0["computed"] } ?? entry["shape"]
            #expect(output.tensor.shape == Self.shape(shape, batch: batch), "output \(output.name)")
            if let difference = differing[output.name] {
                #expect(difference["declared"] == entry["shape"], "output \(output.name)")
            }
        }

        // Layers: every call of every top-level layer is stored or listed as skipped, with
        // the shape Keras reported for it.
        var expected: [(key: String, shape: [Int]?)] = []
        for layer in report["layers"]?.arrayValue ?? [] where layer["class_name"]?.stringValue != "InputLayer" {
            let name = layer["name"]?.stringValue ?? ""
            let calls = (layer["output_shapes"]?.arrayValue ?? []).map(Self.callShapes)
            for (node, shapes) in calls.enumerated() {
                for (index, shape) in shapes.enumerated() {
                    let single = calls.count == 1 && shapes.count == 1
                    let key = single ? name : "\(name)/\(node)/\(index)"
                    expected.append((key, Self.shape(differing[key].map { $0["computed"] } ?? shape, batch: batch)))
                }
            }
        }
        let layersPath = fixture.url("\(fixture.stem).layers.npz").path
        let layers = try NPZ.read(path: layersPath)
        let skipped = Set(reference["layers_npz_skipped"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let stored = Dictionary(layers.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        #expect(stored.count == layers.count, "duplicate keys in \(layersPath)")
        #expect(Set(stored.keys).isDisjoint(with: skipped))
        #expect(Set(stored.keys).union(skipped) == Set(expected.map(\.key)))
        #expect(layers.map(\.name) == expected.map(\.key).filter { stored[$0] != nil }, "layers.npz keeps call order")
        for (key, shape) in expected {
            guard let tensor = stored[key] else { continue }
            #expect(tensor.shape == shape, "layer \(key)")
            #expect(tensor.values.count <= Self.tensorLimit, "layer \(key): \(tensor.values.count) values")
        }
        if !stored.isEmpty, let last = keys.last, let output = outputs.last?.tensor, let recorded = stored[last] {
            // The output layer's stored call is what predict returned (same Keras and input; predict
            // and a direct call round differently: 1.6e-5 apart on the earlier MobileNetV2 weights).
            #expect(OutputComparison(name: last, actual: recorded, expected: output, atol: 1e-4, rtol: 1e-4).matches)
        }

        for path in ["inputs", "outputs", "layers"].map({ fixture.url("\(fixture.stem).\($0).npz").path }) {
            for (name, dtype) in try Self.dtypes(of: path) {
                #expect(dtype == "<f4", "\(path): \(name) is \(dtype)")
            }
        }
    }

    /// `residual_net.keras3.altered.h5` is the `.h5` edited in place (same size, other bytes), and
    /// the note names one of its layers; InferenceTests checks that this layer diverges first.
    @Test func alteredFixtureNamesItsLayer() throws {
        let directory = FixturePaths.fixtures.appendingPathComponent("models/residual_net")
        let note = try JSONParser.parse([UInt8](try Data(contentsOf: directory.appendingPathComponent("residual_net.altered.json"))))
        let layer = try #require(note["altered_layer"]?.stringValue)
        #expect(note["file"]?.stringValue == "residual_net.keras3.altered.h5")
        let original = try ModelFile.open(directory.appendingPathComponent("residual_net.keras3.h5").path)
        let altered = try ModelFile.open(directory.appendingPathComponent("residual_net.keras3.altered.h5").path)
        #expect(original.model.layers.contains { $0.name == layer })
        #expect(original.model.layers.count == altered.model.layers.count)
        let originalBytes = try Data(contentsOf: directory.appendingPathComponent("residual_net.keras3.h5"))
        let alteredBytes = try Data(contentsOf: directory.appendingPathComponent("residual_net.keras3.altered.h5"))
        #expect(originalBytes.count == alteredBytes.count && originalBytes != alteredBytes, "edited in place, same layout")
    }
}
