import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `kerasinspect run` end to end on residual_net and the references Keras wrote for it.
@Suite struct RunCommandTests {
    static let directory = FixturePaths.fixtures.appendingPathComponent("models/residual_net").path
    static func path(_ name: String) -> String { directory + "/" + name }

    @Test func matchingOutputsExitZeroAndSayWhy() {
        let result = CLI.run(["run", Self.path("residual_net.keras3.h5"),
                              "--input", Self.path("residual_net.keras3.inputs.npz"),
                              "--expected-npz", Self.path("residual_net.keras3.outputs.npz"),
                              "--layers-npz", Self.path("residual_net.keras3.layers.npz"), "--repeat", "2"])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("classes"))
        #expect(result.standardOutput.contains("0 / 20"))
        #expect(result.standardOutput.contains("all 21 layer outputs with a reference match"))
        #expect(result.standardOutput.contains("forward pass: median"))
    }

    @Test func alteredWeightsExitOneNamingTheLayer() throws {
        let note = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path("residual_net.altered.json")))))
        let altered = try #require(note["altered_layer"]?.stringValue)
        let result = CLI.run(["run", Self.path("residual_net.keras3.altered.h5"),
                              "--input", Self.path("residual_net.keras3.inputs.npz"),
                              "--expected-npz", Self.path("residual_net.keras3.outputs.npz"),
                              "--layers-npz", Self.path("residual_net.keras3.layers.npz")])
        #expect(result.exitCode == 1)
        #expect(result.standardOutput.contains("first diverging layer: \(altered) "))
    }

    @Test func writtenOutputIsKerasOutput() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect-run-\(getpid()).npy").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = CLI.run(["run", Self.path("residual_net.tfkeras.keras"),
                              "--input", Self.path("residual_net.tfkeras.inputs.npz"), "--output", output])
        #expect(result.exitCode == ExitCode.success)
        let written = try NPY.read(path: output)
        let expected = try #require(try NPZ.read(path: Self.path("residual_net.tfkeras.outputs.npz")).first?.tensor)
        #expect(OutputComparison(name: "classes", actual: written, expected: expected, atol: 1e-4, rtol: 1e-4).matches)
    }

    @Test func wrongInputCountIsOneLineAndExitTwo() {
        let inputs = Self.path("residual_net.keras3.inputs.npz")
        let result = CLI.run(["run", Self.path("residual_net.keras3.h5"), "--input", inputs, "--input", inputs])
        #expect(result.exitCode == 2)
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
    }
}
