import Glibc
import KerasInspect

/// `kerasinspect scan PATH...`: risky content in model files (`ModelScanner`), files or
/// folders (walked recursively for .h5, .keras and .json files). Exit 0 when no finding
/// reaches `--fail-on` (default medium), 1 when one does, 2 when a path cannot be read.
enum ScanCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json", "jsonl", "sarif"],
                                                  "fail-on": ["low", "medium", "high", "critical"], "jobs": nil],
                                   flags: [])
    static let modelSuffixes = [".h5", ".hdf5", ".keras", ".json"]

    struct Scanned {
        var path: String
        var findings: [ModelScanner.Finding] = []
        var error: String?
    }

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withArguments(arguments, spec: spec) { try scan(parsed: $0) }
    }

    static func scan(parsed: ParsedArguments) throws -> CommandResult {
        guard !parsed.positionals.isEmpty else { throw UsageError("scan needs at least one file or folder") }
        let threshold = ModelScanner.Severity(name: parsed.value("fail-on") ?? "medium") ?? .medium
        let width = try jobs(parsed)
        // Every path in the order given: a file or folder's model files, or nil when it is missing.
        let targets = parsed.positionals.map { (path: $0, files: ModelFiles.collect($0, suffixes: modelSuffixes)) }
        let files = targets.flatMap { $0.files ?? [] }
        // A progress line only where someone watches: a terminal on stderr, several files.
        let progress = files.count > 1 && isatty(2) != 0
        // Each file in its own child when the tool runs isolated: a file that crashes the
        // reader is one unreadable entry, and the other files are still scanned.
        let jobs = files.map { file in IsolatedJob(paths: [file]) { encode(scanOne(file)) } }
        var scanned = FileIsolation.current.runAll(jobs, width: width) { done in
            if progress { writeProgress("\rscanning \(done)/\(files.count)") }
        }.enumerated().map { decode($0.element, path: files[$0.offset]) }[...]
        var results: [Scanned] = []
        for target in targets {
            guard let found = target.files else {
                results.append(Scanned(path: target.path, error: "\(target.path): no such file or folder"))
                continue
            }
            results += scanned.prefix(found.count)
            scanned = scanned.dropFirst(found.count)
        }
        if progress { writeProgress("\r\u{1B}[K") }
        let failed = results.contains { $0.findings.contains { $0.severity >= threshold } }
        let code = results.contains { $0.error != nil } ? ExitCode.unreadableInput
            : failed ? ExitCode.problemsFound : ExitCode.success
        switch parsed.value("format") {
        case "json": return CommandResult(exitCode: code, standardOutput: JSONWriter.string(json(results)) + "\n")
        case "sarif": return CommandResult(exitCode: code, standardOutput: JSONWriter.string(sarif(results)) + "\n")
        case "jsonl":
            return CommandResult(exitCode: code, standardOutput: results.map { JSONWriter.string(fileJSON($0), pretty: false) + "\n" }.joined())
        default:
            var lines: [String] = []
            var errors: [String] = []
            for result in results {
                for finding in result.findings {
                    let place = finding.layer.isEmpty ? "at \(finding.location)" : "in \(finding.layer)"
                    lines.append("\(result.path): \(finding.severity.name): \(finding.kind) \(place): \(finding.message)")
                }
                if let error = result.error { errors.append("kerasinspect: \(error)") }
            }
            let clean = results.filter { $0.error == nil && $0.findings.isEmpty }.count
            lines.append("\(results.count) file(s) scanned: \(results.filter { !$0.findings.isEmpty }.count) with findings, "
                         + "\(clean) clean, \(errors.count) unreadable")
            return CommandResult(exitCode: code, standardOutput: lines.joined(separator: "\n") + "\n",
                                 standardError: errors.isEmpty ? "" : errors.joined(separator: "\n") + "\n")
        }
    }

    static func jobs(_ parsed: ParsedArguments) throws -> Int {
        guard let text = parsed.value("jobs") else { return 1 }
        guard let count = Int(text), (1...256).contains(count) else {
            throw UsageError("--jobs takes a whole number from 1 to 256, got '\(text)'")
        }
        return count
    }

    /// One file: the container first (a hostile archive or HDF5 file is a finding even when
    /// kerasinspect then refuses to open the model inside), then the config tree.
    static func scanOne(_ file: String) -> Scanned {
        let container = ModelScanner.scanContainer(path: file)
        do {
            return Scanned(path: file, findings: container + ModelScanner.scan(try ModelFile.open(file)))
        } catch let error as KerasInspectError {
            return Scanned(path: file, findings: container, error: error.inFile(file).description)
        } catch {
            return Scanned(path: file, findings: container, error: "\(file): \(error)")
        }
    }

    /// A scanned file as it crosses from the child that scanned it: one line of JSON.
    static func encode(_ scanned: Scanned) -> CommandResult {
        CommandResult(exitCode: ExitCode.success, standardOutput: JSONWriter.string(fileJSON(scanned), pretty: false))
    }

    static func decode(_ result: CommandResult, path: String) -> Scanned {
        guard result.exitCode == ExitCode.success, let value = try? JSONParser.parse(result.standardOutput),
              let findings = value["findings"]?.arrayValue else {
            var message = result.standardError
            if message.hasPrefix("kerasinspect: ") { message.removeFirst("kerasinspect: ".count) }
            while message.hasSuffix("\n") { message.removeLast() }
            return Scanned(path: path, error: message.isEmpty ? "\(path): the scan ended without a result" : message)
        }
        return Scanned(path: path, findings: findings.compactMap { finding in
            guard let severity = finding["severity"]?.stringValue.flatMap(ModelScanner.Severity.init(name:)) else { return nil }
            return ModelScanner.Finding(severity: severity, kind: finding["kind"]?.stringValue ?? "",
                                        layer: finding["layer"]?.stringValue ?? "", location: finding["location"]?.stringValue ?? "",
                                        message: finding["message"]?.stringValue ?? "")
        }, error: value["error"]?.stringValue)
    }

    /// Straight to file descriptor 2: the result's own stderr is printed only at the end.
    static func writeProgress(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func findingJSON(_ finding: ModelScanner.Finding) -> JSONValue {
        .object(JSONObject([
            ("severity", .string(finding.severity.name)),
            ("kind", .string(finding.kind)),
            ("layer", .string(finding.layer)),
            ("location", .string(finding.location)),
            ("message", .string(finding.message)),
        ]))
    }

    static func fileJSON(_ result: Scanned) -> JSONValue {
        .object(JSONObject([
            ("path", .string(result.path)),
            ("error", result.error.map(JSONValue.string) ?? .null),
            ("findings", .array(result.findings.map(findingJSON))),
        ]))
    }

    static func json(_ results: [Scanned]) -> JSONValue {
        .object(JSONObject([("files", .array(results.map(fileJSON)))]))
    }

    /// What each finding kind means, as SARIF rules.
    static let rules: [(id: String, text: String)] = [
        ("lambda", "A Lambda layer holds Python code that Keras runs when the model is loaded unsafely."),
        ("external-model", "A layer loads a model from outside the file."),
        ("foreign-module", "A class or function is taken from a Python module outside Keras."),
        ("custom-object", "A registered custom object needs its own code to load."),
        ("function-reference", "A config refers to a Python function by name."),
        ("path", "A config string points at a file or URL outside the model file."),
        ("unknown-class", "A layer class outside kerasinspect's catalog."),
        ("zip-traversal", "An archive member's name leaves the folder it is extracted to."),
        ("zip-bomb", "An archive member inflates to far more than it stores."),
        ("zip-duplicate", "An archive holds two members of one name."),
        ("hdf5-external-link", "An HDF5 link points into another file."),
        ("hdf5-soft-link", "An HDF5 soft link, which Keras never writes."),
        ("hdf5-user-link", "An HDF5 link of a user-defined type."),
        ("hdf5-virtual-dataset", "An HDF5 dataset maps its values from other files."),
        ("hdf5-external-storage", "An HDF5 dataset keeps its values in external files."),
        ("unreadable", "The file could not be read as a Keras model."),
    ]

    /// A file path as the URI reference SARIF's `artifactLocation.uri` must be: RFC 3986
    /// unreserved characters and `/` kept, every other UTF-8 byte percent-encoded (a space,
    /// `%`, `#` or `:` in a path would otherwise make an invalid or different reference).
    static func uriReference(_ path: String) -> String {
        var encoded = ""
        for byte in path.utf8 {
            let kept = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E || byte == 0x2F
            if kept {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF")
                encoded += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
            }
        }
        return encoded
    }

    /// SARIF 2.1.0: one run, our rules, one result per finding (and per unreadable file).
    static func sarif(_ results: [Scanned]) -> JSONValue {
        let level = { (severity: ModelScanner.Severity) in severity >= .high ? "error" : severity == .medium ? "warning" : "note" }
        let location = { (path: String) -> JSONValue in
            .array([.object(JSONObject([("physicalLocation", .object(JSONObject([
                ("artifactLocation", .object(JSONObject([("uri", .string(uriReference(path)))]))),
            ])))]))])
        }
        var sarifResults: [JSONValue] = []
        for result in results {
            if let error = result.error {
                sarifResults.append(.object(JSONObject([
                    ("ruleId", .string("unreadable")), ("level", .string("error")),
                    ("message", .object(JSONObject([("text", .string(error))]))), ("locations", location(result.path)),
                ])))
            }
            for finding in result.findings {
                sarifResults.append(.object(JSONObject([
                    ("ruleId", .string(finding.kind)), ("level", .string(level(finding.severity))),
                    ("message", .object(JSONObject([("text", .string(finding.layer.isEmpty ? finding.message : "\(finding.layer): \(finding.message)"))]))),
                    ("locations", location(result.path)),
                    ("properties", .object(JSONObject([("severity", .string(finding.severity.name)),
                                                       ("layer", .string(finding.layer)),
                                                       ("configLocation", .string(finding.location))]))),
                ])))
            }
        }
        return .object(JSONObject([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object(JSONObject([
                ("tool", .object(JSONObject([("driver", .object(JSONObject([
                    ("name", .string("kerasinspect")),
                    ("version", .string(CLI.version)),
                    ("informationUri", .string("https://github.com/kerasinspect/kerasinspect")),
                    ("rules", .array(rules.map { rule in
                        .object(JSONObject([("id", .string(rule.id)),
                                            ("shortDescription", .object(JSONObject([("text", .string(rule.text))])))]))
                    })),
                ])))]))),
                ("results", .array(sarifResults)),
            ]))])),
        ]))
    }
}
