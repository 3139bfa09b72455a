/// `RepeatVector`: `(batch, features)` → `(batch, n, features)`. No weights.
public struct RepeatVectorLayer: SingleInputLayerKind {
    public static let classNames = ["RepeatVector"]

    public let count: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        count = try config.int("n")
        guard count >= 0 else { throw LayerConfigError("n must not be negative, got \(count)") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank == 2 else { throw LayerConfigError("expects a 2-D input, got \(input)") }
        return TensorShape([input[0], count, input[1]])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
