/// `Flatten`: all non-batch axes into one. No weights.
public struct FlattenLayer: SingleInputLayerKind {
    public static let classNames = ["Flatten"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let rest = input.withoutBatch
        let product: Int? = rest.allSatisfy { $0 != nil } ? rest.reduce(1) { $0 * $1! } : nil
        return TensorShape([input.dims.first ?? nil, product])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `Reshape`: to `target_shape` (batch excluded); one `-1` takes the remaining size.
public struct ReshapeLayer: SingleInputLayerKind {
    public static let classNames = ["Reshape"]

    public let targetShape: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        targetShape = try config.intList("target_shape", "dims")
        guard targetShape.filter({ $0 == -1 }).count <= 1, targetShape.allSatisfy({ $0 >= -1 }) else {
            throw LayerConfigError("target_shape \(targetShape) is invalid")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        var dims: [Int?] = targetShape.map { $0 }
        if let unknownIndex = targetShape.firstIndex(of: -1) {
            let known = targetShape.filter { $0 != -1 }.reduce(1, *)
            if let total = TensorShape(input.withoutBatch).elementCount {
                guard known > 0, total % known == 0 else {
                    throw LayerConfigError("cannot reshape \(input) to \(targetShape)")
                }
                dims[unknownIndex] = total / known
            } else {
                dims[unknownIndex] = nil
            }
        } else if let total = TensorShape(input.withoutBatch).elementCount, total != targetShape.reduce(1, *) {
            throw LayerConfigError("cannot reshape \(input) to \(targetShape)")
        }
        return TensorShape([input.dims.first ?? nil] + dims)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `Permute`: reorders the non-batch axes; `dims` counts them from 1.
public struct PermuteLayer: SingleInputLayerKind {
    public static let classNames = ["Permute"]

    public let order: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        order = try config.intList("dims")
        guard Set(order) == Set(1...max(1, order.count)) else { throw LayerConfigError("dims \(order) is not a permutation") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank == order.count + 1 else { throw LayerConfigError("dims \(order) do not fit input \(input)") }
        return TensorShape([input.dims[0]] + order.map { input.dims[$0] })
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// `RepeatVector`: `(batch, features)` → `(batch, n, features)`.
public struct RepeatVectorLayer: SingleInputLayerKind {
    public static let classNames = ["RepeatVector"]

    public let count: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        count = try config.int("n")
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank == 2 else { throw LayerConfigError("expects a 2-D input, got \(input)") }
        return TensorShape([input.dims[0], count, input.dims[1]])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
