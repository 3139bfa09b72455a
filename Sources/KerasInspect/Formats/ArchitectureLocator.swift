/// Finds the architecture that belongs to a weights-only file: users keep `model.json`
/// (`to_json()`) beside `model.weights.h5` (`save_weights`), and commands that need a
/// structure can then suggest `--config` instead of only saying that none is there.
public enum ArchitectureLocator {
    /// More JSON files than this in one folder are not opened one by one.
    static let maximumCandidates = 32
    /// Larger JSON files are not architectures worth parsing for a suggestion.
    static let maximumBytes = 16 << 20

    /// JSON files in the weights file's folder that hold a model config whose layers claim
    /// every stored weight group, best first: same stem as the weights file (`model.json` for
    /// `model.weights.h5` or `model_weights.h5`), then the others by name.
    public static func candidates(forWeights file: ModelFile) -> [String] {
        guard file.model.structureUnknown, file.hasStoredWeights else { return [] }
        // Paths are built from the one the user gave, so a relative path stays relative.
        let name = String(file.path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        let folderPrefix = String(file.path.dropLast(name.count))
        guard let names = LocalFile.entries(of: folderPrefix.isEmpty ? "." : folderPrefix) else { return [] }
        let stem = weightsStem(name)
        let jsonNames = names.filter { $0.lowercased().hasSuffix(".json") }.sorted {
            let (a, b) = (jsonStem($0) == stem, jsonStem($1) == stem)
            return a != b ? a : $0 < $1
        }
        guard jsonNames.count <= maximumCandidates else {
            return jsonNames.filter { jsonStem($0) == stem }.map { folderPrefix + $0 }.filter { pairs($0, with: file) }
        }
        return jsonNames.map { folderPrefix + $0 }.filter { pairs($0, with: file) }
    }

    /// The architecture opens with these weights and every stored group finds its layer.
    static func pairs(_ jsonPath: String, with weights: ModelFile) -> Bool {
        guard case .regular(let size) = LocalFile.kind(of: jsonPath), size <= maximumBytes,
              let paired = try? ModelFile.open(jsonPath, weights: weights.path) else { return false }
        return paired.unclaimedWeightGroups.isEmpty && !paired.model.structureUnknown
    }

    /// `model.weights.h5`, `model_weights.h5`, `model-weights.hdf5`, `model.h5` → `model`.
    static func weightsStem(_ name: String) -> String {
        var stem = Substring(name)
        for suffix in [".h5", ".hdf5", ".keras"] where stem.lowercased().hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
            break
        }
        for suffix in [".weights", "_weights", "-weights"] where stem.lowercased().hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
            break
        }
        return String(stem)
    }

    static func jsonStem(_ name: String) -> String { String(name.dropLast(".json".count)) }
}
