import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `dtype_policies` (fixtures/generate.py) has one layer per compute dtype Keras offers:
/// mixed_float16, float16, mixed_bfloat16, float64. The runner must name exactly the layers
/// Keras reports as computing in another dtype than float32, widen its default tolerance to
/// the least precise of them, and still match Keras' outputs and every layer output
/// (InferenceTests runs all formats at that tolerance).
@Suite struct PrecisionTests {
    static let fixtures = InferenceFixture.all().filter { $0.model == "dtype_policies" }

    @Test func everyWriterAndFormatIsCovered() {
        #expect(Self.fixtures.count == 6, "\(Self.fixtures.map(\.testDescription))")
    }

    @Test(arguments: fixtures)
    func reducedPrecisionLayersAreNamedAsKerasReports(_ fixture: InferenceFixture) throws {
        let report = try JSONParser.parse([UInt8](try Data(contentsOf: fixture.file.deletingLastPathComponent()
            .appendingPathComponent("dtype_policies.\(fixture.writer).report.json"))))
        let kerasLayers = (report["layers"]?.arrayValue ?? []).compactMap { layer -> (String, String, String)? in
            guard let policy = layer["dtype_policy"]?.stringValue, let compute = layer["compute_dtype"]?.stringValue,
                  let name = layer["name"]?.stringValue else { return nil }
            return (name, policy, compute)
        }
        #expect(kerasLayers.count == 5)
        let runner = try ModelRunner(try fixture.open())
        #expect(runner.reducedPrecisionLayers.map(\.path) == kerasLayers.map(\.0))
        #expect(runner.reducedPrecisionLayers.map(\.policy) == kerasLayers.map(\.1))
        #expect(runner.reducedPrecisionLayers.map(\.precision.rawValue) == kerasLayers.map(\.2))
        #expect(runner.defaultTolerance == ComputePrecision.bfloat16.defaultTolerance)
    }

    /// The command line says which layers compute at another precision and compares at it.
    @Test func runNamesThePrecisionAndPasses() throws {
        let fixture = try #require(Self.fixtures.first { $0.writer == "keras3" && $0.file.pathExtension == "h5" })
        let result = CLI.run(["run", fixture.file.path, "--input", fixture.inputs.path,
                              "--expected-npz", fixture.outputs.path, "--layers-npz", fixture.layers.path])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("precision: dense_mixed_float16 (mixed_float16)"))
        #expect(result.standardOutput.contains("default tolerance"))
        let summary = CLI.run([fixture.file.path]).standardOutput
        #expect(summary.contains("layers computing in another dtype than float32"), "\(summary)")
        #expect(summary.contains("dense_float64 (float64)"))
    }

    /// A policy whose arithmetic is not implemented (Keras 3's quantized int8 policy) is
    /// refused in one line naming the layer, never computed in float32.
    @Test func quantizedPolicyIsRefused() throws {
        let fixture = try #require(Self.fixtures.first { $0.writer == "keras3" && $0.weights != nil })
        let text = try String(contentsOf: fixture.file, encoding: .utf8)
        #expect(text.contains("\"mixed_bfloat16\""))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect-precision-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = folder.appendingPathComponent("quantized.json")
        try text.replacingOccurrences(of: "\"mixed_bfloat16\"", with: "\"int8_from_float32\"")
            .write(to: json, atomically: true, encoding: .utf8)
        let weights = try #require(fixture.weights)
        let result = CLI.run(["run", json.path, "--weights", weights.path, "--input", fixture.inputs.path])
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardError.contains("dense_mixed_bfloat16"), "\(result.standardError)")
        #expect(result.standardError.contains("int8_from_float32"), "\(result.standardError)")
        #expect(result.standardError.split(separator: "\n").count == 1)
    }
}
