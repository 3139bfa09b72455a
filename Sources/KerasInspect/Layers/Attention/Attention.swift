import Glibc

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
/// A call with `return_attention_scores=True` also returns the scores `(batch, Tq, Tv)`
/// (after the softmax); `use_causal_mask=True` lets query i see values 0…i only.
public struct AttentionLayer: LayerKind {
    public static let classNames = ["Attention", "AdditiveAttention"]
    public static let callKeywords: Set<String> = ["use_causal_mask", "return_attention_scores"]

    public let additive: Bool
    public let useScale: Bool
    public let concatScore: Bool
    /// AdditiveAttention's `scale` width follows the query in Keras 3, the value in tf-keras.
    let scaleFollowsQuery: Bool
    /// TensorFlow 2.4–2.9 saved `causal` in the config; later versions take
    /// `use_causal_mask` as a call argument, which a saved graph keeps outside the config.
    let causal: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        additive = config.className == "AdditiveAttention"
        useScale = config.bool("use_scale", default: additive)
        let scoreMode = config.string("score_mode", default: "dot")
        guard additive || ["dot", "concat"].contains(scoreMode) else {
            throw LayerConfigError("unknown score_mode '\(scoreMode)'")
        }
        concatScore = !additive && scoreMode == "concat"
        scaleFollowsQuery = config.isKeras3
        causal = config.bool("causal", default: false)
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
        try outputShapes(for: inputs, keywords: JSONObject())
    }

    public func outputShapes(for inputs: [TensorShape], keywords: JSONObject) throws -> [TensorShape] {
        let (query, value) = try roles(inputs)
        let output = TensorShape(query.dims.dropLast() + [value.dims.last ?? nil])
        guard keywords["return_attention_scores"]?.boolValue == true else { return [output] }
        return [output, TensorShape(query.dims.dropLast() + [value.dims.dropLast().last ?? nil])]
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

    /// Per example: scores (Tq × Tv), masked by the value mask (and the causal triangle) to
    /// -1e9, softmax over the values, the weighted sum of the values, and rows of masked
    /// queries set to zero. Scores are `scale · q·k` (dot; Keras' BaseDenseAttention
    /// `_calculate_scores`), `w · Σ tanh(scale · (q + k))` (concat) or `Σ scale · tanh(q + k)`
    /// (additive), the scales being 1 when absent.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        try forward(inputs, weights: weights, keywords: JSONObject())
    }

    public func forward(_ inputs: [Tensor], weights: [Tensor], keywords: JSONObject) throws -> [Tensor] {
        let causal = causal || keywords["use_causal_mask"]?.boolValue == true
        let returnsScores = keywords["return_attention_scores"]?.boolValue == true
        guard inputs.count == 2 || inputs.count == 3 else { throw RuntimeError("needs [query, value] or [query, value, key]") }
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        guard query.rank == 3, value.rank == 3, key.rank == 3 else {
            throw RuntimeError("only (batch, time, features) inputs can run, got \(inputs.map(\.shape))")
        }
        let batch = query.shape[0], queryLength = query.shape[1], dim = query.shape[2]
        let valueLength = value.shape[1], valueWidth = value.shape[2]
        guard key.shape[0] == batch, value.shape[0] == batch, key.shape[1] == valueLength, key.shape[2] == dim else {
            throw RuntimeError("query \(query.shape), value \(value.shape) and key \(key.shape) do not fit together")
        }
        var next = 0
        let scale = useScale ? weights[safe: next] : nil
        if useScale { next += 1 }
        let concatWeight = concatScore ? weights[safe: next]?.values.first : nil
        if useScale, scale == nil || (additive && scale!.count != dim) { throw RuntimeError("missing or misshapen scale") }
        if concatScore, concatWeight == nil { throw RuntimeError("missing concat_score_weight") }
        let allowed = try Kernels.attentionMask(batch: batch, queryLength: queryLength, keyLength: valueLength,
                                                queryMask: nil, valueMask: value.mask, keyMask: nil, causal: causal)
        var output = [Float](repeating: 0, count: batch * queryLength * valueWidth)
        var scores = [Float](repeating: 0, count: queryLength * valueLength)
        var allScores = [Float](repeating: 0, count: returnsScores ? batch * queryLength * valueLength : 0)
        query.values.withUnsafeBufferPointer { q in
            key.values.withUnsafeBufferPointer { k in
                value.values.withUnsafeBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { scores in
                            for b in 0..<batch {
                                let qb = q.baseAddress! + b * queryLength * dim, kb = k.baseAddress! + b * valueLength * dim
                                if !additive && !concatScore {
                                    BLAS.gemm(m: queryLength, n: valueLength, k: dim, qb, kb, transposeB: true,
                                              scores.baseAddress!, alpha: scale?.values[0] ?? 1)
                                } else {
                                    let s = scale?.values
                                    for i in 0..<queryLength {
                                        for j in 0..<valueLength {
                                            var sum: Float = 0
                                            for d in 0..<dim {
                                                let x = qb[i * dim + d] + kb[j * dim + d]
                                                if additive {
                                                    sum += (s?[d] ?? 1) * tanhf(x)
                                                } else {
                                                    sum += tanhf((s?[0] ?? 1) * x)
                                                }
                                            }
                                            scores[i * valueLength + j] = concatScore ? concatWeight! * sum : sum
                                        }
                                    }
                                }
                                Kernels.withFlags(allowed) { flags in
                                    Kernels.maskedSoftmaxRows(scores.baseAddress!, rows: queryLength, width: valueLength,
                                                              allowed: flags.map { $0 + b * queryLength * valueLength })
                                }
                                BLAS.gemm(m: queryLength, n: valueWidth, k: valueLength, scores.baseAddress!,
                                          v.baseAddress! + b * valueLength * valueWidth,
                                          out.baseAddress! + b * queryLength * valueWidth)
                                if returnsScores {
                                    let base = b * queryLength * valueLength
                                    for i in 0..<(queryLength * valueLength) { allScores[base + i] = scores[i] }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let queryMask = query.mask {
            guard queryMask.count == batch * queryLength else { throw RuntimeError("the query mask does not fit \(query.shape)") }
            for row in 0..<(batch * queryLength) where !queryMask[row] {
                for d in 0..<valueWidth { output[row * valueWidth + d] = 0 }
            }
        }
        let result = Tensor(shape: [batch, queryLength, valueWidth], values: output, mask: query.mask)
        guard returnsScores else { return [result] }
        return [result, Tensor(shape: [batch, queryLength, valueLength], values: allScores)]
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

fileprivate extension Array {
    /// The element at `index`, or nil past the end.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
