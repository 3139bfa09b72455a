import KerasInspect

/// `kerasinspect summary FILE`: the layer table and totals, as text or JSON.
enum SummaryCommand {
    static let spec = ArgumentSpec(
        valueOptions: ["format": ["text", "json"]],
        flags: ["expand-nested"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let output: String
            if parsed.value("format") == "json" {
                output = SummaryJSONRenderer.render(file)
            } else {
                output = SummaryTextRenderer.render(ModelSummary(file, expandNested: parsed.has("expand-nested")))
            }
            return CommandResult(exitCode: ExitCode.success, standardOutput: output)
        }
    }
}
