/// `Permute`: reorders the non-batch axes; `dims` numbers them from 1, so `(2, 1)` swaps the
/// two axes of a `(batch, steps, features)` input. No weights.
public struct PermuteLayer: SingleInputLayerKind {
    public static let classNames = ["Permute"]

    public let order: [Int]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        order = try config.intList("dims")
        guard !order.isEmpty, order.sorted() == Array(1...order.count) else {
            throw LayerConfigError("dims \(order) is not a permutation of 1…\(order.count)")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard input.rank == order.count + 1 else { throw LayerConfigError("dims \(order) do not fit input \(input)") }
        return TensorShape([input[0]] + order.map { input[$0] })
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard input.rank == order.count + 1 else { throw RuntimeError("dims \(order) do not fit input \(input.shape)") }
        return Kernels.transpose(input, permutation: [0] + order)
    }
}
