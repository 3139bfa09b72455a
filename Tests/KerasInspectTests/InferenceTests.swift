import Foundation
import Testing
@testable import KerasInspect

/// One fixture model file with the reference arrays Keras computed for it:
/// `<model>.<writer>.inputs.npz` (keyed by input layer), `.outputs.npz` (keyed by output layer)
/// and `.layers.npz` (every top-level layer call, keyed like `LayerOutput.key`), written by
/// `fixtures/generate.py` with the writer's own Keras (`predict`, `training=False`).
struct InferenceFixture: Sendable, CustomTestStringConvertible {
    let model: String
    let writer: String
    let file: URL
    /// The `.weights.h5` paired with an architecture-only `.json`.
    let weights: URL?
    let inputs: URL
    let outputs: URL
    let layers: URL

    var testDescription: String {
        file.lastPathComponent + (weights.map { " + " + $0.lastPathComponent } ?? "")
    }

    /// Every format a model is stored in: full `.h5` and `.keras` files, and `.json` with the
    /// writer's weights-only file.
    static func all() -> [InferenceFixture] {
        var result: [InferenceFixture] = []
        let modelsDirectory = FixturePaths.fixtures.appendingPathComponent("models")
        let models = ((try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []).sorted()
        for model in models {
            let directory = modelsDirectory.appendingPathComponent(model)
            func file(_ name: String) -> URL? {
                let url = directory.appendingPathComponent(name)
                return FileManager.default.fileExists(atPath: url.path) ? url : nil
            }
            for writer in ["keras3", "tfkeras"] {
                let stem = "\(model).\(writer)"
                guard let inputs = file("\(stem).inputs.npz"), let outputs = file("\(stem).outputs.npz"),
                      let layers = file("\(stem).layers.npz") else { continue }
                for suffix in [".h5", ".keras"] {
                    guard let url = file(stem + suffix) else { continue }
                    result.append(InferenceFixture(model: model, writer: writer, file: url, weights: nil,
                                                   inputs: inputs, outputs: outputs, layers: layers))
                }
                if let json = file("\(stem).json"), let weights = file("\(stem).weights.h5") {
                    result.append(InferenceFixture(model: model, writer: writer, file: json, weights: weights,
                                                   inputs: inputs, outputs: outputs, layers: layers))
                }
            }
        }
        return result
    }

    func open() throws -> ModelFile {
        if let weights { return try ModelFile.open(file.path, weights: weights.path) }
        return try ModelFile.open(file.path)
    }
}

@Suite struct InferenceTests {
    static let tolerance: (atol: Float, rtol: Float) = (1e-4, 1e-4)

    @Test func referencesExist() {
        let fixtures = InferenceFixture.all()
        let models = Set(fixtures.map(\.model))
        #expect(models.count >= 20, "reference outputs for \(models.count) models: \(models.sorted())")
        #expect(models.contains("mobilenetv2_035_96"))
        #expect(models.contains("residual_net"))
    }

    @Test(arguments: InferenceFixture.all())
    func outputsMatchKeras(_ fixture: InferenceFixture) throws {
        let file = try fixture.open()
        let inputs = ModelRunner.arrange(try NPZ.read(path: fixture.inputs.path), as: file.model.inputs.map(\.layer))
        let runner = try ModelRunner(file)
        let (outputs, layers) = try runner.run(inputs, recordLayers: true)
        // 1e-4, or the precision of the model's float16/bfloat16 layers (PrecisionTests).
        let tolerance = max(Self.tolerance.atol, runner.defaultTolerance)

        let names = ModelRunner.outputNames(of: file.model)
        let expected = Dictionary(try NPZ.read(path: fixture.outputs.path).map { ($0.name, $0.tensor) },
                                  uniquingKeysWith: { first, _ in first })
        #expect(outputs.count == names.count)
        for (name, output) in zip(names, outputs) {
            guard let reference = expected[name] else {
                Issue.record("no reference for output '\(name)' in \(fixture.outputs.lastPathComponent): \(expected.keys.sorted())")
                continue
            }
            let comparison = OutputComparison(name: name, actual: output, expected: reference,
                                              atol: tolerance, rtol: tolerance)
            #expect(comparison.matches, "output \(name): \(comparison.shapeMismatch ?? "max abs err \(comparison.maxAbsoluteError), \(comparison.mismatches) of \(comparison.count) beyond tolerance")")
        }

        // Every intermediate layer Keras recorded was computed by us, and agrees.
        let reference = Dictionary(try NPZ.read(path: fixture.layers.path).map { ($0.name, $0.tensor) },
                                   uniquingKeysWith: { first, _ in first })
        let recordedKeys = Set(layers.map(\.key))
        let missing = reference.keys.filter { !recordedKeys.contains($0) }.sorted()
        #expect(missing.isEmpty, "layer outputs Keras recorded that the run did not: \(missing)")
        if let divergence = OutputComparison.firstDivergence(layers, reference: reference,
                                                            atol: tolerance, rtol: tolerance) {
            Issue.record("first diverging layer \(divergence.name): \(divergence.shapeMismatch ?? "max abs err \(divergence.maxAbsoluteError), \(divergence.mismatches) of \(divergence.count) beyond tolerance")")
        }
    }

    /// `residual_net.keras3.altered.h5` has one convolution kernel shifted by 0.05; the
    /// comparison with the unaltered model's layer outputs must name that layer first.
    @Test func alteredLayerIsNamedFirst() throws {
        let directory = FixturePaths.fixtures.appendingPathComponent("models/residual_net")
        let note = try JSONParser.parse([UInt8](try Data(contentsOf: directory.appendingPathComponent("residual_net.altered.json"))))
        let altered = try #require(note["altered_layer"]?.stringValue)
        let file = try ModelFile.open(directory.appendingPathComponent("residual_net.keras3.altered.h5").path)
        let inputs = ModelRunner.arrange(try NPZ.read(path: directory.appendingPathComponent("residual_net.keras3.inputs.npz").path),
                                         as: file.model.inputs.map(\.layer))
        let (_, layers) = try ModelRunner(file).run(inputs, recordLayers: true)
        let reference = Dictionary(try NPZ.read(path: directory.appendingPathComponent("residual_net.keras3.layers.npz").path)
            .map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let divergence = try #require(OutputComparison.firstDivergence(layers, reference: reference, atol: 1e-4, rtol: 1e-4))
        #expect(divergence.name == altered)
    }
}
