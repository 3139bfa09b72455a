import KerasInspect

/// `kerasinspect explain FILE [LAYER…]`: every parameter count, with its arithmetic.
enum ExplainCommand {
    static let spec = ArgumentSpec()

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec, allowExtraPositionals: true) { file, parsed in
            let selected = Set(parsed.positionals.dropFirst())
            let explanation = ParameterExplanation(file, layers: selected)
            if !selected.isEmpty, explanation.entries.isEmpty {
                return .failure("\(file.path): no layer named \(selected.sorted().joined(separator: ", "))")
            }
            return CommandResult(exitCode: ExitCode.success, standardOutput: ExplanationTextRenderer.render(explanation))
        }
    }
}
