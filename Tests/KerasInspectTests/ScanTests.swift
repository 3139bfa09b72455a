import Foundation
import Testing
@testable import KerasInspect
@testable import KerasInspectCLI

/// `scan` on `fixtures/scan` (written by `fixtures/scan_cases.py`: Keras 3 and tf-keras files,
/// two crafted from Keras-written configs), against `fixtures/scan_expected.json`.
@Suite("Scan")
struct ScanTests {
    static let folder = FixturePaths.fixtures.appendingPathComponent("scan")

    static func expected() throws -> JSONValue {
        try JSONParser.parse([UInt8](Data(contentsOf: FixturePaths.fixtures.appendingPathComponent("scan_expected.json"))))
    }

    static var files: [String] {
        ((try? expected().objectValue?.entries.map(\.key)) ?? []).filter { $0 != "lambda_code" }.sorted()
    }

    @Test func everyCaseIsListed() {
        #expect(Self.files.count == 12)
    }

    @Test(arguments: files)
    func findingsAreTheExpectedOnes(_ name: String) throws {
        let expected = (try Self.expected()[name]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
        let path = Self.folder.appendingPathComponent(name).path
        // The container's findings come first, also for files kerasinspect then refuses to open.
        let opened = try? ModelFile.open(path)
        let findings = ModelScanner.scanContainer(path: path) + (opened.map { ModelScanner.scan($0) } ?? [])
        #expect(findings.map { [$0.kind, $0.layer] } == expected, "\(findings)")
        let result = CLI.run(["scan", path])
        let reachesMedium = findings.contains { $0.severity >= .medium }
        #expect(result.exitCode == (opened == nil ? ExitCode.unreadableInput : reachesMedium ? ExitCode.problemsFound : ExitCode.success))
    }

    /// The code's size and SHA-256 as Python's base64 and hashlib give them; nothing is run.
    @Test func lambdaCodeIsMeasuredNotRun() throws {
        for (name, truth) in try Self.expected()["lambda_code"]?.objectValue?.entries ?? [] {
            let findings = ModelScanner.scan(try ModelFile.open(Self.folder.appendingPathComponent(name).path))
            let lambda = try #require(findings.first { $0.kind == "lambda" })
            #expect(lambda.message.contains("\(truth["bytes"]?.intValue ?? -1) bytes"), "\(lambda.message)")
            #expect(lambda.message.contains(truth["sha256"]?.stringValue ?? "?"), "\(lambda.message)")
            // The names its code refers to, read by our marshal reader, as Python's co_names lists them.
            let names = (truth["names"]?.arrayValue ?? []).compactMap(\.stringValue)
            let file = try ModelFile.open(Self.folder.appendingPathComponent(name).path)
            let lambdaLayer = file.model.layers.flatMap { $0.nested?.layers ?? [$0] }.first { $0.className == "Lambda" }
            let encoded = lambdaLayer?.config.object["function"]?["config"]?["code"]?.stringValue ?? ""
            let code = try #require(Base64.decode(encoded))
            #expect(MarshalReader.referencedNames(code) == names)
            #expect(lambda.message.contains(names.isEmpty ? "no names" : "names " + names.joined(separator: ", ")), "\(lambda.message)")
            #expect(lambda.severity == (names.contains("system") ? .critical : .high))
        }
    }

    @Test func foldersThresholdsAndMissingPaths() throws {
        let all = CLI.run(["scan", Self.folder.path])
        #expect(all.exitCode == ExitCode.unreadableInput, "the traversal archive cannot be opened")
        #expect(all.standardOutput.hasSuffix("\(Self.files.count) file(s) scanned: 10 with findings, 2 clean, 1 unreadable\n"))
        let lambda = Self.folder.appendingPathComponent("lambda.keras3.h5").path
        #expect(CLI.run(["scan", lambda, "--fail-on", "critical"]).exitCode == ExitCode.success)
        #expect(CLI.run(["scan", lambda, "--fail-on", "high"]).exitCode == ExitCode.problemsFound)
        let missing = CLI.run(["scan", Self.folder.appendingPathComponent("absent").path])
        #expect(missing.exitCode == ExitCode.unreadableInput, "a missing path is never a clean exit")
        #expect(missing.standardError.contains("absent: no such file or folder"))
    }

    /// The SARIF 2.1.0 properties a consumer needs: version, the tool's rules, and per result
    /// a rule that is declared, a level of the spec's set, a message and a location.
    @Test func sarifHasWhatTheFormatRequires() throws {
        let result = CLI.run(["scan", Self.folder.path, "--format", "sarif"])
        let document = try JSONParser.parse(result.standardOutput)
        #expect(document["version"]?.stringValue == "2.1.0")
        let run = try #require(document["runs"]?.arrayValue?.first)
        #expect(run["tool"]?["driver"]?["name"]?.stringValue == "kerasinspect")
        let rules = Set((run["tool"]?["driver"]?["rules"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
        let results = run["results"]?.arrayValue ?? []
        #expect(results.count == 14, "13 findings and one unreadable file")
        for item in results {
            #expect(rules.contains(item["ruleId"]?.stringValue ?? ""))
            #expect(["none", "note", "warning", "error"].contains(item["level"]?.stringValue ?? ""))
            #expect(item["message"]?["text"]?.stringValue?.isEmpty == false)
            #expect(item["locations"]?.arrayValue?.first?["physicalLocation"]?["artifactLocation"]?["uri"]?.stringValue != nil)
        }
    }

    static func sarifSchema() throws -> JSONSchemaValidator {
        let url = FixturePaths.fixtures.appendingPathComponent("schemas/sarif-2.1.0-emitted.schema.json")
        return JSONSchemaValidator(root: try JSONParser.parse([UInt8](Data(contentsOf: url))))
    }

    /// The whole SARIF log, for the fixture folder and for a path that needs percent-encoding,
    /// against the SARIF 2.1.0 schema kept in fixtures/schemas.
    @Test func sarifValidatesAgainstTheSchema() throws {
        let schema = try Self.sarifSchema()
        let folderLog = try JSONParser.parse(CLI.run(["scan", Self.folder.path, "--format", "sarif"]).standardOutput)
        #expect(schema.violations(of: folderLog) == [])

        let odd = FileManager.default.temporaryDirectory.appendingPathComponent("kerasinspect sarif %#: ü \(getpid())")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: odd) }
        let copy = odd.appendingPathComponent("lambda x.keras3.h5")
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("lambda.keras3.h5"), to: copy)
        let oddLog = try JSONParser.parse(CLI.run(["scan", odd.path, "--format", "sarif"]).standardOutput)
        #expect(schema.violations(of: oddLog) == [])
        let uri = oddLog["runs"]?.arrayValue?.first?["results"]?.arrayValue?.first?["locations"]?.arrayValue?.first?["physicalLocation"]?["artifactLocation"]?["uri"]?.stringValue
        #expect(uri?.hasSuffix("kerasinspect%20sarif%20%25%23%3A%20%C3%BC%20\(getpid())/lambda%20x.keras3.h5") == true, "\(uri ?? "none")")
    }

    /// The validator finds what breaks the schema, so a clean result above means something.
    @Test func sarifSchemaRejectsWhatTheStandardForbids() throws {
        let schema = try Self.sarifSchema()
        let valid = try JSONParser.parse(CLI.run(["scan", Self.folder.path, "--format", "sarif"]).standardOutput)
        func broken(_ text: String) throws -> [String] {
            schema.violations(of: try JSONParser.parse(text))
        }
        #expect(try broken(#"{"runs": []}"#) == ["$: missing required 'version'"])
        #expect(try broken(#"{"version": "2.0.0", "runs": []}"#).count == 1)
        #expect(try broken(#"{"version": "2.1.0", "runs": [], "extra": 1}"#) == ["$: property 'extra' is not allowed"])
        #expect(try broken(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}"#) == ["$.runs[0].tool.driver: missing required 'name'"])
        #expect(try broken(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "k"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}"#).count == 1)
        #expect(try broken(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "k"}}, "results": [{"message": {}}]}]}"#) == ["$.runs[0].results[0].message: matches none of 2 alternatives"])
        #expect(try broken(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "k"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a b.h5"}}}]}]}]}"#)
                == ["$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri: 'a b.h5' is not a URI reference"])
        #expect(try broken(#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "k", "informationUri": "relative/path"}}}]}"#).count == 1)
        #expect(valid["runs"]?.arrayValue?.first?["results"]?.arrayValue?.isEmpty == false)
        let unknownKeyword = JSONSchemaValidator(root: try JSONParser.parse(#"{"maxLength": 3}"#))
        #expect(unknownKeyword.violations(of: .string("x")) == ["$: schema keyword 'maxLength' is not implemented by the validator"])
    }
}
