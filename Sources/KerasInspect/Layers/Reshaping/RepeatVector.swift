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

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let width = input.lastDimension
        var values = [Float]()
        values.reserveCapacity(input.count * count)
        for b in 0..<input.batch {
            let row = input.values[(b * width)..<((b + 1) * width)]
            for _ in 0..<count { values.append(contentsOf: row) }
        }
        return Tensor(shape: [input.batch, count, width], values: values)
    }
}
