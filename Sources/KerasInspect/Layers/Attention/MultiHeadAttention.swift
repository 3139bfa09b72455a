import Glibc

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
    /// Scaled dot-product attention per head over the sequence axis (Keras' default
    /// `attention_axes`): projections through sgemm, softmax over the keys, then the output
    /// projection. Attention masks cannot run yet.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard inputs.count >= 2 else { throw RuntimeError("needs query and value inputs") }
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        guard query.rank == 3, value.rank == 3, key.rank == 3 else { throw RuntimeError("only (batch, sequence, features) inputs can run yet") }
        guard inputs.allSatisfy({ $0.mask == nil }) else { throw RuntimeError("masked attention cannot run yet") }
        let stride = useBias ? 2 : 1
        guard weights.count == 4 * stride else { throw RuntimeError("expected \(4 * stride) weights, got \(weights.count)") }
        func project(_ x: Tensor, _ index: Int, depth: Int) -> [Float] {
            let width = x.lastDimension, rows = x.count / width
            var out = BLAS.multiply(x.values, weights[index * stride].values, m: rows, n: heads * depth, k: width)
            if useBias { Kernels.addBias(weights[index * stride + 1].values, to: &out) }
            return out
        }
        let batch = query.shape[0], queryLength = query.shape[1], keyLength = key.shape[1]
        let q = project(query, 0, depth: keyDim), k = project(key, 1, depth: keyDim), v = project(value, 2, depth: valueDim)
        let scale = 1 / Float(keyDim).squareRoot()
        var context = [Float](repeating: 0, count: batch * queryLength * heads * valueDim)
        var scores = [Float](repeating: 0, count: keyLength)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<queryLength {
                    let qBase = ((b * queryLength + i) * heads + h) * keyDim
                    var largest = -Float.infinity
                    for j in 0..<keyLength {
                        let kBase = ((b * keyLength + j) * heads + h) * keyDim
                        var dot: Float = 0
                        for d in 0..<keyDim { dot += q[qBase + d] * k[kBase + d] }
                        scores[j] = dot * scale
                        largest = max(largest, scores[j])
                    }
                    var sum: Float = 0
                    for j in 0..<keyLength { scores[j] = expf(scores[j] - largest); sum += scores[j] }
                    let cBase = ((b * queryLength + i) * heads + h) * valueDim
                    for j in 0..<keyLength {
                        let weight = scores[j] / sum
                        let vBase = ((b * keyLength + j) * heads + h) * valueDim
                        for d in 0..<valueDim { context[cBase + d] += weight * v[vBase + d] }
                    }
                }
            }
        }
        let output = try outputWidth(TensorShape(query.shape.map { $0 }))
        let outputWidth = output.reduce(1, *)
        var result = BLAS.multiply(context, weights[3 * stride].values, m: batch * queryLength, n: outputWidth, k: heads * valueDim)
        if useBias { Kernels.addBias(weights[3 * stride + 1].values, to: &result) }
        return [Tensor(shape: [batch, queryLength] + output, values: result)]
    }

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
