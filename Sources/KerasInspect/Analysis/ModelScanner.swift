/// Risky content in a model file, found by reading its config only: nothing is executed or
/// unmarshalled. The whole config tree is walked (nested models, wrapped layers, cells,
/// initializers, regularizers, constraints, activations, dtype policies).
public enum ModelScanner {
    public enum Severity: Int, Sendable, Comparable, CaseIterable {
        case low = 0, medium, high, critical

        public var name: String { ["low", "medium", "high", "critical"][rawValue] }

        public init?(name: String) {
            guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = found
        }

        public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
    }

    public struct Finding: Sendable, Equatable {
        public var severity: Severity
        /// `lambda`, `external-model`, `foreign-module`, `custom-object`, `function-reference`,
        /// `path`, `unknown-class`.
        public var kind: String
        /// The layer (`outer/inner` inside nested models).
        public var layer: String
        /// Where in the layer's config (`config.kernel_initializer.module`).
        public var location: String
        public var message: String

        public init(severity: Severity, kind: String, layer: String, location: String, message: String) {
            self.severity = severity
            self.kind = kind
            self.layer = layer
            self.location = location
            self.message = message
        }
    }

    /// Python packages whose classes a Keras file may name without risk of running foreign code.
    static let kerasNamespaces = ["keras", "tf_keras", "keras_hub", "keras_nlp", "keras_cv", "tensorflow"]
    /// Modules whose functions run programs, open files or evaluate code.
    static let dangerousModules = ["builtins", "os", "posix", "subprocess", "sys", "shutil", "importlib", "runpy", "pickle",
                                   "marshal", "socket", "io", "pathlib", "code", "ctypes"]

    public static func scan(_ file: ModelFile, catalog: LayerCatalog = .standard) -> [Finding] {
        var findings: [Finding] = []
        walk(file.model, prefix: "", catalog: catalog, into: &findings)
        return findings
    }

    /// Findings about the container itself, read without opening the model: zip members whose
    /// names leave the archive, zip bombs, duplicate members (Keras reads the last
    /// `config.json`, other tools the first); HDF5 external and soft links, virtual datasets
    /// and datasets stored in external files. Visits at most 100,000 HDF5 links, each group once.
    public static func scanContainer(path: String) -> [Finding] {
        var findings: [Finding] = []
        switch try? FileSniffer.sniff(path: path) {
        case .zip?:
            guard let archive = try? ZipArchive(path: path, validating: false) else { return [] }
            var seen = Set<String>()
            for member in archive.members {
                let name = member.name
                let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                if name.hasPrefix("/") || name.hasPrefix("\\") || parts.contains("..") || name.contains("\\..") {
                    findings.append(Finding(severity: .critical, kind: "zip-traversal", layer: "", location: name,
                                            message: "zip member '\(shortened(name))' would be written outside the folder it is extracted to"))
                }
                let ratio = member.uncompressedSize / max(1, member.compressedSize)
                if member.uncompressedSize > 1 << 20, ratio > 100 {
                    findings.append(Finding(severity: .high, kind: "zip-bomb", layer: "", location: name,
                                            message: "zip member '\(shortened(name))' inflates \(ratio):1 to \(member.uncompressedSize) bytes"))
                }
                if !seen.insert(name).inserted {
                    findings.append(Finding(severity: .high, kind: "zip-duplicate", layer: "", location: name,
                                            message: "zip member '\(shortened(name))' appears more than once; readers disagree on which counts"))
                }
            }
        case .hdf5?:
            guard let file = try? HDF5File(path: path), let root = try? file.root else { return [] }
            walkLinks(root, into: &findings)
        default:
            break
        }
        return findings
    }

