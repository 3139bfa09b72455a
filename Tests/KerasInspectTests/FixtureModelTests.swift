import Foundation
import Testing
@testable import KerasInspect

/// One saved fixture file and the report Keras wrote for the model it holds.
///
/// `fixtures/generate.py` saves each model with Keras 3 and with tf-keras and writes
/// `<model>.<writer>.report.json` from the live Keras model: per-layer params, output
/// shapes, inbound connections, weights and totals. Every number checked here comes from it.
struct FixtureFile: Sendable, CustomTestStringConvertible {
    let model: String
    let writer: String
    let file: URL
    let report: JSONValue
    /// Keras 3's report of the same model: its inbound lists use one node numbering
    /// (tf-keras counts a nested model's internal node), which is the one we print.
    let keras3Report: JSONValue?

    var testDescription: String { file.lastPathComponent }

    /// Full-model formats; weights-only files are tested on their own.
    static let readableSuffixes = [".h5", ".json", ".keras"]

    static func all() -> [FixtureFile] {
        var result: [FixtureFile] = []
        let modelsDirectory = FixturePaths.fixtures.appendingPathComponent("models")
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []).sorted()
        for model in models {
            let directory = modelsDirectory.appendingPathComponent(model)
            let keras3Report = load(directory.appendingPathComponent("\(model).keras3.report.json"))
            for writer in ["keras3", "tfkeras"] {
                guard let report = load(directory.appendingPathComponent("\(model).\(writer).report.json")) else { continue }
                for suffix in readableSuffixes {
                    let file = directory.appendingPathComponent("\(model).\(writer)\(suffix)")
                    guard FileManager.default.fileExists(atPath: file.path) else { continue }
                    result.append(FixtureFile(model: model, writer: writer, file: file, report: report,
                                              keras3Report: keras3Report))
                }
            }
        }
        return result
    }

    static func load(_ url: URL) -> JSONValue? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONParser.parse([UInt8](data))
    }
}

@Suite struct FixtureModelTests {
    @Test func fixturesExist() {
        let files = FixtureFile.all()
        #expect(files.count >= 20, "expected fixture models in every format, found \(files.count)")
    }

    @Test(arguments: FixtureFile.all())
    func totalsMatchKeras(_ fixture: FixtureFile) throws {
        let file = try ModelFile.open(fixture.file.path)
        let totals = file.model.parameterCount()
        #expect(totals.total == fixture.report["total_params"]?.intValue)
        #expect(totals.trainable == fixture.report["trainable_params"]?.intValue)
        #expect(totals.nonTrainable == fixture.report["non_trainable_params"]?.intValue)
        #expect(file.model.unverifiedLayerNames.isEmpty, "unverified: \(file.model.unverifiedLayerNames)")
    }

    @Test(arguments: FixtureFile.all())
    func layersMatchKeras(_ fixture: FixtureFile) throws {
        let file = try ModelFile.open(fixture.file.path)
        let reportLayers = fixture.report["layers"]?.arrayValue ?? []
        let referenceLayers = fixture.keras3Report?["layers"]?.arrayValue
        compare(file.model, reportLayers, inboundReference: referenceLayers, path: "")
    }

    /// Optimizer state is reported apart from the model's parameters, with Keras' count.
    @Test(arguments: FixtureFile.all().filter { $0.file.pathExtension != "json" })
    func optimizerStateMatchesKeras(_ fixture: FixtureFile) throws {
        let file = try ModelFile.open(fixture.file.path)
        #expect(file.optimizerParameterCount == fixture.report["optimizer_params"]?.intValue)
    }

    @Test(arguments: FixtureFile.all().filter { $0.file.pathExtension != "json" })
    func storedWeightsMatchKeras(_ fixture: FixtureFile) throws {
        let file = try ModelFile.open(fixture.file.path)
        for reportLayer in fixture.report["layers"]?.arrayValue ?? [] {
            let name = reportLayer["name"]?.stringValue ?? ""
            let layer = try #require(file.model.layers.first { $0.name == name })
            let expectedShapes = (reportLayer["weights"]?.arrayValue ?? []).map(Self.intArray)
            let storedShapes = layer.storedWeights.map(\.shape)
            #expect(storedShapes.sorted(by: Self.lexicographic) == expectedShapes.sorted(by: Self.lexicographic),
                    "stored arrays of \(name)")
        }
    }

    private func compare(_ model: Model, _ reportLayers: [JSONValue], inboundReference: [JSONValue]?, path: String) {
        let layers = model.layers
        #expect(layers.map(\.name) == reportLayers.compactMap { $0["name"]?.stringValue }, "layer order of \(path)")
        for reportLayer in reportLayers {
            guard let name = reportLayer["name"]?.stringValue, let layer = layers.first(where: { $0.name == name }) else {
                continue
            }
            let label = path + name
            #expect(layer.className == reportLayer["class_name"]?.stringValue, "class of \(label)")
            let count = layer.parameterCount(enclosingTrainable: model.trainable)
            #expect(count.total == reportLayer["params"]?.intValue, "params of \(label)")
            #expect(count.trainable == reportLayer["trainable_params"]?.intValue, "trainable params of \(label)")
            #expect(count.nonTrainable == reportLayer["non_trainable_params"]?.intValue, "non-trainable params of \(label)")

            let expectedShapes = (reportLayer["output_shapes"]?.arrayValue ?? []).map(Self.shapes)
            let actualShapes = layer.nodes.map { $0.outputShapes ?? [] }
            #expect(actualShapes == expectedShapes, "output shapes of \(label)")

            // Keras 3's numbering of the same layer's calls, unless its graph differs from this
            // file's (tf-keras names its operation layers `tf.math.…`): then the writer's own.
            let names = Set(model.graphLayers.map(\.name))
            let reference = inboundReference?.first { $0["name"]?.stringValue == name }.flatMap { candidate in
                let referenced = (candidate["inbound"]?.arrayValue ?? []).flatMap { $0.arrayValue ?? [] }
                    .compactMap(ModelConfigParser.legacyTriple).map(\.layer)
                return referenced.allSatisfy(names.contains) ? candidate : nil
            } ?? reportLayer
            if path.isEmpty {
                let expectedInbound = (reference["inbound"]?.arrayValue ?? []).map { node in
                    (node.arrayValue ?? []).compactMap(ModelConfigParser.legacyTriple)
                }
                let actualInbound = layer.nodes.map(\.inputs)
                #expect(actualInbound == expectedInbound, "inbound of \(label)")
            }

            if let nested = layer.nested {
                compare(nested, reportLayer["layers"]?.arrayValue ?? [], inboundReference: nil, path: label + "/")
            }
        }
    }

    /// `[null, 10]` → one shape; `[[null, 2], [null, 1]]` → several.
    static func shapes(_ value: JSONValue) -> [TensorShape] {
        guard let array = value.arrayValue else { return [] }
        if array.allSatisfy({ $0.arrayValue != nil }) && !array.isEmpty {
            return array.map { TensorShape(LayerConfig.shapeList($0) ?? []) }
        }
        return [TensorShape(LayerConfig.shapeList(value) ?? [])]
    }

    static func intArray(_ value: JSONValue) -> [Int] {
        (value["shape"]?.arrayValue ?? []).compactMap(\.intValue)
    }

    static func lexicographic(_ a: [Int], _ b: [Int]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
