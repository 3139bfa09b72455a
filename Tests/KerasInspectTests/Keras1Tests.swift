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

    @Test func casesExist() { #expect(Self.cases.count == 5) }

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

    /// Keras 0.x `save_weights` (`nb_layers`, `layer_<k>/param_<i>`), written with h5py from
    /// keras1_mlp_tf's arrays: alone it lists its groups; with an architecture its groups are
    /// the layers by position (Keras 1's legacy loader), so it verifies and runs like that file.
    @Test func keras0WeightsPairByPosition() throws {
        let directory = FixturePaths.fixtures.appendingPathComponent("keras1")
        let weights = directory.appendingPathComponent("keras0_mlp_weights.h5").path
        let architecture = directory.appendingPathComponent("keras1_mlp_tf.h5").path
        let report = try #require(FixtureFile.load(directory.appendingPathComponent("keras1_mlp_tf.report.json")))

        let alone = try ModelFile.open(weights)
        #expect(alone.format == .keras0WeightsHDF5)
        #expect(alone.model.layers.map(\.name) == ["layer_0", "layer_1", "layer_2"])
        #expect(alone.model.parameterCount().total == report["total_params"]?.intValue)

        let paired = try ModelFile.open(architecture, weights: weights)
        #expect(paired.model.parameterCount().total == report["total_params"]?.intValue)
        #expect(CLI.run(["verify", architecture, "--weights", weights]).exitCode == ExitCode.success)

        let stem = directory.appendingPathComponent("keras1_mlp_tf").path
        let inputs = try NPZ.read(path: stem + ".inputs.npz").map(\.tensor)
        let expected = try NPZ.read(path: stem + ".outputs.npz").map(\.tensor)
        let outputs = try ModelRunner(paired).run(inputs).outputs
        let comparison = OutputComparison(name: "dense_2", actual: outputs[0], expected: expected[0], atol: 1e-4, rtol: 1e-4)
        #expect(comparison.matches, "max abs err \(comparison.maxAbsoluteError)")

        // A model with another layer count is refused, as Keras 1 refused it.
        let merge = directory.appendingPathComponent("keras1_functional_merge.h5").path
        #expect(throws: KerasInspectError.self) { try ModelFile.open(merge, weights: weights) }
    }

    /// Theano's conv2d flipped its kernels; `--theano-kernels` reproduces the outputs Keras
    /// computes with the flipped kernels (`keras1_cnn_th.theano.outputs.npz`).
    @Test func theanoKernelsAreFlipped() throws {
        let stem = FixturePaths.fixtures.appendingPathComponent("keras1/keras1_cnn_th").path
        let file = try ModelFile.open(stem + ".h5")
        let inputs = try NPZ.read(path: stem + ".inputs.npz").map(\.tensor)
        let flipped = try NPZ.read(path: stem + ".theano.outputs.npz").map(\.tensor)
        let plain = try NPZ.read(path: stem + ".outputs.npz").map(\.tensor)
        let outputs = try ModelRunner(file, theanoKernels: true).run(inputs).outputs
        #expect(OutputComparison(name: "dense_1", actual: outputs[0], expected: flipped[0], atol: 1e-4, rtol: 1e-4).matches)
        #expect(!OutputComparison(name: "dense_1", actual: outputs[0], expected: plain[0], atol: 1e-4, rtol: 1e-4).matches)
        let result = CLI.run(["run", stem + ".h5", "--input", stem + ".inputs.npz", "--theano-kernels",
                              "--expected-npz", stem + ".theano.outputs.npz"])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)\(result.standardError)")
    }
}
