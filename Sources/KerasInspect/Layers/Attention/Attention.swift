/// `Attention` (Luong, dot-product) and `AdditiveAttention` (Bahdanau) over
/// `[query, value]` or `[query, value, key]` (key defaults to value), in call order.
/// The output is the query's shape with the value's width: `(batch, Tq, dim_v)`.
///
/// Weights are optional scalars or one vector:
/// - Attention: `scale` () with `use_scale` (default off), then `concat_score_weight` ()
///   with `score_mode="concat"`. Params: 0, 1 or 2.
/// - AdditiveAttention: `scale` (dim,) with `use_scale` (default on). Params: dim. Keras 3
///   sizes it by the query's width and tf-keras by the value's; the two agree on every
///   model tf-keras can run, since it multiplies the query by that vector.
///
/// A call with `return_attention_scores=True` also returns the scores `(batch, Tq, Tv)`;
/// that is a call argument, not configuration, so it is not seen here.
public struct AttentionLayer: LayerKind {
    public static let classNames = ["Attention", "AdditiveAttention"]

    public let additive: Bool
    public let useScale: Bool
    public let concatScore: Bool
    /// AdditiveAttention's `scale` width follows the query in Keras 3, the value in tf-keras.
    let scaleFollowsQuery: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        additive = config.className == "AdditiveAttention"
        useScale = config.bool("use_scale", default: additive)
        let scoreMode = config.string("score_mode", default: "dot")
        guard additive || ["dot", "concat"].contains(scoreMode) else {
            throw LayerConfigError("unknown score_mode '\(scoreMode)'")
        }
        concatScore = !additive && scoreMode == "concat"
        scaleFollowsQuery = config.isKeras3
    }

    private func roles(_ inputs: [TensorShape]) throws -> (query: TensorShape, value: TensorShape) {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw LayerConfigError("needs [query, value] or [query, value, key], got \(inputs.count) inputs")
        }
        guard inputs[0].rank >= 2, inputs[1].rank >= 2 else {
            throw LayerConfigError("query and value need a feature axis, got \(inputs[0]) and \(inputs[1])")
        }
        return (inputs[0], inputs[1])
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        let (query, value) = try roles(inputs)
        return [TensorShape(query.dims.dropLast() + [value.dims.last ?? nil])]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        let (query, value) = try roles(inputs)
        var weights: [WeightSpec] = []
        if useScale {
            if additive {
                let source = scaleFollowsQuery ? query : value
                weights.append(WeightSpec("scale", [try LayerMath.lastDimension(source, for: scaleFollowsQuery ? "query" : "value")]))
            } else {
                weights.append(WeightSpec("scale", []))
            }
        }
        if concatScore { weights.append(WeightSpec("concat_score_weight", [])) }
        return weights
    }

    /// Scores (Tq × Tv products of width dim) and the weighted sum of values, per example.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard inputs.count >= 2, inputs[0].rank == 3, inputs[1].rank == 3,
              let batch = inputs[0].dims[0], let queryLength = inputs[0].dims[1], let dim = inputs[0].dims[2],
              let valueLength = inputs[1].dims[1], let valueWidth = inputs[1].dims[2] else { return nil }
        return batch * queryLength * valueLength * (dim + valueWidth)
    }

    public static let explanation = """
        Attention and AdditiveAttention have no projections of their own: they compare the \
        query with the keys and average the values. Their only optional parameters are a \
        learned scale (one number for Attention, one per feature for AdditiveAttention) and, \
        for Attention with score_mode="concat", one more scalar.
        """
}
