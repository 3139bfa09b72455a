/// `GroupQueryAttention` (Keras 3): attention where `num_key_value_heads` key/value heads
/// are shared by groups of the `num_query_heads` query heads, over (query, value[, key]).
/// The output has the query's shape.
///
/// Dense projections, each with a bias when `use_bias`, in creation order: query
/// `(Dq, Hq, head_dim)`, key `(Dk, Hkv, head_dim)`, with `use_gate` a gate on the query
/// `(Dq, Hq, head_dim)`, value `(Dv, Hkv, head_dim)`, and the output `(Hq, head_dim, Dq)`
/// with bias `(Dq,)`. Params: the sum of those kernels and biases, e.g. 4 query and 2
/// key/value heads of 4 on width 8: 8·4·4 + 8·2·4 + 8·2·4 + 4·4·8 = 384, + 16 + 8 + 8 + 8
/// of bias = 424.
public struct GroupedQueryAttentionLayer: LayerKind {
    public static let classNames = ["GroupQueryAttention"]
    /// tf-keras and Keras 3 let query, value and key be passed by name.
    public static let tensorKeywords = ["query", "value", "key"]

    public let headDim: Int
    public let queryHeads: Int
    public let keyValueHeads: Int
    public let useBias: Bool
    public let useGate: Bool
    /// Each query attends only to keys fewer than this many positions away.
    let slidingWindow: Int?
    /// With dropout Keras takes its einsum path even at inference, whose Softmax layer zeroes
    /// masked probabilities (a fully masked query row then gives the output bias alone).
    let zeroMaskedScores: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        headDim = try config.int("head_dim")
        queryHeads = try config.int("num_query_heads")
        keyValueHeads = try config.int("num_key_value_heads")
        useBias = config.bool("use_bias", default: true)
        useGate = config.bool("use_gate", default: false)
        slidingWindow = config.optionalInt("sliding_window")
        zeroMaskedScores = config.double("dropout", default: 0) > 0
        guard headDim > 0, queryHeads > 0, keyValueHeads > 0 else {
            throw LayerConfigError("head_dim, num_query_heads and num_key_value_heads must be positive")
        }
        guard queryHeads % keyValueHeads == 0 else {
            throw LayerConfigError("num_query_heads (\(queryHeads)) is not a multiple of num_key_value_heads (\(keyValueHeads))")
        }
    }

    /// Query, value and key (which defaults to value), in call order.
    private func roles(_ inputs: [TensorShape]) throws -> (query: TensorShape, value: TensorShape, key: TensorShape) {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw LayerConfigError("needs query, value and optionally key, got \(inputs.count) inputs")
        }
        return (inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : inputs[1])
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        [try roles(inputs).query]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        let (query, value, key) = try roles(inputs)
        let queryWidth = try LayerMath.lastDimension(query, for: "query")
        let valueWidth = try LayerMath.lastDimension(value, for: "value")
        let keyWidth = try LayerMath.lastDimension(key, for: "key")
        var weights: [WeightSpec] = []
        func projection(_ name: String, kernel: [Int], bias: [Int]) {
            weights.append(WeightSpec("\(name)/kernel", kernel))
            if useBias { weights.append(WeightSpec("\(name)/bias", bias)) }
        }
        projection("query", kernel: [queryWidth, queryHeads, headDim], bias: [queryHeads, headDim])
        projection("key", kernel: [keyWidth, keyValueHeads, headDim], bias: [keyValueHeads, headDim])
        if useGate { projection("gate", kernel: [queryWidth, queryHeads, headDim], bias: [queryHeads, headDim]) }
        projection("value", kernel: [valueWidth, keyValueHeads, headDim], bias: [keyValueHeads, headDim])
        projection("attention_output", kernel: [queryHeads, headDim, queryWidth], bias: [queryWidth])
        return weights
    }

    /// Keras 3's GroupQueryAttention.call: projections, each key/value head repeated for its
    /// group of num_query_heads / num_key_value_heads query heads (query head h reads key/value
    /// head h / group), softmax(q·k / √head_dim) with the masks of `_compute_attention_mask`,
    /// the sigmoid gate with `use_gate`, and the output projection.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 || inputs.count == 3 else { throw RuntimeError("needs query, value and optionally key") }
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        guard query.rank == 3, value.rank == 3, key.rank == 3, Array(value.shape.dropLast()) == Array(key.shape.dropLast()),
              value.batch == query.batch else {
            throw RuntimeError("needs (batch, time, features) inputs with matching value and key, got \(inputs.map(\.shape))")
        }
        let stride = useBias ? 2 : 1
        guard weights.count == (useGate ? 5 : 4) * stride else {
            throw RuntimeError("expected \((useGate ? 5 : 4) * stride) weights, got \(weights.count)")
        }
        func projection(_ index: Int, _ x: Tensor) throws -> [Float] {
            try Kernels.project(x, kernel: weights[index * stride], bias: useBias ? weights[index * stride + 1] : nil)
        }
        let order = useGate ? (query: 0, key: 1, gate: 2, value: 3, output: 4) : (query: 0, key: 1, gate: -1, value: 2, output: 3)
        let batch = query.shape[0], queryLength = query.shape[1], keyLength = key.shape[1]
        let q = try projection(order.query, query), k = try projection(order.key, key), v = try projection(order.value, value)
        let allowed = try Kernels.attentionMask(batch: batch, queryLength: queryLength, keyLength: keyLength,
                                                queryMask: query.mask, valueMask: value.mask,
                                                keyMask: inputs.count > 2 ? key.mask : nil, slidingWindow: slidingWindow)
        let group = queryHeads / keyValueHeads
        var context = [Float](repeating: 0, count: batch * queryLength * queryHeads * headDim)
        var scores = [Float](repeating: 0, count: queryLength * keyLength)
        let scale = 1 / Float(headDim).squareRoot()
        q.withUnsafeBufferPointer { q in
            k.withUnsafeBufferPointer { k in
                v.withUnsafeBufferPointer { v in
                    context.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { scores in
                            Kernels.withFlags(allowed) { flags in
                                for b in 0..<batch {
                                    for h in 0..<queryHeads {
                                        // Heads are read in place from (time, heads, head_dim) rows.
                                        let shared = h / group
                                        Kernels.attend(
                                            query: q.baseAddress! + (b * queryLength * queryHeads + h) * headDim,
                                            ldq: queryHeads * headDim,
                                            key: k.baseAddress! + (b * keyLength * keyValueHeads + shared) * headDim,
                                            ldk: keyValueHeads * headDim,
                                            value: v.baseAddress! + (b * keyLength * keyValueHeads + shared) * headDim,
                                            ldv: keyValueHeads * headDim,
                                            output: out.baseAddress! + (b * queryLength * queryHeads + h) * headDim,
                                            ldo: queryHeads * headDim,
                                            queryLength: queryLength, keyLength: keyLength, depth: headDim,
                                            valueDepth: headDim, scale: scale,
                                            allowed: flags.map { $0 + b * queryLength * keyLength }, zeroMasked: zeroMaskedScores, scores: scores.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if useGate {
            let gate = try projection(order.gate, query)
            for i in context.indices { context[i] *= Activation.sigmoid(gate[i]) }
        }
        let width = query.lastDimension
        var result = BLAS.multiply(context, weights[order.output * stride].values, m: batch * queryLength, n: width,
                                   k: queryHeads * headDim)
        if useBias { Kernels.addBias(weights[order.output * stride + 1].values, to: &result) }
        return [Tensor(shape: query.shape, values: result, mask: query.mask)]
    }

    public static let explanation = """
        GroupQueryAttention projects the query into num_query_heads heads and the key and value \
        into fewer, shared num_key_value_heads heads, then projects the heads back to the query's \
        width; each projection has a kernel and, with use_bias, a bias.
        """
}
