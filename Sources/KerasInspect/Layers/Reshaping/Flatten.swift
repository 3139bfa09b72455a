/// `Flatten`: all non-batch axes into one, `(batch, d₁·…·dₙ)`; unknown when any axis is, and
/// `(batch, 1)` for a 1-D input. `data_format` changes the order of values, not the shape.
/// No weights.
public struct FlattenLayer: SingleInputLayerKind {
    public static let classNames = ["Flatten"]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {}

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        let rest = input.withoutBatch
        var length: Int?
        if rest.allSatisfy({ $0 != nil }) {
            length = try LayerMath.product(rest.compactMap { $0 }, of: "the flattened length of \(input)")
        }
        return TensorShape([input.dims.first ?? nil, length])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}
