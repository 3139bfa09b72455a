import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// One file of `fixtures/operations/` with the report Keras wrote beside it
/// (`<model>.<writer>.report.json`: model.layers, the operations, the summary rows with shape,
/// params and connections, the summary text) and its reference inputs and outputs.
struct OperationFixture: Sendable, CustomTestStringConvertible {
    let file: URL
    let weights: URL?
    let stem: String

    var testDescription: String { file.lastPathComponent }
    var model: String { String(stem.prefix { $0 != "." }) }
    func sibling(_ suffix: String) -> URL { OperationTests.folder.appendingPathComponent(stem + suffix) }

    func report() throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: sibling(".report.json"))))
    }

    func open() throws -> ModelFile {
        if let weights { return try ModelFile.open(file.path, weights: weights.path) }
        return try ModelFile.open(file.path)
    }

    /// Every stored form of every model with a report: `.h5`, `.keras`, and `.json` with its
    /// `.weights.h5`.
    static func all() -> [OperationFixture] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: OperationTests.folder.path)) ?? []).sorted()
        var result: [OperationFixture] = []
        for report in names where report.hasSuffix(".report.json") {
            let stem = String(report.dropLast(".report.json".count))
            for suffix in [".h5", ".keras", ".json"] where names.contains(stem + suffix) {
                let url = OperationTests.folder.appendingPathComponent(stem + suffix)
                let weights = suffix == ".json" ? OperationTests.folder.appendingPathComponent(stem + ".weights.h5") : nil
                result.append(OperationFixture(file: url, weights: weights, stem: stem))
            }
        }
        return result
    }
}

/// `fixtures/operations.py`: Keras 3 `keras.ops` nodes and tf-keras TFOpLambda /
/// SlicingOpLambda layers. Keras 3's `.h5` stores `x + 3.0` as class `Add` without the module
/// that marks an operation, which must not make it the merge layer of the same name. Every
/// operation is a row of the summary as Keras prints it; `run` computes the ones
/// `OperationCatalog` knows and refuses any other in one line.
@Suite struct OperationTests {
    static let folder = FixturePaths.fixtures.appendingPathComponent("operations")

    @Test func fixturesExist() {
        let files = Set(OperationFixture.all().map(\.file.lastPathComponent))
        for name in ["ops_graph.keras3.h5", "ops_graph.keras3.keras", "ops_graph.keras3.json", "ops_graph.tfkeras.h5",
                     "ops_graph.tfkeras.json", "scalar_operations.keras3.h5", "unknown_operation.tfkeras.h5"] {
            #expect(files.contains(name), "\(name) missing from \(files.sorted())")
        }
    }

    @Test(arguments: OperationFixture.all())
    func operationsAreNotTakenForLayers(_ fixture: OperationFixture) throws {
        let report = try fixture.report()
        let file = try fixture.open()
        #expect(file.model.layers.map(\.name) == report["layers"]?.arrayValue?.compactMap(\.stringValue))
        let operations = file.model.graphLayers.filter(\.isOperation).map(\.name)
        #expect(operations == report["operations"]?.arrayValue?.compactMap(\.stringValue))
        #expect(file.model.parameterCount().total == report["params"]?.intValue)
    }

