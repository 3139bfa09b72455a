import KerasInspect

/// `kerasinspect diff A B`: what differs between two models, across formats (`ModelDiff`).
/// Exit 0 when nothing does, 1 when something does, 2 when a file cannot be read.
enum DiffCommand {
    static let spec = ArgumentSpec(valueOptions: ["format": ["text", "json", "markdown"], "atol": nil, "rtol": nil, "input": nil],
                                   flags: ["no-values"])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withArguments(arguments, spec: spec) { parsed in
            guard parsed.positionals.count == 2 else { throw UsageError("diff takes two files, got \(parsed.positionals.count)") }
            let (oldPath, newPath) = (parsed.positionals[0], parsed.positionals[1])
            let atol = Double(try RunCommand.tolerance(parsed, "atol") ?? 1e-4)
            let rtol = Double(try RunCommand.tolerance(parsed, "rtol") ?? 1e-4)
            return FileIsolation.current.run(reading: [oldPath, newPath]) {
                CommandSupport.result { try compare(oldPath, newPath, parsed, atol: atol, rtol: rtol) }
            }
        }
    }

    static func compare(_ oldPath: String, _ newPath: String, _ parsed: ParsedArguments,
                        atol: Double, rtol: Double) throws -> CommandResult {
        let old = try CommandSupport.open(oldPath), new = try CommandSupport.open(newPath)
        var diff = try ModelDiff.compare(old, new, atol: atol, rtol: rtol, compareValues: !parsed.has("no-values"))
        if !parsed.values("input").isEmpty {
            let inputs = try RunCommand.readInputs(parsed, model: old.model)
            try diff.compareOutputs(old, new, inputs: inputs, atol: atol, rtol: rtol)
        }
        let code = diff.isSame ? ExitCode.success : ExitCode.problemsFound
        switch parsed.value("format") {
        case "json": return CommandResult(exitCode: code, standardOutput: JSONWriter.string(json(diff, old: oldPath, new: newPath)) + "\n")
        case "markdown": return CommandResult(exitCode: code, standardOutput: markdown(diff, old: oldPath, new: newPath))
        default: return CommandResult(exitCode: code, standardOutput: text(diff, old: oldPath, new: newPath))
        }
    }

    /// One line per change: `~` changed, `+` added, `-` removed, then where and what.
    static func line(_ change: ModelDiff.Change) -> String {
        let (sign, subject, what) = parts(change)
        return "\(sign) \(subject): \(what)"
    }

    static func parts(_ change: ModelDiff.Change) -> (sign: String, subject: String, what: String) {
        let old = change.old ?? "", new = change.new ?? ""
        switch change.kind {
        case .added: return ("+", change.subject, "added (\(new))")
        case .removed: return ("-", change.subject, "removed (\(old))")
        case .renamed: return ("~", "\(old) -> \(new)", "renamed")
        case .className: return ("~", change.subject, "class \(old) -> \(new)")
        case .config: return ("~", change.subject, "config \(change.field ?? "") \(change.old ?? "(absent)") -> \(change.new ?? "(absent)")")
        case .outputShape: return ("~", change.subject, "output shape \(old) -> \(new)")
        case .params: return ("~", change.subject, "params \(old) -> \(new)")
        case .connections: return ("~", change.subject, "connected to \(old) -> \(new)")
        case .weightShape: return ("~", change.subject, "shape \(old) -> \(new)")
        case .weightDType: return ("~", change.subject, "dtype \(old) -> \(new)")
        case .weightValues:
            return ("~", change.subject, "values differ: max abs \(number(change.maxAbsolute)), max rel \(number(change.maxRelative)), "
                + "\(change.beyondTolerance ?? 0) of \(change.count ?? 0) beyond tolerance")
        case .totalParams: return ("~", "total params", "\(old) -> \(new)")
        case .output:
            if change.maxAbsolute == nil { return ("~", "output \(change.subject)", "shape \(old) -> \(new)") }
            return ("~", "output \(change.subject)", "differs: max abs \(number(change.maxAbsolute)), max rel \(number(change.maxRelative)), "
                + "\(change.beyondTolerance ?? 0) of \(change.count ?? 0) beyond tolerance")
        }
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "?" }
        return value.isInfinite ? "inf" : RunCommand.format(Float(value))
    }

    static func text(_ diff: ModelDiff, old: String, new: String) -> String {
        var lines = ["--- \(old)", "+++ \(new)"]
        lines += diff.changes.map(line)
        if diff.isSame { lines.append("no differences") }
        if !diff.valuesCompared { lines.append("weight values not compared (a file stores no weights, or --no-values)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func markdown(_ diff: ModelDiff, old: String, new: String) -> String {
        var lines = ["### Model diff: `\(old)` → `\(new)`", ""]
        if diff.isSame {
            lines.append("No differences.")
        } else {
            lines += ["| | Where | What |", "|---|---|---|"]
            for change in diff.changes {
                let (sign, subject, what) = parts(change)
                let escaped = what.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
                lines.append("| \(sign) | `\(subject)` | \(escaped) |")
            }
        }
        if !diff.valuesCompared { lines += ["", "_Weight values not compared._"] }
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ diff: ModelDiff, old: String, new: String) -> JSONValue {
        let optional = { (text: String?) in text.map(JSONValue.string) ?? .null }
        let optionalNumber = { (value: Double?) in value.map { JSONValue.number($0.isFinite ? $0 : Double.greatestFiniteMagnitude) } ?? .null }
        return .object(JSONObject([
            ("old", .string(old)),
            ("new", .string(new)),
            ("same", .bool(diff.isSame)),
            ("values_compared", .bool(diff.valuesCompared)),
            ("changes", .array(diff.changes.map { change in
                .object(JSONObject([
                    ("kind", .string(change.kind.rawValue)),
                    ("subject", .string(change.subject)),
                    ("field", optional(change.field)),
                    ("old", optional(change.old)),
                    ("new", optional(change.new)),
                    ("max_abs", optionalNumber(change.maxAbsolute)),
                    ("max_rel", optionalNumber(change.maxRelative)),
                    ("beyond_tolerance", change.beyondTolerance.map { .number(Double($0)) } ?? .null),
                    ("count", change.count.map { .number(Double($0)) } ?? .null),
                ]))
            })),
        ]))
    }
}
