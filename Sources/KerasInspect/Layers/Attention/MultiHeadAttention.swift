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

    /// The four projections plus the two attention products (scores and weighted values),
    /// for rank-3 `(batch, positions, features)` inputs.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let (query, value, key) = try? roles(inputs), query.rank == 3, value.rank == 3, key.rank == 3,
              let batch = query.dims[0], let queryLength = query.dims[1], let queryWidth = query.dims[2],
              let valueLength = value.dims[1], let valueWidth = value.dims[2],
              let keyLength = key.dims[1], let keyWidth = key.dims[2],
              let output = try? outputWidth(query) else { return nil }
        let outputWidth = output.reduce(1, *)
        let projections = batch * (queryLength * queryWidth * heads * keyDim
            + keyLength * keyWidth * heads * keyDim
            + valueLength * valueWidth * heads * valueDim
            + queryLength * heads * valueDim * outputWidth)
        let attention = batch * heads * queryLength * keyLength * (keyDim + valueDim)
        return projections + attention
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let weights = try? expectedWeights(for: inputs) else { return nil }
        var parts: [String] = []
        for projection in ["query", "key", "value", "attention_output"] {
            let count = weights.filter { $0.name.hasPrefix(projection + "/") }.reduce(0) { $0 + $1.elementCount }
            parts.append("\(projection) \(NumberText.grouped(count))")
        }
        return "= " + parts.joined(separator: " + ")
    }

    public static let explanation = """
        MultiHeadAttention learns four projections: query, key and value map their inputs to \
        num_heads × key_dim (value: × value_dim) numbers, and the output projection maps the \
        heads back to the output width; each has a kernel and, with use_bias, a bias.
        """
}
