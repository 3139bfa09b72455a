import KerasInspect

/// A JSON Schema (draft-07) validator for the keywords our committed schemas use. A keyword it
/// does not implement is an error, never silently passed, so a schema cannot claim more than
/// is checked.
struct JSONSchemaValidator {
    let root: JSONValue

    /// Annotations: they describe, they never constrain.
    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "default", "definitions"]
    static let implemented: Set<String> = ["$ref", "type", "properties", "required", "additionalProperties",
                                           "items", "enum", "anyOf", "minimum", "minItems", "uniqueItems", "format"]

    /// Every way `instance` breaks the schema, each as "JSON path: what is wrong".
    func violations(of instance: JSONValue) -> [String] {
        var found: [String] = []
        check(instance, against: root, at: "$", into: &found)
        return found
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/definitions/") else { return nil }
        return root["definitions"]?[String(reference.dropFirst("#/definitions/".count))]
    }

    private func check(_ instance: JSONValue, against schema: JSONValue, at path: String, into found: inout [String]) {
        guard let keywords = schema.objectValue else {
            found.append("\(path): schema is not an object")
            return
        }
        for (keyword, value) in keywords.entries {
            if Self.annotations.contains(keyword) { continue }
            guard Self.implemented.contains(keyword) else {
                found.append("\(path): schema keyword '\(keyword)' is not implemented by the validator")
                continue
            }
            switch keyword {
            case "$ref":
                guard let reference = value.stringValue, let target = resolve(reference) else {
                    found.append("\(path): unresolvable $ref \(value)")
                    continue
                }
                check(instance, against: target, at: path, into: &found)
            case "type":
                if let type = value.stringValue, !Self.has(instance, type: type) {
                    found.append("\(path): expected \(type)")
                }
            case "enum":
                if !(value.arrayValue ?? []).contains(instance) { found.append("\(path): \(instance) is not one of \(value)") }
            case "required":
                guard let object = instance.objectValue else { continue }
                for name in (value.arrayValue ?? []).compactMap(\.stringValue) where object[name] == nil {
                    found.append("\(path): missing required '\(name)'")
                }
            case "properties":
                guard let object = instance.objectValue else { continue }
                for (name, member) in object.entries {
                    if let memberSchema = value[name] { check(member, against: memberSchema, at: "\(path).\(name)", into: &found) }
                }
            case "additionalProperties":
                guard let object = instance.objectValue else { continue }
                let declared = Set(keywords["properties"]?.objectValue?.entries.map(\.key) ?? [])
                for (name, member) in object.entries where !declared.contains(name) {
                    switch value {
                    case .bool(true): continue
                    case .bool(false): found.append("\(path): property '\(name)' is not allowed")
                    default: check(member, against: value, at: "\(path).\(name)", into: &found)
                    }
                }
            case "items":
                for (index, item) in (instance.arrayValue ?? []).enumerated() {
                    check(item, against: value, at: "\(path)[\(index)]", into: &found)
                }
            case "anyOf":
                let options = value.arrayValue ?? []
                let matches = options.contains { option in
                    var optionFound: [String] = []
                    check(instance, against: option, at: path, into: &optionFound)
                    return optionFound.isEmpty
                }
                if !matches { found.append("\(path): matches none of \(options.count) alternatives") }
            case "minimum":
                if let number = instance.doubleValue, let minimum = value.doubleValue, number < minimum {
                    found.append("\(path): \(number) is below the minimum \(minimum)")
                }
            case "minItems":
                if let array = instance.arrayValue, let minimum = value.intValue, array.count < minimum {
                    found.append("\(path): \(array.count) items, at least \(minimum) required")
                }
            case "uniqueItems":
                if value == .bool(true), let array = instance.arrayValue,
                   array.enumerated().contains(where: { index, item in array[..<index].contains(item) }) {
                    found.append("\(path): items are not unique")
                }
            case "format":
                guard let text = instance.stringValue, let format = value.stringValue else { continue }
                switch format {
                case "uri": if !URIReference.isAbsoluteURI(text) { found.append("\(path): '\(text)' is not an absolute URI") }
                case "uri-reference": if !URIReference.isValid(text) { found.append("\(path): '\(text)' is not a URI reference") }
                default: found.append("\(path): format '\(format)' is not implemented by the validator")
                }
            default:
                break
            }
        }
    }

    private static func has(_ instance: JSONValue, type: String) -> Bool {
        switch (type, instance) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("number", .number): return true
        case ("integer", .number(let number)): return number.isFinite && number.rounded() == number
        default: return false
        }
    }
}

/// RFC 3986 syntax, as far as JSON Schema's `uri` and `uri-reference` formats ask.
enum URIReference {
    static let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    static let allowed = unreserved.union("!$&'()*+,;=:@/?#[]%")

    /// Only RFC 3986 characters, and every `%` starts a two-hex-digit escape.
    static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            guard allowed.contains(character) else { return false }
            if character == "%" {
                guard index + 2 < characters.count, characters[index + 1].isHexDigit, characters[index + 2].isHexDigit else { return false }
            }
        }
        // A relative reference whose first segment holds ':' would read as a scheme.
        if let colon = text.firstIndex(of: ":"), !hasScheme(text) {
            let beforeColon = text[..<colon]
            if !beforeColon.contains("/") && !beforeColon.contains("?") && !beforeColon.contains("#") { return false }
        }
        return true
    }

    static func hasScheme(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), let first = text.first, first.isLetter else { return false }
        return text[..<colon].allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }

    static func isAbsoluteURI(_ text: String) -> Bool { hasScheme(text) && isValid(text) }
}
