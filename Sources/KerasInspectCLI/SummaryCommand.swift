import KerasInspect

/// `kerasinspect summary FILE`: the layer table and totals, as text or JSON.
enum SummaryCommand {
    static let spec = ArgumentSpec(
        valueOptions: ["format": ["text", "json"]],
        flags: ["expand-nested", "help"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, spec: spec)
        } catch {
            return .failure("\(error)")
        }
        if parsed.has("help") { return CommandResult(exitCode: ExitCode.success, standardOutput: CLI.usage) }
        guard parsed.positionals.count == 1, let path = parsed.positionals.first else {
            return .failure(parsed.positionals.isEmpty ? "no file given (try --help)" : "give exactly one file")
        }
        let file: ModelFile
        do {
            file = try ModelFile.open(path)
        } catch {
            return .failure("\(error)")
        }
        let output: String
        if parsed.value("format") == "json" {
            output = SummaryJSONRenderer.render(file)
        } else {
            output = SummaryTextRenderer.render(ModelSummary(file, expandNested: parsed.has("expand-nested")))
        }
        return CommandResult(exitCode: ExitCode.success, standardOutput: output)
    }
}
