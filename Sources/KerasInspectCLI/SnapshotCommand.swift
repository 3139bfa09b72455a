import KerasInspect

/// `kerasinspect snapshot FILE > model.lock.json`: a baseline to commit (`ModelSnapshot`).
enum SnapshotCommand {
    static let spec = ArgumentSpec(valueOptions: ["input": nil], flags: [])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            let inputs = parsed.values("input").isEmpty ? nil : try RunCommand.readInputs(parsed, model: file.model)
            return CommandResult(exitCode: ExitCode.success,
                                 standardOutput: JSONWriter.string(try ModelSnapshot.make(file, inputs: inputs)) + "\n")
        }
    }
}

/// `kerasinspect check FILE --baseline model.lock.json`: exit 1 with one line per drift.
enum CheckCommand {
    static let spec = ArgumentSpec(valueOptions: ["baseline": nil, "atol": nil, "rtol": nil, "input": nil], flags: [])

    @Sendable static func run(_ arguments: [String]) -> CommandResult {
        CommandSupport.withModelFile(arguments, spec: spec) { file, parsed in
            guard let path = parsed.value("baseline") else { throw UsageError("check needs --baseline model.lock.json") }
            let baseline: JSONValue
            do {
                baseline = try ModelSnapshot.readBaseline(path)
            } catch let error as KerasInspectError {
                throw UsageError(error.description)
            }
            let atol = Double(try RunCommand.tolerance(parsed, "atol") ?? 1e-4)
            let rtol = Double(try RunCommand.tolerance(parsed, "rtol") ?? 1e-4)
            let inputs = parsed.values("input").isEmpty ? nil : try RunCommand.readInputs(parsed, model: file.model)
            let drift = try ModelSnapshot.drift(of: file, from: baseline, inputs: inputs, atol: atol, rtol: rtol)
            if drift.isEmpty {
                return CommandResult(exitCode: ExitCode.success, standardOutput: "\(file.path): matches \(path)\n")
            }
            let lines = ["\(file.path): \(drift.count) difference(s) from \(path)"] + drift.map { "  " + $0 }
            return CommandResult(exitCode: ExitCode.problemsFound, standardOutput: lines.joined(separator: "\n") + "\n")
        }
    }
}
