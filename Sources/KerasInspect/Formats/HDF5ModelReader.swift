/// Reads full-model HDF5 files (`model.save("m.h5")`) of Keras 1.0.7+, Keras 2, tf.keras
/// and Keras 3: the root attributes, the `model_weights` tree and the optimizer's arrays.
/// Only shapes and element types are read, never weight data.
enum HDF5ModelReader {
    static func read(_ file: HDF5File) throws -> ModelSource {
        let root = try file.root
        guard let configText = try root.stringAttribute("model_config") else {
            return try readWeightsOnly(file, root: root)
        }
        let modelConfig = try JSONConfigReader.parseConfigText(configText, origin: "the model_config attribute", file: file.path)
        let kerasVersion = try root.stringAttribute("keras_version")
        var source = ModelSource(
            format: FileFormat.hdf5Generation(kerasVersion: kerasVersion),
            kerasVersion: kerasVersion,
            backend: try root.stringAttribute("backend"),
            modelConfig: modelConfig)
        if let trainingText = try root.stringAttribute("training_config") {
            source.trainingConfig = try? JSONParser.parse(trainingText)
        }
        if root.childKind("model_weights") == .group {
            source.layerWeights = try readLayerWeights(try root.group("model_weights"))
            source.hasWeights = true
        }
        if root.childKind("optimizer_weights") == .group {
            source.optimizerWeights = try readWeightList(try root.group("optimizer_weights"))
        }
        return source
    }

    /// `save_weights` files: Keras 1/2/tf.keras (`layer_names` at the root) or Keras 3
    /// (`layers/…/vars`). They have no architecture; the model is recovered from the groups.
    static func readWeightsOnly(_ file: HDF5File, root: HDF5Group) throws -> ModelSource {
        if root.hasAttribute("layer_names") || root.hasAttribute("layer_names0") {
            let kerasVersion = try root.stringAttribute("keras_version")
            var source = ModelSource(format: .weightsOnlyHDF5, kerasVersion: kerasVersion,
                                     backend: try root.stringAttribute("backend"), modelConfig: .null)
            source.layerOrder = try root.chunkedStringsAttribute("layer_names") ?? []
            source.layerWeights = try readLayerWeights(root)
            source.hasWeights = true
            return source
        }
        if root.hasAttribute("nb_layers") {
            return try readKeras0Weights(root)
        }
        if root.childKind("layers") == .group || root.childKind("vars") == .group {
            var source = ModelSource(format: .keras3WeightsHDF5, kerasVersion: nil, backend: nil, modelConfig: .null)
            source.archiveWeights = file
            source.hasWeights = true
            return source
        }
        throw KerasInspectError(.notAKerasModel, file: file.path, describeNonModel(root))
    }

    /// Keras 0.x `save_weights` (read by Keras 1's loader as its legacy format): root attribute
    /// `nb_layers`, groups `layer_<k>` with attribute `nb_params` and datasets `param_<i>`, one
    /// group per layer of the model, weightless layers included.
    static func readKeras0Weights(_ root: HDF5Group) throws -> ModelSource {
        // Far beyond any real model; a corrupt count must not drive a loop.
        let limit = 1_000_000
        guard let count = try root.intAttribute("nb_layers"), (0...limit).contains(count) else {
            throw KerasInspectError(.invalidConfig, "Keras 0.x weights file with an unusable nb_layers attribute")
        }
        var source = ModelSource(format: .keras0WeightsHDF5, kerasVersion: nil, backend: nil, modelConfig: .null)
        source.layersByPosition = true
        source.hasWeights = true
        for index in 0..<count {
            let name = "layer_\(index)"
            guard root.childKind(name) == .group else {
                throw KerasInspectError(.invalidConfig, "Keras 0.x weights file declares \(count) layers but has no group \(name)")
            }
            let group = try root.group(name)
            guard let params = try group.intAttribute("nb_params"), (0...limit).contains(params) else {
                throw KerasInspectError(.invalidConfig, "group \(name) has an unusable nb_params attribute")
            }
            source.layerOrder.append(name)
            source.layerWeights[name] = try (0..<params).map { param in
                let dataset = try group.dataset("param_\(param)")
                return StoredWeight(name: "param_\(param)", path: dataset.path, shape: dataset.shape, dtype: dataset.dtype)
            }
        }
        return source
    }

    /// Arrays of each layer group listed in `layer_names` (chunked as `layer_names0…` in big models).
    static func readLayerWeights(_ group: HDF5Group) throws -> [String: [StoredWeight]] {
        var result: [String: [StoredWeight]] = [:]
        for layerName in try group.chunkedStringsAttribute("layer_names") ?? [] {
            guard group.childKind(layerName) == .group else { continue }
            result[layerName] = try readWeightList(try group.group(layerName))
        }
        return result
    }

    /// The arrays named by a group's `weight_names`, in that order. Each name is a path
    /// relative to the group (`dense/kernel:0` lives at `<group>/dense/kernel:0`).
    static func readWeightList(_ group: HDF5Group) throws -> [StoredWeight] {
        try (group.chunkedStringsAttribute("weight_names") ?? []).map { name in
            let dataset = try group.dataset(name)
            return StoredWeight(name: name, path: dataset.path, shape: dataset.shape, dtype: dataset.dtype)
        }
    }

    /// One line about an HDF5 file that holds no Keras model: what it holds instead.
    static func describeNonModel(_ root: HDF5Group) -> String {
        if root.hasAttribute("layer_names") || root.hasAttribute("layer_names0") {
            return "Keras weights-only HDF5 file (save_weights): it holds weights but no architecture"
        }
        if root.childKind("layers") == .group || root.childKind("vars") == .group {
            return "Keras 3 weights-only file (.weights.h5): it holds weights but no architecture"
        }
        let children = ((try? root.childNames()) ?? []).prefix(6)
        if children.isEmpty { return "HDF5 file with no Keras model: it is empty" }
        return "HDF5 file with no Keras model: top-level objects " + children.joined(separator: ", ")
    }
}
