/// A baseline of a model (`kerasinspect snapshot`): stable, sorted, reviewable JSON of its
/// architecture, shapes and params, and per weight its shape, dtype, summary statistics and
/// the SHA-256 of its values as little-endian float32, so every format of one model gives the
/// same lock. `drift` compares a model with such a baseline (`kerasinspect check`).
public enum ModelSnapshot {
    public static let formatVersion = 1

    /// The snapshot; weight values are read one array at a time. With `inputs`, the model
    /// also runs on them and each output's shape and statistics are recorded (no checksum:
    /// the last bits of a float result depend on the machine's BLAS).
    public static func make(_ file: ModelFile, inputs: [Tensor]? = nil) throws -> JSONValue {
        let reader = file.hasStoredWeights ? try StoredWeightReader(file) : nil
        var layers: [JSONValue] = []
        for entry in ModelDiff.flatten(file.model) {
            let layer = entry.layer
            let count = layer.parameterCount()
            var object: [(String, JSONValue)] = [
                ("path", .string(entry.path)),
                ("class_name", .string(layer.className)),
                ("output_shape", .string(ModelDiff.shapeText(layer.displayedOutputShapes))),
                ("params", number(count.total)),
                ("trainable_params", number(count.trainable)),
                ("inbound", .array(layer.nodes.map { node in
                    .array(node.inputs.map { .string(entry.prefix + "\($0.layer)[\($0.node)][\($0.tensor)]") })
                })),
            ]
            if layer.nested == nil {
                object.append(("config", canonical(.object(layer.config.object))))
                var weights: [JSONValue] = []
                for weight in layer.weights {
                    var fields: [(String, JSONValue)] = [
                        ("name", .string(ModelDiff.displayName(weight, of: layer))),
                        ("shape", .array(weight.shape.map(number))),
                        ("dtype", .string(weight.dtype)),
                        ("trainable", .bool(weight.createdTrainable)),
                    ]
                    if let reader, let path = weight.path {
                        let values = try reader.values(of: StoredWeight(name: weight.name, path: path, shape: weight.shape, dtype: weight.dtype))
                        fields += statistics(values)
                    }
                    weights.append(sorted(fields))
                }
                object.append(("weights", .array(weights)))
            }
            layers.append(sorted(object))
        }
        let totals = file.model.parameterCount()
        let endpoint = { (refs: [TensorRef]) in
            JSONValue.array(refs.map { ref in
                sorted([("name", .string(ref.layer)), ("shape", .string(file.model.shape(of: ref)?.description ?? "?"))])
            })
        }
        var outputs: [(String, JSONValue)] = []
        if let inputs {
            let values = try ModelRunner(file).run(inputs).outputs
            let names = ModelRunner.outputNames(of: file.model)
            outputs = [("outputs_for_input", .array(zip(names, values).map { name, tensor in
                sorted([("name", .string(name)), ("shape", .array(tensor.shape.map(number)))]
                    + statistics(tensor.values).filter { $0.0 != "sha256" })
            }))]
        }
        return sorted(outputs + [
            ("kerasinspect_snapshot", number(formatVersion)),
            ("model", sorted([("name", .string(file.model.name)), ("class_name", .string(file.model.className))])),
            ("params", sorted([("total", number(totals.total)), ("trainable", number(totals.trainable)),
                               ("non_trainable", number(totals.nonTrainable))])),
            ("inputs", endpoint(file.model.inputs)),
            ("outputs", endpoint(file.model.outputs)),
            ("weights_stored", .bool(file.hasStoredWeights)),
            ("layers", .array(layers)),
        ])
    }

    /// SHA-256 of the little-endian float32 values, and min, max, mean and standard deviation
    /// (accumulated in Double; NaN when any value is).
    static func statistics(_ values: [Float]) -> [(String, JSONValue)] {
        var hash = SHA256()
        hash.update(floats: values)
        var minimum = Double.infinity, maximum = -Double.infinity, sum = 0.0, squares = 0.0
        for value in values {
            let x = Double(value)
            minimum = min(minimum, x)
            maximum = max(maximum, x)
            sum += x
            squares += x * x
        }
        let count = Double(max(values.count, 1))
        let mean = sum / count
        let deviation = max(squares / count - mean * mean, 0).squareRoot()
        let finite = { (x: Double) -> JSONValue in x.isFinite ? .number(x) : .string(x.isNaN ? "nan" : x > 0 ? "inf" : "-inf") }
        return [("sha256", .string(hash.finalize())), ("min", finite(values.isEmpty ? 0 : minimum)),
                ("max", finite(values.isEmpty ? 0 : maximum)), ("mean", finite(mean)), ("std", finite(deviation))]
    }

