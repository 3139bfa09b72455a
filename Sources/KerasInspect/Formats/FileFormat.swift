/// What kind of Keras file was read, and by which generation of Keras it was written.
public enum FileFormat: String, Sendable, CaseIterable {
    case keras1HDF5 = "keras1-h5"
    case keras2HDF5 = "keras2-h5"
    case tfKerasHDF5 = "tf-keras-h5"
    case keras3HDF5 = "keras3-h5"
    case jsonConfig = "json"
    case kerasArchive = "keras-archive"
    case weightsOnlyHDF5 = "weights-h5"
    case keras3WeightsHDF5 = "keras3-weights-h5"
    case keras0WeightsHDF5 = "keras0-weights-h5"

    /// How the summary's first line names the format.
    public var displayName: String {
        switch self {
        case .keras1HDF5: return "Keras 1 HDF5 model (.h5)"
        case .keras2HDF5: return "Keras 2 HDF5 model (.h5)"
        case .tfKerasHDF5: return "tf.keras HDF5 model (.h5)"
        case .keras3HDF5: return "Keras 3 HDF5 model (.h5)"
        case .jsonConfig: return "Keras model config (JSON)"
        case .kerasArchive: return "Keras archive (.keras)"
        case .weightsOnlyHDF5: return "Keras weights-only HDF5 (save_weights, no architecture)"
        case .keras3WeightsHDF5: return "Keras 3 weights file (.weights.h5, no architecture)"
        case .keras0WeightsHDF5: return "Keras 0.x weights file (nb_layers, no architecture)"
        }
    }

    /// The HDF5 flavour for a full-model file, from the `keras_version` attribute it carries.
    /// Keras 1.0.7–1.2.2 wrote `1.x`; standalone Keras 2.0–2.3 wrote `2.x.y`; tf.keras wrote
    /// `2.x.y-tf` or a TensorFlow-matching `2.4`+; Keras 3 writes `3.x`. No version at all
    /// means Keras 1 (its loader treated it so).
    static func hdf5Generation(kerasVersion: String?) -> FileFormat {
        guard let version = kerasVersion, let major = version.split(separator: ".").first.flatMap({ Int($0) }) else {
            return .keras1HDF5
        }
        switch major {
        case ...1: return .keras1HDF5
        case 2:
            if version.hasSuffix("-tf") { return .tfKerasHDF5 }
            let minor = version.split(separator: ".").dropFirst().first.flatMap { Int($0) } ?? 0
            return minor >= 4 ? .tfKerasHDF5 : .keras2HDF5
        default: return .keras3HDF5
        }
    }
}

/// What a format reader found in a file, before the graph is built.
struct ModelSource {
    var format: FileFormat
    var kerasVersion: String?
    var backend: String?
    var modelConfig: JSONValue
    var trainingConfig: JSONValue?
    /// Stored arrays by top-level layer name (empty for config-only files).
    var layerWeights: [String: [StoredWeight]] = [:]
    /// The order of the stored layer groups (`layer_names`), for files without a config.
    var layerOrder: [String] = []
    /// Keras 0.x files name their groups `layer_0`, `layer_1`, …: they belong to the
    /// architecture's layers by position, not by name.
    var layersByPosition = false
    var optimizerWeights: [StoredWeight] = []
    var hasWeights = false
    /// A Keras 3 weights tree whose groups are mapped to layers once the graph is built.
    var archiveWeights: HDF5File?
    /// Things worth telling the user about how the file was read.
    var notes: [String] = []
    /// Set when the weights come from a separate file (`--weights`).
    var pairedWeightsDescription: String?
}
