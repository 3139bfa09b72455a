import KerasInspect

/// `kerasinspect verify FILE`: every stored array against the weights the config implies.
/// Exit 0 when consistent, 1 when problems were found, 2 when the file cannot be read.
enum VerifyCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json", "jsonl"]], flags: ["no-values"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        if let many = CommandSupport.perFile(arguments, spec: spec, run) { return many }
        return CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let report = try Verifier.verify(file, checkValues: !parsed.has("no-values"))
            let suggestions = report.structureChecked ? [] : ArchitectureLocator.candidates(forWeights: file)
            // A verify that checked nothing must not pass as a verify that found nothing.
            let code = report.checkedNothing ? ExitCode.unreadableInput
                : report.isConsistent ? ExitCode.success : ExitCode.problemsFound
            if parsed.value("format") == "json" {
                return CommandResult(exitCode: code, standardOutput: JSONWriter.string(json(report, file: file, suggestions: suggestions)) + "\n")
            }
            var lines: [String] = []
            if !file.hasStoredWeights {
                lines.append("\(file.path): nothing checked: the file stores no weights (pair it with them: --weights FILE)")
            } else if !report.structureChecked {
                let values = report.checkedArrays == 0 ? "no values checked (--no-values)"
                    : report.isConsistent ? "values of \(report.checkedArrays) arrays checked, all finite"
                    : "\(report.problems.count) problem(s) in the values of \(report.checkedArrays) arrays"
                lines.append("\(file.path): structure not checked (the file holds weights only, no architecture); \(values)")
                lines += report.problems.map { "  \($0)" }
                if let best = suggestions.first {
                    lines.append("to check the structure too: kerasinspect verify \(file.path) --config \(best)")
                } else {
                    lines.append("to check the structure too, give the architecture: --config model.json")
                }
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

    static func json(_ report: VerificationReport, file: ModelFile, suggestions: [String]) -> JSONValue {
        let optional = { (text: String?) in text.map(JSONValue.string) ?? .null }
        return .object(JSONObject([
            ("file", .string(file.path)),
            ("consistent", .bool(report.isConsistent && !report.checkedNothing)),
            ("checked_layers", .number(Double(report.checkedLayers))),
            ("checked_arrays", .number(Double(report.checkedArrays))),
            ("structure_checked", .bool(report.structureChecked)),
            ("checked_nothing", .bool(report.checkedNothing)),
            ("suggested_config", .array(suggestions.map(JSONValue.string))),
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
