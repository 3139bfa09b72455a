import KerasInspect

/// The steps every file command shares: parse arguments, open the one model file, turn
/// failures into one line on stderr and exit code 2.
enum CommandSupport {
    /// Parses the arguments (`--help` understood) and runs `body`; a usage error, or a
    /// `CommandResult` thrown as a failure, becomes the command's result.
    static func withArguments(_ arguments: [String], spec: ArgumentSpec,
                              _ body: (ParsedArguments) throws -> CommandResult) -> CommandResult {
        var spec = spec
        spec.flags.insert("help")
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(arguments, spec: spec)
        } catch {
            return .failure("\(error)")
        }
        if parsed.has("help") { return CommandResult(exitCode: ExitCode.success, standardOutput: CLI.usage) }
        return result { try body(parsed) }
    }

    /// Runs `body`; a usage error, or a `CommandResult` thrown as a failure, becomes its result.
    /// Other errors become one failure line, naming `path` when the body read that file.
    static func result(naming path: String? = nil, of body: () throws -> CommandResult) -> CommandResult {
        do {
            return try body()
        } catch let error as UsageError {
            return .failure(error.message)
        } catch let result as CommandResult {
            return result
        } catch let error as KerasInspectError {
            return .failure(path.map { error.inFile($0).description } ?? "\(error)")
        } catch {
            return .failure(path.map { "\($0): \(error)" } ?? "\(error)")
        }
    }

    static func withModelFile(_ arguments: [String], spec: ArgumentSpec, allowExtraPositionals: Bool = false,
                              _ body: @escaping (ModelFile, ParsedArguments) throws -> CommandResult) -> CommandResult {
        var spec = spec
        spec.valueOptions["weights"] = .some(nil)
        spec.valueOptions["config"] = .some(nil)
        return withArguments(arguments, spec: spec) { parsed in
            guard let path = parsed.positionals.first, allowExtraPositionals || parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "no file given (try --help)" : "give exactly one file")
            }
            let paths = [path] + [parsed.value("weights"), parsed.value("config")].compactMap { $0 }
            return FileIsolation.current.run(reading: paths) { openAndRun(path, parsed, body) }
        }
    }

    /// The isolated part of `withModelFile`: everything that reads the files, every failure
    /// turned into the command's result.
    private static func openAndRun(_ path: String, _ parsed: ParsedArguments,
                                   _ body: (ModelFile, ParsedArguments) throws -> CommandResult) -> CommandResult {
        result(naming: path) {
            let file: ModelFile
            if let weights = parsed.value("weights") {
                file = try ModelFile.open(path, weights: weights)
            } else if let config = parsed.value("config") {
                file = try ModelFile.open(config, weights: path)
            } else {
                file = try ModelFile.open(path)
            }
            return try body(file, parsed)
        }
    }

    /// Opens one model file; its errors become a one-line failure naming it.
    static func open(_ path: String) throws -> ModelFile {
        do {
            return try ModelFile.open(path)
        } catch let error as KerasInspectError {
            throw CommandResult.failure(error.inFile(path).description)
        } catch {
            throw CommandResult.failure("\(path): \(error)")
        }
    }
}

/// A command's finished result, thrown to end it early (`CommandSupport.withArguments`).
extension CommandResult: Error {}

extension CommandSupport {
    /// Several files (or `--format jsonl`): `single` runs once per file with the shared options.
    /// Text outputs follow one another; with jsonl each file gives one line of JSON, or
    /// `{"file", "error"}` when it cannot be read. The exit code is the worst of the files'.
    /// `nil` when the arguments name one file without jsonl: the command runs as usual.
    static func perFile(_ arguments: [String], spec: ArgumentSpec, _ single: ([String]) -> CommandResult) -> CommandResult? {
        var full = spec
        full.flags.insert("help")
        full.valueOptions["weights"] = .some(nil)
        full.valueOptions["config"] = .some(nil)
        guard let parsed = try? ArgumentParser.parse(arguments, spec: full) else { return nil }
        let jsonl = parsed.value("format") == "jsonl"
        guard parsed.positionals.count > 1 || jsonl, !parsed.has("help") else { return nil }
        if parsed.positionals.count > 1, parsed.value("weights") != nil || parsed.value("config") != nil {
            return .failure("--weights and --config pair with one file")
        }
        var shared: [String] = []
        for (name, values) in parsed.options.sorted(by: { $0.key < $1.key }) where !(jsonl && name == "format") {
            for value in values { shared += ["--\(name)", value] }
        }
        if jsonl { shared += ["--format", "json"] }
        shared += parsed.flags.sorted().map { "--\($0)" }
        var code = ExitCode.success
        var output: [String] = [], errors = ""
        for file in parsed.positionals {
            let result = single([file] + shared)
            code = max(code, result.exitCode)
            if jsonl {
                if let value = try? JSONParser.parse(result.standardOutput) {
                    output.append(JSONWriter.string(value, pretty: false))
                } else {
                    var message = result.standardError
                    while message.hasSuffix("\n") { message.removeLast() }
                    output.append(JSONWriter.string(.object(JSONObject([("file", .string(file)), ("error", .string(message))])), pretty: false))
                }
            } else {
                output.append(result.standardOutput)
                errors += result.standardError
            }
        }
        let text = jsonl ? output.map { $0 + "\n" }.joined() : output.joined(separator: "\n")
        return CommandResult(exitCode: code, standardOutput: text, standardError: errors)
    }
}
