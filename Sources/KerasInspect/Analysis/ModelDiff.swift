/// What differs between two model files, semantically: layers matched by name (then by
/// structure, for renames), their classes, config fields, output shapes, parameter counts,
/// connections, and their weights' shapes, dtypes and values. Save metadata (Keras version,
/// dates, the container format) is not part of a model, so an `.h5` and the `.keras` of the
/// same model show no difference.
public struct ModelDiff: Sendable {
    /// One difference, on one layer (`layer`), one weight (`layer/weight`) or the model (`""`).
    public struct Change: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case added, removed, renamed
            case className = "class"
            case config
            case outputShape = "output-shape"
            case params
            case connections
            case weightShape = "weight-shape"
            case weightDType = "weight-dtype"
            case weightValues = "weight-values"
            case totalParams = "total-params"
            /// The models' outputs for the same input differ (`--input`).
            case output
        }

        public var kind: Kind
        public var subject: String
        /// For config changes: the dotted key (`activation`, `kernel_initializer.config.seed`).
        public var field: String?
        public var old: String?
        public var new: String?
        /// For value changes: the largest absolute and relative differences, and how many of
        /// the values lie beyond the tolerance (`|new − old| > atol + rtol·|old|`).
        public var maxAbsolute: Double?
        public var maxRelative: Double?
        public var beyondTolerance: Int?
        public var count: Int?
    }

    public var changes: [Change]
    /// False when either file stores no weights, so values could not be compared.
    public var valuesCompared: Bool
    public var isSame: Bool { changes.isEmpty }

    /// Compares `old` with `new`. Values are read one array at a time from each file.
    public static func compare(_ old: ModelFile, _ new: ModelFile, atol: Double = 1e-4, rtol: Double = 1e-4,
                               compareValues: Bool = true) throws -> ModelDiff {
        var changes: [Change] = []
        let left = flatten(old.model), right = flatten(new.model)
        let pairs = match(left, right)
        let renamedTo = Dictionary(pairs.map { (left[$0.0].path, right[$0.1].path) }, uniquingKeysWith: { first, _ in first })
        let pairedLeft = Set(pairs.map(\.0)), pairedRight = Set(pairs.map(\.1))
        for (index, entry) in left.enumerated() where !pairedLeft.contains(index) {
            changes.append(Change(kind: .removed, subject: entry.path, old: entry.layer.className))
        }
        for (index, entry) in right.enumerated() where !pairedRight.contains(index) {
            changes.append(Change(kind: .added, subject: entry.path, new: entry.layer.className))
        }
        let readValues = compareValues && old.hasStoredWeights && new.hasStoredWeights
        let oldReader = readValues ? try StoredWeightReader(old) : nil
        let newReader = readValues ? try StoredWeightReader(new) : nil
        for (leftIndex, rightIndex) in pairs {
            let a = left[leftIndex], b = right[rightIndex]
            let subject = b.path
            if a.path != b.path { changes.append(Change(kind: .renamed, subject: subject, old: a.path, new: b.path)) }
            if a.layer.className != b.layer.className {
                changes.append(Change(kind: .className, subject: subject, old: a.layer.className, new: b.layer.className))
            }
            if a.layer.nested == nil, b.layer.nested == nil {
                let oldFields = fields(of: .object(a.layer.config.object)), newFields = fields(of: .object(b.layer.config.object))
                for key in Set(oldFields.keys).union(newFields.keys).sorted() where oldFields[key] != newFields[key] {
                    changes.append(Change(kind: .config, subject: subject, field: key, old: oldFields[key], new: newFields[key]))
                }
            }
            let oldShape = shapeText(a.layer.displayedOutputShapes), newShape = shapeText(b.layer.displayedOutputShapes)
            if oldShape != newShape { changes.append(Change(kind: .outputShape, subject: subject, old: oldShape, new: newShape)) }
            let oldParams = a.layer.parameterCount().total, newParams = b.layer.parameterCount().total
            if oldParams != newParams {
                changes.append(Change(kind: .params, subject: subject, old: NumberText.grouped(oldParams), new: NumberText.grouped(newParams)))
            }
            let oldInbound = a.layer.nodes.map { node in node.inputs.map { (renamedTo[a.prefix + $0.layer] ?? a.prefix + $0.layer) + "[\($0.node)][\($0.tensor)]" } }
            let newInbound = b.layer.nodes.map { node in node.inputs.map { b.prefix + $0.layer + "[\($0.node)][\($0.tensor)]" } }
            if oldInbound != newInbound {
                changes.append(Change(kind: .connections, subject: subject, old: connectionText(oldInbound), new: connectionText(newInbound)))
            }
            guard a.layer.nested == nil, b.layer.nested == nil else { continue }
            for (oldWeight, newWeight) in zip(a.layer.weights, b.layer.weights) {
                let weightSubject = subject + "/" + displayName(newWeight, of: b.layer)
                if oldWeight.shape != newWeight.shape {
                    changes.append(Change(kind: .weightShape, subject: weightSubject, old: "\(oldWeight.shape)", new: "\(newWeight.shape)"))
                    continue
                }
                if oldWeight.dtype != newWeight.dtype {
                    changes.append(Change(kind: .weightDType, subject: weightSubject, old: oldWeight.dtype, new: newWeight.dtype))
                }
                guard let oldReader, let newReader, let oldPath = oldWeight.path, let newPath = newWeight.path else { continue }
                let oldValues = try oldReader.values(of: StoredWeight(name: oldWeight.name, path: oldPath, shape: oldWeight.shape, dtype: oldWeight.dtype))
                let newValues = try newReader.values(of: StoredWeight(name: newWeight.name, path: newPath, shape: newWeight.shape, dtype: newWeight.dtype))
                if let change = valueChange(oldValues, newValues, shape: newWeight.shape, atol: atol, rtol: rtol,
                                            subject: weightSubject) {
                    changes.append(change)
                }
            }
            for extra in a.layer.weights.dropFirst(b.layer.weights.count) {
                changes.append(Change(kind: .removed, subject: subject + "/" + displayName(extra, of: a.layer), old: "\(extra.shape)"))
            }
            for extra in b.layer.weights.dropFirst(a.layer.weights.count) {
                changes.append(Change(kind: .added, subject: subject + "/" + displayName(extra, of: b.layer), new: "\(extra.shape)"))
            }
        }
        let oldTotal = old.model.parameterCount(), newTotal = new.model.parameterCount()
        if oldTotal.total != newTotal.total || oldTotal.trainable != newTotal.trainable {
            changes.append(Change(kind: .totalParams, subject: "",
                                  old: "\(NumberText.grouped(oldTotal.total)) (trainable \(NumberText.grouped(oldTotal.trainable)))",
                                  new: "\(NumberText.grouped(newTotal.total)) (trainable \(NumberText.grouped(newTotal.trainable)))"))
        }
        return ModelDiff(changes: changes, valuesCompared: readValues)
    }

    /// Runs both models on `inputs` and reports each output that differs beyond the tolerance
    /// (compared like `run --expected`, the old model's output as the reference).
    public mutating func compareOutputs(_ old: ModelFile, _ new: ModelFile, inputs: [Tensor],
                                        atol: Double = 1e-4, rtol: Double = 1e-4) throws {
        let oldOutputs = try ModelRunner(old).run(inputs).outputs
        let newOutputs = try ModelRunner(new).run(inputs).outputs
        let names = ModelRunner.outputNames(of: new.model)
        guard oldOutputs.count == newOutputs.count else {
            changes.append(Change(kind: .output, subject: "outputs", old: "\(oldOutputs.count)", new: "\(newOutputs.count)"))
            return
        }
        for (index, (a, b)) in zip(oldOutputs, newOutputs).enumerated() {
            let name = index < names.count ? names[index] : "output \(index)"
            let comparison = OutputComparison(name: name, actual: b, expected: a, atol: Float(atol), rtol: Float(rtol))
            if let mismatch = comparison.shapeMismatch {
                changes.append(Change(kind: .output, subject: name, old: "\(a.shape)", new: "\(b.shape) (\(mismatch))"))
            } else if !comparison.matches {
                changes.append(Change(kind: .output, subject: name, maxAbsolute: Double(comparison.maxAbsoluteError),
                                      maxRelative: Double(comparison.maxRelativeError), beyondTolerance: comparison.mismatches,
                                      count: comparison.count))
            }
        }
    }

    /// A layer with its path (`outer/inner` inside nested models).
    struct Entry {
        let path: String
        let prefix: String
        let layer: Layer
    }

    static func flatten(_ model: Model, prefix: String = "") -> [Entry] {
        model.graphLayers.filter { !$0.isImplicitInput }.flatMap { layer -> [Entry] in
            let entry = Entry(path: prefix + layer.name, prefix: prefix, layer: layer)
            guard let nested = layer.nested else { return [entry] }
            return [entry] + flatten(nested, prefix: prefix + layer.name + "/")
        }
    }

    /// Pairs layers by path; then, among the rest in order, a layer of the same class whose
    /// config (name aside) and weight shapes are the same: a rename.
    static func match(_ left: [Entry], _ right: [Entry]) -> [(Int, Int)] {
        let rightByPath = Dictionary(right.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
        var pairs: [(Int, Int)] = []
        var usedRight = Set<Int>()
        var unmatchedLeft: [Int] = []
        for (index, entry) in left.enumerated() {
            if let other = rightByPath[entry.path] {
                pairs.append((index, other))
                usedRight.insert(other)
            } else {
                unmatchedLeft.append(index)
            }
        }
        for index in unmatchedLeft {
            let signature = structure(left[index].layer)
            if let other = right.indices.first(where: { !usedRight.contains($0) && structure(right[$0].layer) == signature }) {
                pairs.append((index, other))
                usedRight.insert(other)
            }
        }
        return pairs.sorted { $0.1 < $1.1 }
    }

    static func structure(_ layer: Layer) -> String {
        var object = layer.config.object
        object["name"] = nil
        return layer.className + JSONWriter.string(.object(object), pretty: false) + "\(layer.weights.map(\.shape))"
    }

    /// Config values as dotted keys with their JSON text, the name aside (renames are reported
    /// on their own).
    static func fields(of value: JSONValue, prefix: String = "") -> [String: String] {
        guard let object = value.objectValue else { return [prefix: JSONWriter.string(value, pretty: false)] }
        var result: [String: String] = [:]
        // `shared_object_id` is how a .keras archive links objects saved once: save metadata.
        for (key, child) in object.entries where !(prefix.isEmpty && key == "name") && key != "shared_object_id" {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if child.objectValue != nil {
                result.merge(fields(of: child, prefix: path)) { first, _ in first }
            } else {
                result[path] = JSONWriter.string(child, pretty: false)
            }
        }
        return result
    }

    /// A weight's name without its layer's (`hidden/kernel` → `kernel`; MultiHeadAttention's
    /// `query/kernel` stays).
    static func shortName(_ name: String, of layer: Layer) -> String {
        name.hasPrefix(layer.name + "/") ? String(name.dropFirst(layer.name.count + 1)) : name
    }

    /// The name to show for a weight: the config's (`kernel`) when known, as every format agrees on it.
    static func displayName(_ weight: LayerWeight, of layer: Layer) -> String {
        weight.expectedName ?? shortName(weight.name, of: layer)
    }

    static func shapeText(_ shapes: [TensorShape]?) -> String {
        guard let shapes else { return "?" }
        return shapes.count == 1 ? shapes[0].description : "[" + shapes.map(\.description).joined(separator: ", ") + "]"
    }

    static func connectionText(_ calls: [[String]]) -> String {
        calls.map { $0.isEmpty ? "-" : $0.joined(separator: ", ") }.joined(separator: "; ")
    }

    /// Compared like `run --expected` and `compareOutputs`, the old values as the reference.
    static func valueChange(_ old: [Float], _ new: [Float], shape: [Int], atol: Double, rtol: Double, subject: String) -> Change? {
        let comparison = OutputComparison(name: subject, actual: Tensor(shape: shape, values: new),
                                          expected: Tensor(shape: shape, values: old), atol: Float(atol), rtol: Float(rtol))
        guard !comparison.matches else { return nil }  // within the tolerance: the same weights
        return Change(kind: .weightValues, subject: subject, maxAbsolute: Double(comparison.maxAbsoluteError),
                      maxRelative: Double(comparison.maxRelativeError), beyondTolerance: comparison.mismatches,
                      count: comparison.count)
    }
}
