/// `Reshape`: to `target_shape` (batch axis excluded); one `-1` takes whatever size is left,
/// unknown when the input's size is. The element count must not change. No weights.
public struct ReshapeLayer: SingleInputLayerKind {
    public static let classNames = ["Reshape"]

    public let targetShape: [Int]
    /// Product of the target's fixed axes.
    let fixedElements: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        targetShape = try config.intList("target_shape", "dims")
        guard targetShape.filter({ $0 == -1 }).count <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw LayerConfigError("target_shape \(targetShape) needs positive sizes and at most one -1")
        }
        fixedElements = try LayerMath.product(targetShape.filter { $0 != -1 }, of: "target_shape \(targetShape)")
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let known = input.withoutBatch.allSatisfy { $0 != nil }
        let total = known ? try LayerMath.product(input.withoutBatch.compactMap { $0 }, of: "the size of \(input)") : nil
        var dims: [Int?] = targetShape
        if let inferred = targetShape.firstIndex(of: -1) {
            if let total {
                guard total % fixedElements == 0 else {
                    throw LayerConfigError("cannot reshape \(input) to \(targetShape): \(total) values do not split")
                }
                dims[inferred] = total / fixedElements
            } else {
                dims[inferred] = nil
            }
        } else if let total, total != fixedElements {
            throw LayerConfigError("cannot reshape \(input) (\(total) values) to \(targetShape) (\(fixedElements))")
        }
        return TensorShape([input.dims.first ?? nil] + dims)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let perSample = input.count / max(input.batch, 1)
        var dims = targetShape
        if let inferred = dims.firstIndex(of: -1) { dims[inferred] = perSample / max(fixedElements, 1) }
        return try input.reshaped([input.batch] + dims)
    }
}
