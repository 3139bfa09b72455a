import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `verify` on untouched Keras files (consistent, exit 0) and on files altered in one place
/// by `fixtures/generate.py` (that exact problem, exit 1).
@Suite struct VerifyTests {
    struct CraftedCase: Sendable, CustomTestStringConvertible {
        let file: String
        let expected: JSONValue
        var testDescription: String { file }
    }

    static let craftedCases: [CraftedCase] = {
        let url = FixturePaths.fixtures.appendingPathComponent("crafted/expected.json")
        let value = (try? Data(contentsOf: url)).flatMap { try? JSONParser.parse([UInt8]($0)) }
        return (value?.arrayValue ?? []).map { CraftedCase(file: $0["file"]?.stringValue ?? "?", expected: $0) }
    }()

    @Test func craftedCasesExist() {
        #expect(Self.craftedCases.count == 5)
    }

    @Test(arguments: craftedCases)
    func alteredFileReportsTheExactProblem(_ crafted: CraftedCase) throws {
        let path = FixturePaths.fixtures.appendingPathComponent("crafted/\(crafted.file)").path
        let result = CLI.run(["verify", path, "--format", "json"])
        #expect(result.exitCode == ExitCode.problemsFound)
        let problems = try JSONParser.parse(result.standardOutput)["problems"]?.arrayValue ?? []
        #expect(problems.count == 1, "problems: \(problems)")
        let problem = try #require(problems.first)
        for key in ["kind", "layer", "weight", "expected", "actual"] {
            #expect(problem[key] == crafted.expected[key], "\(key)")
        }
    }

    @Test(arguments: FixtureFile.all().filter { $0.file.pathExtension != "json" })
    func untouchedKerasFilesAreConsistent(_ fixture: FixtureFile) throws {
        let result = CLI.run(["verify", fixture.file.path])
        #expect(result.exitCode == ExitCode.success, "\(result.standardOutput)")
        let report = try Verifier.verify(try ModelFile.open(fixture.file.path))
        #expect(report.uncheckedLayers.isEmpty)
        let arrays = (fixture.report["layers"]?.arrayValue ?? []).reduce(0) { count, layer in
            count + (layer["weights"]?.arrayValue?.count ?? 0)
        }
        #expect(report.checkedArrays == arrays, "every stored array's values were read")
    }

    @Test func unreadableFileExitsTwo() {
        let path = FixturePaths.fixtures.appendingPathComponent("bad/truncated.h5").path
        #expect(CLI.run(["verify", path]).exitCode == ExitCode.unreadableInput)
    }
}
