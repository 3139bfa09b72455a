import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// Keras 1.2.2 files written with h5py in the historical layout (`fixtures/keras1.py`, which
/// cites the Keras 1 source for every detail) and what Keras 1 would report for them.
@Suite struct Keras1Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: URL
        let report: JSONValue
        var testDescription: String { file.lastPathComponent }
    }

    static let cases: [Case] = FixturePaths.files(in: "keras1", withSuffix: ".h5").compactMap { url in
        let reportURL = url.deletingPathExtension().appendingPathExtension("report.json")
        return FixtureFile.load(reportURL).map { Case(file: url, report: $0) }
    }

    @Test func casesExist() { #expect(Self.cases.count == 4) }

    @Test(arguments: cases)
    func summaryMatchesKeras1(_ keras1Case: Case) throws {
        let file = try ModelFile.open(keras1Case.file.path)
        #expect(file.format == .keras1HDF5)
        let totals = file.model.parameterCount()
        #expect(totals.total == keras1Case.report["total_params"]?.intValue)
        #expect(totals.nonTrainable == keras1Case.report["non_trainable_params"]?.intValue)
        let layers = file.model.layers
        let expected = keras1Case.report["layers"]?.arrayValue ?? []
        #expect(layers.map(\.name) == expected.compactMap { $0["name"]?.stringValue })
        for (layer, row) in zip(layers, expected) {
            #expect(layer.className == row["class_name"]?.stringValue)
            #expect(layer.parameterCount().total == row["params"]?.intValue, "params of \(layer.name)")
            let shape = TensorShape(LayerConfig.shapeList(row["output_shape"] ?? .null) ?? [])
            #expect(layer.displayedOutputShapes == [shape], "output shape of \(layer.name)")
        }
    }

    /// th-ordered kernels, per-gate LSTM/GRU arrays and `running_std` are Keras 1's layouts,
    /// not problems.
    @Test(arguments: cases)
    func storedArraysFitTheKeras1Layouts(_ keras1Case: Case) throws {
        let result = CLI.run(["verify", keras1Case.file.path])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)")
    }

    /// Keras 1 files run like Keras ran them: references from tf-keras on an equivalent model
    /// holding the same arrays, converted as Keras 2's loader converted Keras 1 files
    /// (`fixtures/keras1_reference.py`).
    @Test(arguments: cases)
    func runsLikeKeras(_ keras1Case: Case) throws {
        let stem = keras1Case.file.deletingPathExtension().path
        let file = try ModelFile.open(keras1Case.file.path)
        let inputs = ModelRunner.arrange(try NPZ.read(path: stem + ".inputs.npz"), as: file.model.inputs.map(\.layer))
        let (outputs, layers) = try ModelRunner(file).run(inputs, recordLayers: true)
        let expected = ModelRunner.arrange(try NPZ.read(path: stem + ".outputs.npz"), as: ModelRunner.outputNames(of: file.model))
        #expect(outputs.count == expected.count)
        for (output, reference) in zip(outputs, expected) {
            let comparison = OutputComparison(name: "output", actual: output, expected: reference, atol: 1e-4, rtol: 1e-4)
            #expect(comparison.matches, "\(comparison.shapeMismatch ?? "max abs err \(comparison.maxAbsoluteError)")")
        }
        let reference = Dictionary(try NPZ.read(path: stem + ".layers.npz").map { ($0.name, $0.tensor) },
                                   uniquingKeysWith: { first, _ in first })
        #expect(Set(layers.map(\.key)).isSuperset(of: reference.keys))
        let divergence = OutputComparison.firstDivergence(layers, reference: reference, atol: 1e-4, rtol: 1e-4)
        #expect(divergence == nil, "first diverging layer \(divergence?.name ?? ""): \(divergence?.shapeMismatch ?? "max abs err \(divergence?.maxAbsoluteError ?? 0)")")
    }
}
