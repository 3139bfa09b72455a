import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `fixtures/generate.py` builds `lint_smells` with Keras, one smell per rule (see its
/// docstring); every rule must fire on the layers that carry it, in both generations.
@Suite struct LintTests {
    static let smells = FixtureFile.all().filter { $0.model == "lint_smells" && $0.file.pathExtension == "h5" }

    @Test(arguments: smells)
    func everyRuleFiresOnItsLayers(_ fixture: FixtureFile) throws {
        let warnings = Linter.lint(try ModelFile.open(fixture.file.path))
        let found = Dictionary(grouping: warnings, by: \.rule).mapValues { $0.map(\.layers) }
        #expect(found[.doubleActivation] == [["dense", "relu_again"]])
        #expect(found[.biasBeforeBatchNorm] == [["biased", "bn_after_bias"]])
        // bn_after_bias -> Dense(softmax) is a classifier head, not a direct softmax: no warning.
        #expect(found[.batchNormBeforeSoftmax] == [["bn_before_softmax", "score_softmax"]])
        #expect(found[.dropoutAtOutput] == [["last_dropout"]])
        #expect(found[.softmaxWithLogitsLoss] == [["probabilities"]])
        #expect(found[.duplicateLayerName] == [["dense", "block/dense"]])
        #expect(CLI.run(["lint", fixture.file.path]).exitCode == ExitCode.problemsFound)
    }

    /// Models without these patterns: no warnings (conv_224 stacks relu convolutions, which
    /// is not a doubled activation).
    @Test(arguments: ["mnist_softmax", "conv_224", "functional_multi_io", "shared_layer"])
    func cleanModelHasNoWarnings(_ model: String) throws {
        let fixture = try #require(FixtureFile.all().first { $0.model == model && $0.file.pathExtension == "h5" })
        #expect(Linter.lint(try ModelFile.open(fixture.file.path)).isEmpty)
        #expect(CLI.run(["lint", fixture.file.path]).exitCode == ExitCode.success)
    }

    @Test func warningsAppearInTheSummary() throws {
        let fixture = try #require(Self.smells.first)
        #expect(CLI.run([fixture.file.path]).standardOutput.contains("lint [dropout-at-output] last_dropout"))
    }

    /// Keras drops unused layers when it builds a model, so this one is a hand-made config.
    @Test func unconnectedLayer() throws {
        let config = #"""
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [null, 3]}, "inbound_nodes": []},
          {"class_name": "Dense", "name": "used", "config": {"name": "used", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]},
          {"class_name": "Dense", "name": "orphan", "config": {"name": "orphan", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["used", 0, 0]]}}
        """#
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lint-orphan-\(UUID().uuidString).json")
        try config.write(to: url, atomically: true, encoding: .utf8)
        let warnings = Linter.lint(try ModelFile.open(url.path))
        #expect(warnings.map(\.rule) == [.unconnectedLayer])
        #expect(warnings.first?.layers == ["orphan"])
    }
}