    static func walkLinks(_ root: HDF5Group, into findings: inout [Finding]) {
        for (relative, kind) in root.allLinks() {
            let location = "/" + relative, place = shortened(location)
            let found: (Severity, String, String)?
            switch kind {
            case .external: found = (.critical, "hdf5-external-link", "HDF5 link \(place) points into another file")
            case .soft: found = (.medium, "hdf5-soft-link", "HDF5 soft link \(place): Keras never writes one")
            case .other: found = (.high, "hdf5-user-link", "HDF5 link \(place) is of a user-defined type")
            case .hard:
                guard root.childKind(relative) == .dataset, let dataset = try? root.dataset(relative) else { continue }
                switch dataset.storage {
                case .virtual: found = (.critical, "hdf5-virtual-dataset", "dataset \(place) maps its values from other files")
                case .externalFiles: found = (.critical, "hdf5-external-storage", "dataset \(place) keeps its values in external files")
                default: found = nil
                }
            }
            if let (severity, name, message) = found {
                findings.append(Finding(severity: severity, kind: name, layer: "", location: location, message: message))
            }
        }
    }

    static func walk(_ model: Model, prefix: String, catalog: LayerCatalog, into findings: inout [Finding]) {
        for layer in model.graphLayers where !layer.isImplicitInput {
            let path = prefix + layer.name
            if let nested = layer.nested {
                walk(nested, prefix: path + "/", catalog: catalog, into: &findings)
                continue
            }
            if let module = layer.config.module, !isKeras(module) {
                findings.append(Finding(severity: isDangerous(module) ? .critical : .high, kind: "foreign-module", layer: path,
                                        location: "module", message: "the layer class \(layer.className) comes from \(module)"))
            }
            switch layer.className {
            case "Lambda":
                findings.append(lambdaFinding(layer, path: path))
            case "TFSMLayer":
                findings.append(Finding(severity: .critical, kind: "external-model", layer: path, location: "config",
                                        message: "TFSMLayer loads and runs a TensorFlow SavedModel from outside this file"))
            default:
                // Weights-only files guess no classes ("?"), and a model entry is a model.
                let isModel = ["Sequential", "Functional", "Model"].contains(layer.className)
                if !layer.isOperation, !model.structureUnknown, !isModel, !catalog.knows(layer.className) {
                    findings.append(Finding(severity: .low, kind: "unknown-class", layer: path, location: "class_name",
                                            message: "\(layer.className) is outside kerasinspect's catalog: its config is walked, its meaning unknown"))
                }
            }
            inspect(.object(layer.config.object), at: "config", layer: path, skipCode: layer.className == "Lambda", into: &findings)
        }
    }

    /// Every object naming a module or a registered class, and every string that points at
    /// a file or a URL, at any depth of one layer's config.
    static func inspect(_ value: JSONValue, at location: String, layer: String, skipCode: Bool, depth: Int = 0,
                        into findings: inout [Finding]) {
        guard depth < 64 else { return }
        switch value {
        case .object(let object):
            if let module = object["module"]?.stringValue, !isKeras(module) {
                let name = object["class_name"]?.stringValue ?? "?"
                findings.append(Finding(severity: isDangerous(module) ? .critical : .high, kind: "foreign-module", layer: layer,
                                        location: location + ".module", message: "\(location) names \(module).\(name)"))
            } else if let registered = object["registered_name"]?.stringValue, object["module"] == nil || registered.contains(">") {
                findings.append(Finding(severity: .medium, kind: "custom-object", layer: layer, location: location + ".registered_name",
                                        message: "\(location) is a registered custom object \(registered): loading it needs its code"))
            }
            if let kind = object["class_name"]?.stringValue, kind == "function" || kind == "__function__" {
                let target = object["config"]?.stringValue ?? object["config"].map { JSONWriter.string($0, pretty: false) } ?? "?"
                findings.append(Finding(severity: .high, kind: "function-reference", layer: layer, location: location,
                                        message: "\(location) refers to the Python function \(target)"))
            }
            for (key, child) in object.entries {
                if skipCode && key == "function" && depth == 0 { continue }
                inspect(child, at: location + "." + key, layer: layer, skipCode: skipCode, depth: depth + 1, into: &findings)
            }
        case .array(let array):
            for (index, child) in array.enumerated() {
                inspect(child, at: location + "[\(index)]", layer: layer, skipCode: skipCode, depth: depth + 1, into: &findings)
            }
        case .string(let text):
            if looksLikePath(text) {
                findings.append(Finding(severity: .medium, kind: "path", layer: layer, location: location,
                                        message: "\(location) points outside the file: \(shortened(text))"))
            }
        default:
            return
        }
    }