    /// Names, classes, output shapes, params and connections of every row, in Keras' order,
    /// in the text summary's rows and in `summary --format json`; the layout (with or
    /// without `Connected to`) is Keras'. Only an unknown operation, and what it feeds when
    /// no shape was recorded, may lack a shape, and then it is marked unverified.
    @Test(arguments: OperationFixture.all())
    func summaryRowsMatchKeras(_ fixture: OperationFixture) throws {
        let report = try fixture.report()
        let expected = try #require(report["summary_rows"]?.arrayValue)
        let file = try fixture.open()
        let summary = ModelSummary(file)
        let json = SummaryJSONRenderer.document(file)["layers"]?.arrayValue ?? []
        let knowsEveryOperation = fixture.model != "unknown_operation"
        #expect(summary.rows.map(\.name) == expected.compactMap { $0["name"]?.stringValue })
        #expect(json.compactMap { $0["name"]?.stringValue } == expected.compactMap { $0["name"]?.stringValue })
        #expect(summary.isSequentialLike == !(report["summary"]?.stringValue ?? "").contains("Connected to"))
        for (index, keras) in expected.enumerated() where index < summary.rows.count && index < json.count {
            let row = summary.rows[index]
            let name = row.name
            #expect(row.className == keras["class_name"]?.stringValue, "\(name)")
            #expect(json[index]["class_name"] == keras["class_name"], "\(name)")
            #expect(row.parameters.total == keras["params"]?.intValue, "\(name)")
            #expect(json[index]["params"] == keras["params"], "\(name)")
            let connections = row.connectedTo.map { JSONValue.array([.string($0.layer), .number(Double($0.node)), .number(Double($0.tensor))]) }
            #expect(JSONValue.array(connections) == keras["connected_to"], "\(name)")
            if let shapes = row.outputShapes {
                #expect(SummaryJSONRenderer.outputShapeValue(shapes) == keras["output_shape"], "\(name)")
                #expect(json[index]["output_shape"] == keras["output_shape"], "\(name)")
            } else {
                #expect(!knowsEveryOperation, "\(name) has no shape")
                #expect(!row.verified, "\(name) has no shape but is marked verified")
            }
            if knowsEveryOperation { #expect(row.verified, "\(name)") }
        }
        if !knowsEveryOperation {
            let unknown = try #require(summary.rows.first { $0.className == "Sin" || $0.name == "tf.math.sin" })
            #expect(!unknown.verified)
            #expect(SummaryTextRenderer.render(summary).contains("0 *"))
        }
    }

    /// `run` computes every operation and reproduces Keras' `predict` within 1e-4.
    @Test(arguments: OperationFixture.all().filter { $0.model != "unknown_operation" })
    func runReproducesKeras(_ fixture: OperationFixture) throws {
        let file = try fixture.open()
        let inputs = ModelRunner.arrange(try NPZ.read(path: fixture.sibling(".inputs.npz").path),
                                         as: file.model.inputs.map(\.layer))
        let outputs = try ModelRunner(file).run(inputs).outputs
        let expected = Dictionary(try NPZ.read(path: fixture.sibling(".outputs.npz").path).map { ($0.name, $0.tensor) },
                                  uniquingKeysWith: { first, _ in first })
        let names = ModelRunner.outputNames(of: file.model)
        #expect(outputs.count == names.count)
        for (name, output) in zip(names, outputs) {
            let reference = try #require(expected[name], "no reference for \(name)")
            let comparison = OutputComparison(name: name, actual: output, expected: reference, atol: 1e-4, rtol: 1e-4)
            #expect(comparison.matches, "\(name): \(comparison.shapeMismatch ?? "max abs err \(comparison.maxAbsoluteError)")")
        }
    }

    /// An operation outside `OperationCatalog` (sin) is refused in one line naming it.
    @Test(arguments: OperationFixture.all().filter { $0.model == "unknown_operation" })
    func unknownOperationIsRefused(_ fixture: OperationFixture) throws {
        let result = CLI.run(["run", fixture.file.path, "--input", fixture.sibling(".inputs.npz").path])
        #expect(result.exitCode == ExitCode.unreadableInput, "\(result.standardOutput)")
        #expect(result.standardError.contains("does not implement the operation"), "\(result.standardError)")
        #expect(result.standardError.contains("Sin") || result.standardError.contains("math.sin"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    /// At batch 3, `dense + bias` is (3, 3) + (3, 1), which Keras 3's TensorFlow add computes
    /// as a bias add along the last axis (keras/src/backend/tensorflow/numpy.py `add`; seen
    /// in Keras' own outputs at batch 3, which is why fixtures/operations.py uses batch 2):
    /// `run` refuses it in one line instead of broadcasting to another answer. tf-keras'
    /// TFOpLambda broadcasts, so its twin runs.
    @Test func keras3BiasAddShortcutIsRefused() throws {
        let features = Tensor(shape: [3, 4], values: (0..<12).map { Float($0) / 12 })
        let tokens = Tensor(shape: [3, 5], values: (0..<15).map { Float($0 % 4) })
        let refused = try ModelFile.open(Self.folder.appendingPathComponent("ops_graph.keras3.keras").path)
        #expect(throws: RuntimeError.self) { try ModelRunner(refused).run([features, tokens]) }
        do {
            _ = try ModelRunner(refused).run([features, tokens])
        } catch let error as RuntimeError {
            #expect(error.message.contains("bias add"), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
        let twin = try ModelFile.open(Self.folder.appendingPathComponent("ops_graph.tfkeras.h5").path)
        // The output's width as Keras' summary of the twin reports it, at batch 3.
        let report = try JSONParser.parse([UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("ops_graph.tfkeras.report.json"))))
        let width = try #require(report["summary_rows"]?.arrayValue?.last?["output_shape"]?.arrayValue?.last?.intValue)
        #expect(try ModelRunner(twin).run([features, tokens]).outputs.first?.shape == [3, width])
    }

    func folder(writing tensors: [Tensor]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ops-input-\(UUID().uuidString).npy").path
        try? NPY.write(tensors[0], to: path)
        return path
    }
}
