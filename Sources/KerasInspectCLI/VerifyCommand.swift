import KerasInspect

/// `kerasinspect verify FILE`: every stored array against the weights the config implies.
/// Exit 0 when consistent, 1 when problems were found, 2 when the file cannot be read.
enum VerifyCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json"]], flags: ["no-values"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let report = try Verifier.verify(file, checkValues: !parsed.has("no-values"))
            let code = report.isConsistent ? ExitCode.success : ExitCode.problemsFound
            if parsed.value("format") == "json" {
                return CommandResult(exitCode: code, standardOutput: JSONWriter.string(json(report, file: file)) + "\n")
            }
            var lines: [String] = []
            if !file.hasStoredWeights {
                lines.append("\(file.path): the file stores no weights; nothing to verify")
            } else if report.isConsistent {
                lines.append("\(file.path): consistent: \(report.checkedLayers) layers, \(report.checkedArrays) arrays checked")
            } else {
                lines.append("\(file.path): \(report.problems.count) problem(s) in \(report.checkedLayers) checked layers")
                lines += report.problems.map { "  \($0)" }
            }
            if !report.uncheckedLayers.isEmpty {
                lines.append("not checked (outside the catalog): " + report.uncheckedLayers.joined(separator: ", "))
            }
            return CommandResult(exitCode: code, standardOutput: lines.joined(separator: "\n") + "\n")
        }
    }

    static func json(_ report: VerificationReport, file: ModelFile) -> JSONValue {
        let optional = { (text: String?) in text.map(JSONValue.string) ?? .null }
        return .object(JSONObject([
            ("file", .string(file.path)),
            ("consistent", .bool(report.isConsistent)),
            ("checked_layers", .number(Double(report.checkedLayers))),
            ("checked_arrays", .number(Double(report.checkedArrays))),
            ("unchecked_layers", .array(report.uncheckedLayers.map(JSONValue.string))),
            ("problems", .array(report.problems.map { problem in
                .object(JSONObject([
                    ("kind", .string(problem.kind.rawValue)),
                    ("layer", .string(problem.layer)),
                    ("weight", optional(problem.weight)),
                    ("expected", optional(problem.expected)),
                    ("actual", optional(problem.actual)),
                    ("message", .string(problem.description)),
                ]))
            })),
        ]))
    }
}
