import KerasInspect

/// `kerasinspect summary FILE`: the layer table and totals, as text or JSON.
enum SummaryCommand {
    static let spec = ArgumentSpec(
        valueOptions: ["format": ["text", "json", "jsonl"], "columns": nil, "batch-size": nil],
        flags: ["expand-nested"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        if let many = CommandSupport.perFile(arguments, spec: spec, run) { return many }
        return CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let batchSize = try batchSizeOption(parsed)
            var columns: [SummaryTextRenderer.ExtraColumn] = []
            for name in (parsed.value("columns") ?? "").split(separator: ",").map(String.init) where !name.isEmpty {
                guard let column = SummaryTextRenderer.ExtraColumn(rawValue: name) else {
                    throw UsageError("unknown column '\(name)'; choose from "
                        + SummaryTextRenderer.ExtraColumn.allCases.map(\.rawValue).joined(separator: ", "))
                }
                columns.append(column)
            }
            let output: String
            if parsed.value("format") == "json" {
                output = SummaryJSONRenderer.render(file, batchSize: batchSize)
            } else {
                let summary = ModelSummary(file, expandNested: parsed.has("expand-nested"), batchSize: batchSize)
                output = SummaryTextRenderer.render(summary, extraColumns: columns)
            }
            return CommandResult(exitCode: ExitCode.success, standardOutput: output)
        }
    }
}

/// `--batch-size N` (default 1) for cost estimates.
func batchSizeOption(_ parsed: ParsedArguments) throws -> Int {
    guard let text = parsed.value("batch-size") else { return 1 }
    guard let value = Int(text), value > 0, value <= 1 << 20 else {
        throw UsageError("--batch-size must be a positive whole number, not '\(text)'")
    }
    return value
}
