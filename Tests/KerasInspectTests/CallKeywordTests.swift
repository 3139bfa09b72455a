import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// Keyword arguments stored with each call, on `fixtures/models/call_keywords` (Keras 3 and
/// tf-keras): honoured ones reach the layer (InferenceTests compares the outputs with Keras'),
/// anything else makes `run` refuse in one line. The refusals are checked on copies of the
/// Keras-written JSON with one keyword changed, since Keras itself never writes an unknown one.
@Suite("Call keywords")
struct CallKeywordTests {
    static let folder = FixturePaths.fixtures.appendingPathComponent("models/call_keywords")

    @Test(arguments: ["keras3", "tfkeras"])
    func keywordsAreKeptOnEveryNode(_ writer: String) throws {
        let file = try ModelFile.open(Self.folder.appendingPathComponent("call_keywords.\(writer).keras").path)
        let causal = try #require(file.model.layer(named: "causal_mha")?.nodes.first)
        #expect(causal.keywords["use_causal_mask"]?.boolValue == true)
        #expect(causal.tensorKeywords == ["value"])
        let scored = try #require(file.model.layer(named: "scored_mha")?.nodes.first)
        #expect(scored.keywords["return_attention_scores"]?.boolValue == true)
        #expect(scored.outputShapes?.count == 2)
        let dropout = try #require(file.model.layer(named: "dropout")?.nodes.first)
        #expect(dropout.keywords["training"]?.boolValue == false)
    }

    /// The causal mask, both score outputs and `value=` by name, against Keras' outputs
    /// (`--expected` given the `.npz` Keras wrote).
    @Test(arguments: ["keras3", "tfkeras"])
    func honouredKeywordsRunLikeKeras(_ writer: String) throws {
        let stem = Self.folder.appendingPathComponent("call_keywords.\(writer)").path
        let result = CLI.run(["run", stem + ".keras", "--input", stem + ".inputs.npz", "--expected", stem + ".outputs.npz"])
        #expect(result.exitCode == ExitCode.success, "\(result.standardError)")
        let rows = result.standardOutput.split(separator: "\n").filter { $0.hasSuffix(" ok") }
        #expect(rows.count == 3, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("(2, 2, 5, 6)"), "the scores Keras computes: (batch, heads, Tq, Tk)")
    }

    /// The Keras-written JSON with `replace` applied, run on Keras' inputs and weights.
    func runEdited(_ writer: String, replacing target: String, with replacement: String) throws -> CommandResult {
        let stem = Self.folder.appendingPathComponent("call_keywords.\(writer)").path
        let original = try String(contentsOfFile: stem + ".json", encoding: .utf8)
        #expect(original.contains(target), "\(writer) JSON has no \(target)")
        let edited = FileManager.default.temporaryDirectory.appendingPathComponent("keywords-\(UUID().uuidString).json").path
        try original.replacingOccurrences(of: target, with: replacement).write(toFile: edited, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: edited) }
        return CLI.run(["run", edited, "--weights", stem + ".weights.h5", "--input", stem + ".inputs.npz"])
    }

    @Test(arguments: ["keras3", "tfkeras"])
    func trainingTrueIsRefused(_ writer: String) throws {
        let result = try runEdited(writer, replacing: #""training": false"#, with: #""training": true"#)
        #expect(result.exitCode == ExitCode.unreadableInput, "\(result.standardOutput)")
        #expect(result.standardError.contains("layer 'dropout' (Dropout) is called with training=true"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)

        let stem = Self.folder.appendingPathComponent("call_keywords.\(writer)").path
        let edited = FileManager.default.temporaryDirectory.appendingPathComponent("keywords-\(UUID().uuidString).json").path
        try String(contentsOfFile: stem + ".json", encoding: .utf8)
            .replacingOccurrences(of: #""training": false"#, with: #""training": true"#)
            .write(toFile: edited, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: edited) }
        let summary = CLI.run([edited])
        #expect((summary.standardOutput + summary.standardError)
            .contains("calls `run` refuses (keyword arguments kerasinspect does not implement): dropout (Dropout) is called with training=true"))
    }

    @Test(arguments: [("keras3", #""kwargs": {"value": {"#, #""kwargs": {"attention_mask": {"#),
                      ("tfkeras", #"{"value": ["tokens", 0, 0]"#, #"{"attention_mask": ["tokens", 0, 0]"#)])
    func unknownTensorKeywordIsRefused(_ writer: String, _ target: String, _ replacement: String) throws {
        let result = try runEdited(writer, replacing: target, with: replacement)
        #expect(result.exitCode == ExitCode.unreadableInput, "\(result.standardOutput)")
        #expect(result.standardError.contains("'causal_mha' (MultiHeadAttention) is passed a tensor as attention_mask="),
                "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    @Test(arguments: ["keras3", "tfkeras"])
    func unknownConfigKeyIsNamedAndRefused(_ writer: String) throws {
        let target = #""name": "dot_attention", "trainable": true"#
        let replacement = #""name": "dot_attention", "future_option": 3, "trainable": true"#
        let result = try runEdited(writer, replacing: target, with: replacement)
        #expect(result.exitCode == ExitCode.unreadableInput, "\(result.standardOutput)")
        #expect(result.standardError.contains("layer 'dot_attention' (Attention) has config future_option=3"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)

        let stem = Self.folder.appendingPathComponent("call_keywords.\(writer)").path
        let edited = FileManager.default.temporaryDirectory.appendingPathComponent("keywords-\(UUID().uuidString).json").path
        try String(contentsOfFile: stem + ".json", encoding: .utf8).replacingOccurrences(of: target, with: replacement)
            .write(toFile: edited, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: edited) }
        let file = try ModelFile.open(edited)
        #expect(file.model.layer(named: "dot_attention")?.unhonouredConfigKeys == ["future_option"])
        let summary = CLI.run([edited])
        #expect(summary.standardOutput.contains("config keys kerasinspect does not understand")
                || summary.standardError.contains("config keys kerasinspect does not understand"))
        #expect((summary.standardOutput + summary.standardError).contains("dot_attention (Attention) future_option"))
    }
}
