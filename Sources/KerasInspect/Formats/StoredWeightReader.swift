/// Reads the values of a model file's stored arrays, one at a time, on request.
/// Summaries never use it; statistics and verification of values do.
public final class StoredWeightReader: @unchecked Sendable {
    private let file: HDF5File

    public init(_ modelFile: ModelFile) throws {
        file = try modelFile.weightsImage ?? HDF5File(path: modelFile.weightsPath ?? modelFile.path)
    }

    /// The array's values as Float (converted by libhdf5 from the stored type).
    public func values(of weight: StoredWeight) throws -> [Float] {
        let relative = weight.path.hasPrefix("/") ? String(weight.path.dropFirst()) : weight.path
        return try file.root.dataset(relative).readFloats()
    }
}
