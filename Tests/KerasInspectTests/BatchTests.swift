import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// Several files in one call, and `--format jsonl` (one JSON object per line, so any batch
/// engine can run kerasinspect as its per-file step).
@Suite("Several files, jsonl")
struct BatchTests {
    static let fixtures = Array(FixtureFile.all().filter { $0.file.pathExtension == "keras" }.prefix(6))

    @Test func summaryJSONLinesMatchKeras() throws {
        #expect(Self.fixtures.count == 6)
        let result = CLI.run(["summary"] + Self.fixtures.map(\.file.path) + ["--format", "jsonl"])
        #expect(result.exitCode == ExitCode.success, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == Self.fixtures.count)
        for (line, fixture) in zip(lines, Self.fixtures) {
            let document = try JSONParser.parse(String(line))
            #expect(document["file"]?.stringValue == fixture.file.path)
            #expect(document["total_params"]?.intValue == fixture.report["total_params"]?.intValue)
        }
    }

    @Test func anUnreadableFileIsItsOwnLineAndTheExitCodeIsTheWorst() throws {
        let good = try #require(Self.fixtures.first).file.path
        let result = CLI.run(["summary", good, "/nonexistent/model.h5", "--format", "jsonl"])
        #expect(result.exitCode == ExitCode.unreadableInput)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let failure = try JSONParser.parse(lines[1])
        #expect(failure["file"]?.stringValue == "/nonexistent/model.h5")
        #expect(failure["error"]?.stringValue?.contains("/nonexistent/model.h5") == true)
    }

    @Test func verifySeveralFiles() throws {
        let good = try #require(Self.fixtures.first).file.path
        let nan = FixturePaths.fixtures.appendingPathComponent("crafted/nan_weight.h5").path
        let text = CLI.run(["verify", good, nan])
        #expect(text.exitCode == ExitCode.problemsFound)
        #expect(text.standardOutput.contains("\(good): consistent"))
        #expect(text.standardOutput.contains("\(nan): 1 problem(s)"))
        let jsonl = CLI.run(["verify", good, nan, "--format", "jsonl"])
        let consistent = try jsonl.standardOutput.split(separator: "\n").map { try JSONParser.parse(String($0))["consistent"]?.boolValue }
        #expect(consistent == [true, false])
    }

    @Test func scanJSONLines() throws {
        let folder = FixturePaths.fixtures.appendingPathComponent("scan").path
        let result = CLI.run(["scan", folder, "--format", "jsonl"])
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == ScanTests.files.count)
        for line in lines { #expect((try? JSONParser.parse(String(line)))?["path"]?.stringValue != nil) }
    }
}