    /// Objects with their keys sorted, at every depth; `shared_object_id` (a `.keras` save's
    /// object links) left out.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return sorted(object.entries.filter { $0.key != "shared_object_id" }.map { ($0.key, canonical($0.value)) })
        case .array(let array):
            return .array(array.map(canonical))
        default:
            return value
        }
    }

    static func sorted(_ entries: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(entries.sorted { $0.0 < $1.0 }))
    }

    static func number(_ value: Int) -> JSONValue { .number(Double(value)) }

    /// Reads a baseline written by `make` (at most 256 MB).
    public static func readBaseline(_ path: String) throws -> JSONValue {
        guard case .regular(let size) = LocalFile.kind(of: path) else {
            throw KerasInspectError(.unreadable, file: path, "cannot read the baseline")
        }
        guard size <= JSONConfigReader.maximumSize else {
            throw KerasInspectError(.limitExceeded, file: path, "a baseline of \(size) bytes is too large")
        }
        do {
            return try JSONParser.parse(try LocalFile.read(path, count: size))
        } catch let error as KerasInspectError {
            throw error.inFile(path)
        } catch {
            throw KerasInspectError(.invalidConfig, file: path, "not JSON: \(error)")
        }
    }

    /// `min a -> b, …` for the statistics that moved beyond `atol + rtol·|baseline|`, or `nil`.
    static func movedStatistics(_ baseline: JSONValue, _ current: JSONValue, atol: Double, rtol: Double) -> String? {
        let moved = ["min", "max", "mean", "std"].filter { key in
            guard let x = baseline[key]?.doubleValue, let y = current[key]?.doubleValue else { return baseline[key] != current[key] }
            return !(abs(x - y) <= atol + rtol * abs(x))
        }
        let text = { (value: JSONValue?) in value.map { JSONWriter.string($0, pretty: false) } ?? "(absent)" }
        return moved.isEmpty ? nil : moved.map { "\($0) \(text(baseline[$0])) -> \(text(current[$0]))" }.joined(separator: ", ")
    }

    /// How `file` drifted from `baseline`: one readable line per difference. Weights whose
    /// checksum changed count as drift only when a statistic moved beyond `atol + rtol·|base|`.
    public static func drift(of file: ModelFile, from baseline: JSONValue, inputs: [Tensor]? = nil,
                             atol: Double = 1e-4, rtol: Double = 1e-4) throws -> [String] {
        guard baseline["kerasinspect_snapshot"]?.intValue == formatVersion else {
            throw KerasInspectError(.invalidConfig, "the baseline is not a kerasinspect snapshot (version \(formatVersion))")
        }
        let recordsOutputs = baseline["outputs_for_input"] != nil
        if recordsOutputs, inputs == nil {
            throw KerasInspectError(.invalidConfig, "the baseline records outputs for an input: give that input (--input)")
        }
        // One snapshot of the file, with the outputs only when the baseline has them to compare.
        let current = try make(file, inputs: recordsOutputs ? inputs : nil)
        var lines: [String] = []
        let text = { (value: JSONValue?) in value.map { JSONWriter.string($0, pretty: false) } ?? "(absent)" }
        for key in ["model", "params", "inputs", "outputs"] where current[key] != baseline[key] {
            lines.append("\(key): \(text(baseline[key])) -> \(text(current[key]))")
        }
        if let expected = baseline["outputs_for_input"]?.arrayValue {
            let produced = current["outputs_for_input"]?.arrayValue ?? []
            for (a, b) in zip(expected, produced) {
                let name = "output \(b["name"]?.stringValue ?? "")"
                if a["shape"] != b["shape"] { lines.append("~ \(name): shape \(text(a["shape"])) -> \(text(b["shape"]))"); continue }
                if let detail = movedStatistics(a, b, atol: atol, rtol: rtol) { lines.append("~ \(name): drifted: \(detail)") }
            }
            if expected.count != produced.count { lines.append("outputs: \(expected.count) -> \(produced.count)") }
        }
        let old = baseline["layers"]?.arrayValue ?? [], new = current["layers"]?.arrayValue ?? []
        let oldByPath = Dictionary(old.map { ($0["path"]?.stringValue ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let newPaths = Set(new.compactMap { $0["path"]?.stringValue })
        for layer in old where !newPaths.contains(layer["path"]?.stringValue ?? "") {
            lines.append("- \(layer["path"]?.stringValue ?? ""): removed")
        }
        let compareValues = baseline["weights_stored"]?.boolValue == true && current["weights_stored"]?.boolValue == true
        for layer in new {
            let path = layer["path"]?.stringValue ?? ""
            guard let before = oldByPath[path] else { lines.append("+ \(path): added"); continue }
            for key in ["class_name", "output_shape", "params", "trainable_params", "inbound"] where layer[key] != before[key] {
                lines.append("~ \(path): \(key) \(text(before[key])) -> \(text(layer[key]))")
            }
            if layer["config"] != before["config"] {
                let oldFields = ModelDiff.fields(of: before["config"] ?? .null), newFields = ModelDiff.fields(of: layer["config"] ?? .null)
                for field in Set(oldFields.keys).union(newFields.keys).sorted() where oldFields[field] != newFields[field] {
                    lines.append("~ \(path): config \(field) \(oldFields[field] ?? "(absent)") -> \(newFields[field] ?? "(absent)")")
                }
            }
            let oldWeights = before["weights"]?.arrayValue ?? [], newWeights = layer["weights"]?.arrayValue ?? []
            for (a, b) in zip(oldWeights, newWeights) {
                let name = "\(path)/\(b["name"]?.stringValue ?? "")"
                for key in ["name", "shape", "dtype", "trainable"] where a[key] != b[key] {
                    lines.append("~ \(name): \(key) \(text(a[key])) -> \(text(b[key]))")
                }
                guard compareValues, a["shape"] == b["shape"], a["sha256"] != b["sha256"] else { continue }
                if let detail = movedStatistics(a, b, atol: atol, rtol: rtol) { lines.append("~ \(name): values drifted: \(detail)") }
            }
            if oldWeights.count != newWeights.count {
                lines.append("~ \(path): \(oldWeights.count) weights -> \(newWeights.count)")
            }
        }
        return lines
    }
}
