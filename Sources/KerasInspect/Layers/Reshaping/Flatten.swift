/// `Flatten`: all non-batch axes into one, `(batch, d₁·…·dₙ)`; unknown when any axis is, and
/// `(batch, 1)` for a 1-D input. `data_format` changes the order of values, not the shape.
/// No weights.
public struct FlattenLayer: SingleInputLayerKind {
    public static let classNames = ["Flatten"]

    let channelsFirst: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        channelsFirst = config.channelsFirst
    }

    /// Keras flattens channels-first data in channels-last order (it moves the channel axis
    /// last first), so that a Dense after it sees the same arrangement either way.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        let source = channelsFirst && input.rank > 2 ? Kernels.channelsLast(input) : input
        return try source.reshaped([input.batch, input.count / max(input.batch, 1)])
    }

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
