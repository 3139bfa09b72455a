import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `explain` on the models from the questions this project started with. Every number
/// checked comes from Keras' report of the same model.
@Suite struct ExplainTests {
    private func explain(_ model: String) throws -> (text: String, report: JSONValue) {
        let fixture = try #require(FixtureFile.all().first { $0.model == model && $0.writer == "keras3" && $0.file.pathExtension == "h5" })
        let result = CLI.run(["explain", fixture.file.path])
        #expect(result.exitCode == 0)
        return (result.standardOutput, fixture.report)
    }

    private func line(_ text: String, layer: String) -> String {
        text.split(separator: "\n").first { $0.hasPrefix("\(layer) (") }.map(String.init) ?? ""
    }

    private func grouped(_ value: JSONValue?) -> String { SummaryTextRenderer.grouped(value?.intValue ?? -1) }

    @Test(arguments: ["mnist_softmax", "bn_dense_1120", "dense_514_regularized", "conv_224"])
    func everyLayerLineEndsInKerasCount(_ model: String) throws {
        let (text, report) = try explain(model)
        for layer in report["layers"]?.arrayValue ?? [] {
            let name = try #require(layer["name"]?.stringValue)
            let params = layer["params"]?.intValue ?? -1
            let lineText = line(text, layer: name)
            if params == 0 {
                #expect(lineText.contains("no parameters"), "\(lineText)")
            } else {
                #expect(lineText.contains("= \(grouped(layer["params"]))"), "\(lineText)")
                for weight in layer["weights"]?.arrayValue ?? [] {
                    let dims = (weight["shape"]?.arrayValue ?? []).compactMap(\.intValue)
                    let term = dims.count > 1 ? dims.map(String.init).joined(separator: "×") : SummaryTextRenderer.grouped(dims.first ?? 0)
                    #expect(lineText.contains(term), "\(term) in \(lineText)")
                }
            }
        }
        #expect(text.contains("Total params \(grouped(report["total_params"])) = trainable \(grouped(report["trainable_params"])) + non-trainable \(grouped(report["non_trainable_params"]))"))
    }

    @Test func convolutionFormulaAndOutputShape() throws {
        let (text, report) = try explain("conv_224")
        let first = try #require(report["layers"]?.arrayValue?.first)
        let lineText = line(text, layer: "conv2d")
        let kernel = (first["weights"]?.arrayValue?.first?["shape"]?.arrayValue ?? []).compactMap(\.intValue)
        // kernel (kh, kw, cin, filters): the formula reads filters × (cin × kh·kw + 1).
        #expect(lineText.contains("[= \(kernel[3]) filters × (\(kernel[2]) × \(kernel[0])·\(kernel[1]) + 1)]"))
        let shape = FixtureModelTests.shapes(first["output_shapes"]?.arrayValue?.first ?? .null)
        #expect(lineText.contains("output \(shape[0])"))
    }

    @Test func batchNormalizationSplitIsExplained() throws {
        let (text, report) = try explain("bn_dense_1120")
        let bn = try #require(report["layers"]?.arrayValue?.first { $0["class_name"]?.stringValue == "BatchNormalization" })
        let size = bn["weights"]?.arrayValue?.first?["shape"]?.arrayValue?.first?.intValue ?? -1
        let name = try #require(bn["name"]?.stringValue)
        #expect(line(text, layer: name).contains("[= 4 × \(SummaryTextRenderer.grouped(size))]"))
        #expect(text.contains("trainable: gamma \(size) + beta \(size); non-trainable: moving_mean \(size) + moving_variance \(size) (updated from batch statistics, not by gradients)"))
    }

    @Test func sharedAndNestedLayersAreExplained() throws {
        let (shared, _) = try explain("shared_layer")
        #expect(shared.contains("called 2 times; its weights are shared, so they are counted once"))
        let (nested, report) = try explain("nested_models")
        let inner = try #require(report["layers"]?.arrayValue?.first { $0["name"]?.stringValue == "inner_seq" })
        #expect(line(nested, layer: "inner_seq").contains("= \(grouped(inner["params"]))"))
        #expect(nested.contains("a nested Sequential model: the sum of its"))
    }

    @Test func explainsLSTMGatesAndGRUResetAfter() throws {
        let (text, _) = try explain("rnn_text")
        #expect(line(text, layer: "lstm").contains("[= 4 gates × 16 units × (32 inputs + 16 recurrent + 1 bias)]"))
        #expect(line(text, layer: "gru").contains("[= 3 gates × 8 units × (16 inputs + 8 recurrent + 2 biases)]"))
    }
}
