import KerasInspect

/// `kerasinspect lint FILE`: patterns that are legal but usually mistakes.
/// Exit 0 when there are none, 1 when there are warnings, 2 when the file cannot be read.
enum LintCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json"]])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let warnings = Linter.lint(file)
            let code = warnings.isEmpty ? ExitCode.success : ExitCode.problemsFound
            if parsed.value("format") == "json" {
                let document = JSONValue.object(JSONObject([
                    ("file", .string(file.path)),
                    ("warnings", .array(warnings.map { warning in
                        .object(JSONObject([
                            ("rule", .string(warning.rule.rawValue)),
                            ("layers", .array(warning.layers.map(JSONValue.string))),
                            ("message", .string(warning.message)),
                        ]))
                    })),
                ]))
                return CommandResult(exitCode: code, standardOutput: JSONWriter.string(document) + "\n")
            }
            let lines = warnings.isEmpty ? ["\(file.path): no lint warnings"] : warnings.map(\.description)
            return CommandResult(exitCode: code, standardOutput: lines.joined(separator: "\n") + "\n")
        }
    }
}
