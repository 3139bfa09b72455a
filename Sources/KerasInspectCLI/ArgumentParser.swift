/// A small command-line parser: a subcommand, positional arguments, `--flag`,
/// `--option value` / `--option=value`, repeated options, and `--` to end options.
public struct ParsedArguments: Equatable, Sendable {
    public var positionals: [String] = []
    public var options: [String: [String]] = [:]
    public var flags: Set<String> = []

    public func value(_ name: String) -> String? { options[name]?.last }
    public func values(_ name: String) -> [String] { options[name] ?? [] }
    public func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// What a subcommand accepts.
public struct ArgumentSpec: Sendable {
    /// Options that take a value, by long name without dashes; `allowed` limits the values.
    public var valueOptions: [String: [String]?]
    public var flags: Set<String>

    public init(valueOptions: [String: [String]?] = [:], flags: Set<String> = []) {
        self.valueOptions = valueOptions
        self.flags = flags
    }
}

public struct UsageError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum ArgumentParser {
    public static func parse(_ arguments: [String], spec: ArgumentSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError("unknown option '\(argument)' (options are spelled --name)")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                parsed.flags.insert(name)
            } else if let allowed = spec.valueOptions[name] {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
                    value = arguments[index]
                    index += 1
                }
                if let allowed, !allowed.contains(value) {
                    throw UsageError("--\(name) must be one of \(allowed.joined(separator: ", ")), not '\(value)'")
                }
                parsed.options[name, default: []].append(value)
            } else {
                throw UsageError("unknown option '--\(name)'")
            }
        }
        return parsed
    }
}
