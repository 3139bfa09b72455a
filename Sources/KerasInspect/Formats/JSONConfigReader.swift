/// Reads architecture-only JSON: `model.to_json()` output, a `.keras` archive's
/// `config.json`, or the same JSON encoded once more as a JSON string.
enum JSONConfigReader {
    /// JSON files larger than this are not model configs (the largest Keras application
    /// configs are a few MB).
    static let maximumSize = 256 << 20

    static func read(path: String) throws -> ModelSource {
        guard case .regular(let size) = LocalFile.kind(of: path) else {
            throw KerasInspectError(.unreadable, file: path, "cannot read the file")
        }
        if size > maximumSize {
            throw KerasInspectError(.limitExceeded, file: path, "JSON file of \(size) bytes is too large for a model config")
        }
        let config = try parseConfigBytes(try LocalFile.read(path, count: size), origin: "the file", file: path)
        guard config["class_name"] != nil || config["config"] != nil || config["layers"] != nil else {
            let keys = config.objectValue?.keys.prefix(5).joined(separator: ", ") ?? ""
            throw KerasInspectError(.notAKerasModel, file: path,
                "JSON without a Keras model config (no class_name/config; top-level keys: \(keys))")
        }
        var source = ModelSource(format: .jsonConfig, kerasVersion: config["keras_version"]?.stringValue,
                                 backend: config["backend"]?.stringValue, modelConfig: config)
        source.hasWeights = false
        return source
    }

    static func parseConfigText(_ text: String, origin: String, file: String) throws -> JSONValue {
        try parseConfigBytes(Array(text.utf8), origin: origin, file: file)
    }

    /// Parses, unwrapping one level of double encoding (a JSON string holding the JSON).
    static func parseConfigBytes(_ bytes: [UInt8], origin: String, file: String) throws -> JSONValue {
        var value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch let failure as JSONParser.Failure {
            throw KerasInspectError(.invalidJSON, file: file, "invalid JSON in \(origin): \(failure)")
        }
        if let inner = value.stringValue {
            do {
                value = try JSONParser.parse(inner)
            } catch let failure as JSONParser.Failure {
                throw KerasInspectError(.invalidJSON, file: file, "invalid double-encoded JSON in \(origin): \(failure)")
            }
        }
        guard value.objectValue != nil else {
            throw KerasInspectError(.invalidConfig, file: file, "\(origin) is not a JSON object")
        }
        return value
    }
}
