/// `MultiHeadAttention`: `num_heads` attention heads over (query, value[, key]).
///
/// Four dense projections, each with a bias when `use_bias`: query `(Dq, h, key_dim)`,
/// key `(Dk, h, key_dim)`, value `(Dv, h, value_dim)` and the output
/// `(h, value_dim, Dout)`, where `Dout` is `output_shape` or the query's width.
/// Params: the sum of the four kernels and their biases.
public struct MultiHeadAttentionLayer: LayerKind {
    public static let classNames = ["MultiHeadAttention"]

    public let heads: Int
    public let keyDim: Int
    public let valueDim: Int
    public let useBias: Bool
    public let outputShape: [Int]?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        heads = try config.int("num_heads")
        keyDim = try config.int("key_dim")
        valueDim = try config.int("value_dim", default: keyDim)
        useBias = config.bool("use_bias", default: true)
        outputShape = config.has("output_shape") ? try config.intList("output_shape") : nil
        guard heads > 0, keyDim > 0, valueDim > 0 else { throw LayerConfigError("num_heads, key_dim and value_dim must be positive") }
    }

    /// Query, value and key (which defaults to value), in call order.
    private func roles(_ inputs: [TensorShape]) throws -> (query: TensorShape, value: TensorShape, key: TensorShape) {
        guard inputs.count >= 2 else { throw LayerConfigError("needs query and value inputs") }
        return (inputs[0], inputs[1], inputs.count > 2 ? inputs[2] : inputs[1])
    }

    private func outputWidth(_ query: TensorShape) throws -> [Int] {
        if let outputShape { return outputShape }
        return [try LayerMath.lastDimension(query, for: "query")]
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        let (query, _, _) = try roles(inputs)
        let width = try outputWidth(query)
        return [TensorShape(query.dims.dropLast() + width.map { $0 })]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        let (query, value, key) = try roles(inputs)
        let queryWidth = try LayerMath.lastDimension(query, for: "query")
        let valueWidth = try LayerMath.lastDimension(value, for: "value")
        let keyWidth = try LayerMath.lastDimension(key, for: "key")
        let output = try outputWidth(query)
        var weights: [WeightSpec] = []
        func projection(_ name: String, kernel: [Int], bias: [Int]) {
            weights.append(WeightSpec("\(name)/kernel", kernel))
            if useBias { weights.append(WeightSpec("\(name)/bias", bias)) }
        }
        projection("query", kernel: [queryWidth, heads, keyDim], bias: [heads, keyDim])
        projection("key", kernel: [keyWidth, heads, keyDim], bias: [heads, keyDim])
        projection("value", kernel: [valueWidth, heads, valueDim], bias: [heads, valueDim])
        projection("attention_output", kernel: [heads, valueDim] + output, bias: output)
        return weights
    }
}
