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

    public let headDim: Int
    public let queryHeads: Int
    public let keyValueHeads: Int
    public let useBias: Bool
    public let useGate: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        headDim = try config.int("head_dim")
        queryHeads = try config.int("num_query_heads")
        keyValueHeads = try config.int("num_key_value_heads")
        useBias = config.bool("use_bias", default: true)
        useGate = config.bool("use_gate", default: false)
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

    public static let explanation = """
        GroupQueryAttention projects the query into num_query_heads heads and the key and value \
        into fewer, shared num_key_value_heads heads, then projects the heads back to the query's \
        width; each projection has a kernel and, with use_bias, a bias.
        """
}
