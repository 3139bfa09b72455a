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

    /// `fixtures/crafted/weights_only_expected.json`: weights-only files with every array NaN.
    static let weightsOnlyCases: [JSONValue] = {
        let url = FixturePaths.fixtures.appendingPathComponent("crafted/weights_only_expected.json")
        let value = (try? Data(contentsOf: url)).flatMap { try? JSONParser.parse([UInt8]($0)) }
        return value?.arrayValue ?? []
    }()

    /// Without an architecture, verify still reads every value, says that the structure went
    /// unchecked, and points at the architecture JSON that lies beside the file.
    @Test func weightsOnlyFileWithNaNValuesFails() throws {
        #expect(Self.weightsOnlyCases.count == 2)
        let crafted = FixturePaths.fixtures.appendingPathComponent("crafted")
        let architecture = crafted.appendingPathComponent("weights_only_nan.json").path
        for entry in Self.weightsOnlyCases {
            let path = crafted.appendingPathComponent(try #require(entry["file"]?.stringValue)).path
            let arrays = entry["arrays"]?.arrayValue ?? []
            let result = CLI.run(["verify", path, "--format", "json"])
            #expect(result.exitCode == ExitCode.problemsFound, "\(path)")
            let report = try JSONParser.parse(result.standardOutput)
            #expect(report["structure_checked"]?.boolValue == false)
            #expect(report["consistent"]?.boolValue == false)
            #expect(report["checked_arrays"]?.intValue == arrays.count)
            #expect(report["suggested_config"]?.arrayValue?.first?.stringValue == architecture)
            let counts = (report["problems"]?.arrayValue ?? []).compactMap { problem -> Int? in
                guard problem["kind"]?.stringValue == "not-finite" else { return nil }
                return problem["actual"]?.stringValue.flatMap { Int($0.prefix { $0.isNumber }) }
            }
            #expect(counts.sorted() == arrays.compactMap { $0["elements"]?.intValue }.sorted())

            let text = CLI.run(["verify", path]).standardOutput
            #expect(text.contains("structure not checked"), "\(text)")
            #expect(text.contains("--config \(architecture)"), "\(text)")

            // With the architecture, the structure is checked too, and the NaNs are still found.
            let paired = try Verifier.verify(try ModelFile.open(architecture, weights: path))
            #expect(paired.structureChecked && paired.checkedLayers > 0)
            #expect(paired.problems.filter { $0.kind == .notFinite }.count == arrays.count)
            #expect(paired.problems.allSatisfy { $0.kind == .notFinite })

            // Names only and no architecture: nothing was checked, and the exit code says so.
            let nothing = CLI.run(["verify", path, "--no-values"])
            #expect(nothing.exitCode == ExitCode.unreadableInput)
            #expect(nothing.standardOutput.contains("no values checked"))
        }
    }

    /// Keras' own weights-only files verify clean, name the architecture beside them (same
    /// stem first) and `run` suggests it instead of failing without a hint.
    @Test func weightsOnlyFixtureSuggestsItsArchitecture() throws {
        let folder = FixturePaths.fixtures.appendingPathComponent("models/mnist_softmax")
        let weights = folder.appendingPathComponent("mnist_softmax.keras3.weights.h5").path
        let result = CLI.run(["verify", weights, "--format", "json"])
        #expect(result.exitCode == ExitCode.success)
        let report = try JSONParser.parse(result.standardOutput)
        #expect(report["structure_checked"]?.boolValue == false)
        #expect(report["suggested_config"]?.arrayValue?.first?.stringValue
                == folder.appendingPathComponent("mnist_softmax.keras3.json").path)
        let run = CLI.run(["run", weights, "--input", "x.npy"])
        #expect(run.exitCode == ExitCode.unreadableInput)
        #expect(run.standardError.contains("--config \(folder.appendingPathComponent("mnist_softmax.keras3.json").path)"))
    }

    @Test func architectureOnlyFileChecksNothing() {
        let path = FixturePaths.fixtures.appendingPathComponent("models/mnist_softmax/mnist_softmax.keras3.json").path
        let result = CLI.run(["verify", path])
        #expect(result.exitCode == ExitCode.unreadableInput)
        #expect(result.standardOutput.contains("nothing checked"))
    }

    @Test func unreadableFileExitsTwo() {
        let path = FixturePaths.fixtures.appendingPathComponent("bad/truncated.h5").path
        #expect(CLI.run(["verify", path]).exitCode == ExitCode.unreadableInput)
    }
}