    static func lambdaFinding(_ layer: Layer, path: String) -> Finding {
        let function = layer.config.object["function"]
        // Keras 3: {"class_name": "__lambda__", "config": {"code": base64}}; Keras 1/2: [base64, defaults, closure].
        let encoded = function?["config"]?["code"]?.stringValue ?? function?.arrayValue?.first?.stringValue
        if let encoded, let code = Base64.decode(encoded) {
            let names = MarshalReader.referencedNames(code)
            let risky = names?.filter { riskyNames.contains($0) } ?? []
            let listed = names.map { $0.isEmpty ? "no names" : "names " + $0.prefix(20).joined(separator: ", ") }
                ?? "names unreadable (an unknown Python version's bytecode)"
            return Finding(severity: risky.isEmpty ? .high : .critical, kind: "lambda", layer: path, location: "config.function",
                           message: "Lambda holds \(code.count) bytes of marshalled Python bytecode (sha256 \(SHA256.hex(of: code)); "
                               + "\(listed)\(risky.isEmpty ? "" : "; risky: " + risky.joined(separator: ", "))); never run")
        }
        let name = function?.stringValue ?? function.map { JSONWriter.string($0, pretty: false) } ?? "?"
        return Finding(severity: .high, kind: "lambda", layer: path, location: "config.function",
                       message: "Lambda calls the Python function \(shortened(name)); never run")
    }

    /// Names in bytecode that reach the operating system, files or arbitrary code.
    static let riskyNames: Set<String> = [
        "os", "sys", "subprocess", "system", "popen", "spawn", "exec", "eval", "compile", "__import__", "open",
        "importlib", "import_module", "getattr", "setattr", "globals", "builtins", "__builtins__", "socket",
        "shutil", "rmtree", "remove", "unlink", "pickle", "loads", "marshal", "ctypes", "urllib", "requests",
    ]

    static func isKeras(_ module: String) -> Bool {
        kerasNamespaces.contains { module == $0 || module.hasPrefix($0 + ".") }
    }

    static func isDangerous(_ module: String) -> Bool {
        let root = module.split(separator: ".").first.map(String.init) ?? module
        return dangerousModules.contains(root)
    }

    static func looksLikePath(_ text: String) -> Bool {
        guard text.count >= 2, text.count < 4096 else { return false }
        if text.contains("://") { return true }
        if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") || text.hasPrefix("~/") { return true }
        let scalars = Array(text.unicodeScalars)
        if scalars.count > 2, scalars[1] == ":", scalars[2] == "\\" || scalars[2] == "/" { return true }
        return text.contains("/../") || text.hasSuffix(".txt") && text.contains("/")
    }

    static func shortened(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(117)) + "…"
    }
}

/// Standard base64 (RFC 4648) with the line breaks Python's `base64.encodebytes` inserts.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        var index = 0
        while index + 1 < values.count {
            let chunk = values[index..<min(index + 4, values.count)].map(UInt32.init)
            let word = chunk.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * UInt32($1.offset)) }
            bytes.append(UInt8(truncatingIfNeeded: word >> 16))
            if chunk.count > 2 { bytes.append(UInt8(truncatingIfNeeded: word >> 8)) }
            if chunk.count > 3 { bytes.append(UInt8(truncatingIfNeeded: word)) }
            index += 4
        }
        return bytes
    }
}
