import Foundation
import Testing
@testable import KerasInspectCLI

/// The command line in-process: exit codes and the one-line errors for bad input.
@Suite struct CLITests {
    private func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func expectOneLineFailure(_ result: CommandResult, naming path: String, saying fragment: String) {
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.standardError)")
        #expect(result.standardError.contains(path))
        #expect(result.standardError.contains(fragment), "stderr: \(result.standardError)")
    }

    @Test func helpAndVersion() {
        #expect(CLI.run(["--help"]).exitCode == 0)
        #expect(CLI.run(["--help"]).standardOutput.contains("Usage"))
        #expect(CLI.run(["--version"]).standardOutput.hasPrefix("kerasinspect "))
        #expect(CLI.run([]).exitCode == ExitCode.unreadableInput)
    }

    @Test func missingFile() {
        expectOneLineFailure(CLI.run(["/nonexistent/model.h5"]), naming: "/nonexistent/model.h5", saying: "no such file")
    }

    @Test func textFile() throws {
        let path = try temporaryFile("notes.h5", Array("just some notes\n".utf8))
        expectOneLineFailure(CLI.run([path]), naming: path, saying: "text file")
    }

    @Test func pngImage() throws {
        let path = try temporaryFile("picture.h5", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13])
        expectOneLineFailure(CLI.run(["summary", path]), naming: path, saying: "PNG")
    }

    @Test func invalidJSON() throws {
        let path = try temporaryFile("model.json", Array(#"{"class_name": "Sequential", "config": {"#.utf8))
        expectOneLineFailure(CLI.run([path]), naming: path, saying: "invalid JSON")
    }

    @Test func deeplyNestedJSON() throws {
        let path = try temporaryFile("deep.json", Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8))
        expectOneLineFailure(CLI.run([path]), naming: path, saying: "nested deeper")
    }

    @Test func jsonThatIsNotAModel() throws {
        let path = try temporaryFile("settings.json", Array(#"{"epochs": 3, "lr": 0.1}"#.utf8))
        expectOneLineFailure(CLI.run([path]), naming: path, saying: "no class_name")
    }

    @Test func usageErrorsExitTwo() {
        #expect(CLI.run(["summary"]).exitCode == ExitCode.unreadableInput)
        #expect(CLI.run(["m.h5", "--format", "xml"]).exitCode == ExitCode.unreadableInput)
    }
}

/// Damaged and foreign files written by `fixtures/generate.py` (fixtures/bad/).
@Suite struct BadFixtureTests {
    static let cases: [(file: String, fragment: String)] = [
        ("not_keras.h5", "HDF5 file with no Keras model: top-level objects data, labels"),
        ("truncated.h5", "truncated"),
        ("truncated_header.h5", "truncated"),
        ("corrupt_config.h5", "invalid JSON in the model_config attribute"),
        ("settings.json", "no class_name"),
        ("invalid.json", "invalid JSON"),
        ("traversal.keras", "unsafe member name '../evil.txt'"),
        ("bomb.keras", "zip bomb"),
        ("truncated.keras", "truncated"),
    ]

    @Test(arguments: cases.map(\.file))
    func damagedFileGivesOneLineAndExitTwo(_ name: String) {
        let path = FixturePaths.fixtures.appendingPathComponent("bad/\(name)").path
        let fragment = Self.cases.first { $0.file == name }!.fragment
        let result = CLI.run([path])
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.split(separator: "\n").count == 1, "stderr: \(result.standardError)")
        #expect(result.standardError.hasPrefix("kerasinspect: \(path): "))
        #expect(result.standardError.contains(fragment), "stderr: \(result.standardError)")
    }
}
