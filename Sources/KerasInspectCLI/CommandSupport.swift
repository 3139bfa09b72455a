import KerasInspect

/// The steps every file command shares: parse arguments, open the one model file, turn
/// failures into one line on stderr and exit code 2.
enum CommandSupport {
    static func withModelFile(_ arguments: [String], spec: ArgumentSpec, allowExtraPositionals: Bool = false,
                              _ body: (ModelFile, ParsedArguments) throws -> CommandResult) -> CommandResult {
        var spec = spec
        spec.flags.insert("help")
        spec.valueOptions["weights"] = .some(nil)
        spec.valueOptions["config"] = .some(nil)
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, spec: spec)
        } catch {
            return .failure("\(error)")
        }
        if parsed.has("help") { return CommandResult(exitCode: ExitCode.success, standardOutput: CLI.usage) }
        guard let path = parsed.positionals.first, allowExtraPositionals || parsed.positionals.count == 1 else {
            return .failure(parsed.positionals.isEmpty ? "no file given (try --help)" : "give exactly one file")
        }
        do {
            let file: ModelFile
            if let weights = parsed.value("weights") {
                file = try ModelFile.open(path, weights: weights)
            } else if let config = parsed.value("config") {
                file = try ModelFile.open(config, weights: path)
            } else {
                file = try ModelFile.open(path)
            }
            return try body(file, parsed)
        } catch let error as UsageError {
            return .failure(error.message)
        } catch let error as KerasInspectError {
            return .failure(error.inFile(path).description)
        } catch {
            return .failure("\(path): \(error)")
        }
    }
}
