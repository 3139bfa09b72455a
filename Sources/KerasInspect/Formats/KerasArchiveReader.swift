/// Reads Keras 3 (and tf-keras ≥ 2.13) `.keras` archives: `config.json`, `metadata.json`
/// and `model.weights.h5`, the last opened from memory (libhdf5 file image), never
/// written to disk.
enum KerasArchiveReader {
    static func read(path: String) throws -> ModelSource {
        let archive = try ZipArchive(path: path)
        guard let configMember = archive.member(named: "config.json") else {
            let names = archive.members.prefix(5).map(\.name).joined(separator: ", ")
            throw KerasInspectError(.notAKerasModel, file: path,
                "zip archive without config.json, so not a .keras model (members: \(names))")
        }
        guard configMember.uncompressedSize <= JSONConfigReader.maximumSize else {
            throw KerasInspectError(.limitExceeded, file: path, "config.json of \(configMember.uncompressedSize) bytes is too large")
        }
        let config = try JSONConfigReader.parseConfigBytes(try archive.data(of: configMember), origin: "config.json", file: path)
        var kerasVersion: String?
        if let metadata = archive.member(named: "metadata.json"), metadata.uncompressedSize < 1 << 20,
           let value = try? JSONParser.parse(try archive.data(of: metadata)) {
            kerasVersion = value["keras_version"]?.stringValue
        }
        var source = ModelSource(format: .kerasArchive, kerasVersion: kerasVersion, backend: nil, modelConfig: config)
        if let weights = archive.member(named: "model.weights.h5") {
            source.archiveWeights = try HDF5File(image: try archive.data(of: weights), name: path + ":model.weights.h5")
            source.hasWeights = true
        } else if archive.member(named: "model.weights.npz") != nil {
            source.notes.append("weights are stored as model.weights.npz, which is not read yet")
        }
        return source
    }
}

/// Maps the `layers/<name>/vars/<i>` tree of a Keras 3 weights file onto a model's layers.
///
/// Keras names weight groups after the snake-cased class plus a per-container counter
/// (`dense`, `dense_1`, …), in `model.layers` order, not after the user's layer names. Since
/// Keras 3.6 each `vars` group also records the layer's own name in an attribute `name`,
/// which is preferred when present.
enum KerasWeightsTree {
    /// Stored arrays by top-level layer name. Arrays of nested models are named
    /// `<sub-layer>/…` so that they reach their sub-layer.
    static func layerWeights(_ file: HDF5File, model: Model) throws -> [String: [StoredWeight]] {
        try collect(container: try file.root, model: model)
    }

    static func optimizerWeights(_ file: HDF5File) throws -> [StoredWeight] {
        let root = try file.root
        guard root.childKind("optimizer") == .group else { return [] }
        return try arrays(in: try root.group("optimizer"), relativeTo: "optimizer")
    }

    private static func collect(container: HDF5Group, model: Model) throws -> [String: [StoredWeight]] {
        let listName = ["layers", "_layer_checkpoint_dependencies"].first { container.childKind($0) == .group }
        guard let listName else { return [:] }
        let list = try container.group(listName)
        var groupByLayerName: [String: String] = [:]
        for child in try list.childNames() where list.childKind(child + "/vars") == .group {
            if let name = try list.group(child + "/vars").stringAttribute("name") { groupByLayerName[name] = child }
        }
        var counters: [String: Int] = [:]
        var result: [String: [StoredWeight]] = [:]
        for layer in model.layers {
            let snake = snakeCase(layer.nested.map { $0.isSequential ? "Sequential" : "Functional" } ?? layer.className)
            let counter = counters[snake, default: 0]
            counters[snake] = counter + 1
            let positional = counter == 0 ? snake : "\(snake)_\(counter)"
            let groupName = groupByLayerName[layer.name] ?? positional
            guard list.childKind(groupName) == .group else { continue }
            let group = try list.group(groupName)
            var weights = try arrays(in: group, relativeTo: layer.name, skipping: ["layers", "_layer_checkpoint_dependencies"])
            if let nested = layer.nested {
                for (subLayer, subWeights) in try collect(container: group, model: nested) {
                    weights += subWeights.map { weight in
                        var renamed = weight
                        renamed.name = subLayer + "/" + weight.name.split(separator: "/", maxSplits: 1).dropFirst().joined()
                        if !weight.name.hasPrefix(subLayer + "/") { renamed.name = subLayer + "/" + weight.name }
                        return renamed
                    }
                }
            }
            result[layer.name] = weights
        }
        return result
    }

    /// Order of a compound layer's sub-objects in Keras' own weight order (query before
    /// key, forward before backward); others follow alphabetically. tf-keras writes the
    /// same attributes with a leading underscore (`_query_dense`).
    static let subObjectOrder = ["vars", "cell", "forward_layer", "backward_layer", "layer",
                                 "query_dense", "key_dense", "value_dense", "output_dense"]

    /// Every dataset below `group`, `vars/<i>` in numeric order, sub-objects in Keras' order.
    static func arrays(in group: HDF5Group, relativeTo label: String, skipping: Set<String> = []) throws -> [StoredWeight] {
        var result: [StoredWeight] = []
        let children = try group.childNames().filter { !skipping.contains($0) }
        let rank = { (name: String) in
            subObjectOrder.firstIndex(of: name.hasPrefix("_") ? String(name.dropFirst()) : name) ?? Int.max
        }
        let ordered = children.sorted { a, b in
            let ai = rank(a), bi = rank(b)
            if ai != bi { return ai < bi }
            if let x = Int(a), let y = Int(b) { return x < y }
            return a < b
        }
        for child in ordered {
            switch group.childKind(child) {
            case .dataset:
                let dataset = try group.dataset(child)
                result.append(StoredWeight(name: label + "/" + child, path: dataset.path, shape: dataset.shape, dtype: dataset.dtype))
            case .group:
                result += try arrays(in: try group.group(child), relativeTo: label + "/" + child)
            case nil:
                continue
            }
        }
        return result
    }

    /// Keras' `to_snake_case`: `MultiHeadAttention` → `multi_head_attention`,
    /// `PReLU` → `p_re_lu`, `Conv2DTranspose` → `conv2d_transpose`.
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        var firstPass: [Character] = []
        var index = 0
        // "(.)([A-Z][a-z]+)" → "\1_\2", scanning left to right without overlap.
        while index < characters.count {
            if index + 2 < characters.count, characters[index + 1].isUppercase, characters[index + 2].isLowercase {
                firstPass.append(characters[index])
                firstPass.append("_")
                var end = index + 2
                while end < characters.count, characters[end].isLowercase { end += 1 }
                firstPass += characters[(index + 1)..<end]
                index = end
            } else {
                firstPass.append(characters[index])
                index += 1
            }
        }
        var secondPass = ""
        index = 0
        // "([a-z])([A-Z])" → "\1_\2".
        while index < firstPass.count {
            if index + 1 < firstPass.count, firstPass[index].isLowercase, firstPass[index].isASCII,
               firstPass[index + 1].isUppercase {
                secondPass += String(firstPass[index]) + "_" + String(firstPass[index + 1])
                index += 2
            } else {
                secondPass.append(firstPass[index])
                index += 1
            }
        }
        return secondPass.lowercased()
    }
}
