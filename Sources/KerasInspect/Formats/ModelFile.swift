/// A Keras model file, opened and understood: its format, the model graph with inferred
/// shapes and expected weights, and the metadata of every stored array.
///
/// ```swift
/// let file = try ModelFile.open("model.h5")
/// print(file.model.parameterCount().total)
/// ```
public struct ModelFile: Sendable {
    public var path: String
    public var format: FileFormat
    public var kerasVersion: String?
    public var backend: String?
    public var model: Model
    /// The `training_config` attribute (loss, metrics, optimizer), when the model was compiled.
    public var trainingConfig: JSONValue?
    /// Arrays of the optimizer's state (`optimizer_weights`), which are not model parameters.
    public var optimizerWeights: [StoredWeight]
    /// Whether the file stores weight arrays (false for architecture-only JSON).
    public var hasStoredWeights: Bool
    /// Stored layer groups whose name matches no layer of the model.
    public var unclaimedWeightGroups: [String: [StoredWeight]]
    /// For archives: the weights file held in memory, where `StoredWeight.path`s point.
    let weightsImage: HDF5File?
    /// Set when the weights came from a separate file.
    public var pairedWeightsDescription: String?
    /// The separate weights file, when there is one.
    public var weightsPath: String?

    /// Opens an architecture and a separate weights file together (the pre-2017 habit of
    /// `model.json` + `save_weights`): the architecture from `path`, the arrays from `weightsPath`.
    public static func open(_ path: String, weights weightsPath: String, catalog: LayerCatalog = .standard) throws -> ModelFile {
        var source = try readSource(path)
        guard !source.modelConfig.isNull else {
            throw KerasInspectError(.invalidConfig, file: path, "holds no architecture to pair with \(weightsPath)")
        }
        let weights: ModelSource
        do {
            weights = try readSource(weightsPath)
        } catch let error as KerasInspectError {
            throw error.inFile(weightsPath)
        }
        guard weights.hasWeights else {
            throw KerasInspectError(.notAKerasModel, file: weightsPath, "holds no weights")
        }
        source.layerWeights = weights.layerWeights
        source.layerOrder = weights.layerOrder
        source.layersByPosition = weights.layersByPosition
        source.optimizerWeights = weights.optimizerWeights
        source.archiveWeights = weights.archiveWeights
        source.hasWeights = true
        source.pairedWeightsDescription = weights.format.displayName
        do {
            var file = try ModelFile(path: path, source: source, catalog: catalog)
            file.weightsPath = weightsPath
            return file
        } catch let error as KerasInspectError {
            throw error.inFile(path)
        }
    }

    /// Opens any supported file, recognised by its content.
    public static func open(_ path: String, catalog: LayerCatalog = .standard) throws -> ModelFile {
        do {
            return try ModelFile(path: path, source: try readSource(path), catalog: catalog)
        } catch let error as KerasInspectError {
            throw error.inFile(path)
        }
    }

    private static func readSource(_ path: String) throws -> ModelSource {
        switch LocalFile.kind(of: path) {
        case .missing:
            throw KerasInspectError(.fileNotFound, file: path, "no such file")
        case .directory:
            let savedModel = LocalFile.kind(of: path + "/saved_model.pb") != .missing
            throw KerasInspectError(.unrecognizedFormat, file: path,
                savedModel ? "a TensorFlow SavedModel directory, not a Keras file" : "a directory, not a Keras file")
        case .other:
            throw KerasInspectError(.unrecognizedFormat, file: path, "not a regular file")
        case .regular:
            break
        }
        do {
            switch try FileSniffer.sniff(path: path) {
            case .hdf5:
                return try HDF5ModelReader.read(try HDF5File(path: path))
            case .json:
                return try JSONConfigReader.read(path: path)
            case .zip:
                return try KerasArchiveReader.read(path: path)
            case .other(let description):
                throw KerasInspectError(.unrecognizedFormat, file: path,
                    "not a Keras model file: it looks like \(description)")
            }
        } catch let error as KerasInspectError {
            throw error.inFile(path)
        }
    }

    init(path: String, source: ModelSource, catalog: LayerCatalog) throws {
        var layerWeights = source.layerWeights
        var optimizerWeights = source.optimizerWeights
        var model: Model
        let parsed = source.modelConfig.isNull ? nil : try ModelConfigParser(catalog: catalog).parseModel(source.modelConfig)
        if var parsed, !parsed.structureUnknown {
            try ShapeInference.infer(&parsed)
            model = parsed
            if source.layersByPosition {
                layerWeights = try Self.pairByPosition(order: source.layerOrder, weights: layerWeights, model: model)
            }
            if let archiveWeights = source.archiveWeights {
                layerWeights = try KerasWeightsTree.layerWeights(archiveWeights, model: model)
            }
        } else {
            // No usable architecture: recover the layers from the stored groups.
            var order = source.layerOrder
            var classHints: [String: String] = [:]
            if let archiveWeights = source.archiveWeights {
                (order, layerWeights, classHints) = try WeightsOnlyModel.keras3Layers(archiveWeights)
            }
            model = WeightsOnlyModel.build(name: parsed?.name ?? "weights", className: parsed?.className ?? "?",
                                           order: order, weights: layerWeights, classHints: classHints, catalog: catalog)
        }
        if let archiveWeights = source.archiveWeights {
            optimizerWeights = try KerasWeightsTree.optimizerWeights(archiveWeights)
        }
        let unclaimed = model.attachStoredWeights(layerWeights)
        self.path = path
        self.format = source.format
        self.kerasVersion = source.kerasVersion
        self.backend = source.backend
        self.model = model
        self.trainingConfig = source.trainingConfig
        self.optimizerWeights = optimizerWeights
        self.hasStoredWeights = source.hasWeights
        self.unclaimedWeightGroups = unclaimed.filter { !$0.value.isEmpty }
        self.weightsImage = source.archiveWeights
        self.pairedWeightsDescription = source.pairedWeightsDescription
    }

    /// Keras 0.x groups (`layer_<k>`) belong to the k-th layer as Keras 1's loader counted them
    /// (Sequential's `flattened_layers`): no input layers, and no Merge that starts a Sequential.
    static func pairByPosition(order: [String], weights: [String: [StoredWeight]],
                               model: Model) throws -> [String: [StoredWeight]] {
        var layers = model.layers.filter { $0.className != "InputLayer" }
        if layers.count != order.count { layers.removeAll { $0.className == "Merge" } }
        guard layers.count == order.count else {
            throw KerasInspectError(.invalidConfig,
                "the Keras 0.x weights hold \(order.count) layers, the architecture has \(layers.count): Keras pairs them by position")
        }
        var paired: [String: [StoredWeight]] = [:]
        for (group, layer) in zip(order, layers) {
            paired[layer.name] = weights[group] ?? []
        }
        return paired
    }

    /// Elements of the optimizer's stored state, or `nil` when the file stores none.
    public var optimizerParameterCount: Int? {
        optimizerWeights.isEmpty ? nil : optimizerWeights.reduce(0) { $0 + $1.elementCount }
    }

    /// The format line of the summary: `Keras 3 HDF5 model (.h5), keras 3.15.1, backend tensorflow`.
    public var formatDescription: String {
        var parts = [format.displayName]
        if let kerasVersion { parts.append("keras \(kerasVersion)") }
        if let backend { parts.append("backend \(backend)") }
        if let pairedWeightsDescription { parts.append("weights from a \(pairedWeightsDescription)") }
        return parts.joined(separator: ", ")
    }
}
