import Glibc

/// `MultiHeadAttention`: `num_heads` attention heads over (query, value[, key]).
///
/// Four dense projections, each with a bias when `use_bias`: query `(Dq, h, key_dim)`,
/// key `(Dk, h, key_dim)`, value `(Dv, h, value_dim)` and the output
/// `(h, value_dim, Dout)`, where `Dout` is `output_shape` or the query's width; Keras 3.15's
/// `use_gate` adds a fifth, `gate` `(Dq, h, value_dim)`, created between key and value.
/// Params: the sum of the kernels and their biases.
public struct MultiHeadAttentionLayer: LayerKind {
    public static let classNames = ["MultiHeadAttention"]
    /// tf-keras and Keras 3 let query, value and key be passed by name.
    public static let tensorKeywords = ["query", "value", "key"]
    /// `use_causal_mask=True`: query i attends to keys 0…i only; `return_attention_scores=True`
    /// adds the softmaxed scores, (batch, heads, Tq, Tk) for sequences.
    public static let callKeywords: Set<String> = ["use_causal_mask", "return_attention_scores"]
    /// Keras 3 records the shapes its first call was built on; kerasinspect takes them from the graph.
    public static let inferenceNeutralConfigKeys: Set<String> = ["query_shape", "key_shape", "value_shape"]

    public let heads: Int
    public let keyDim: Int
    public let valueDim: Int
    public let useBias: Bool
    public let outputShape: [Int]?
    /// Axes attention runs over (nil: every axis between batch and features).
    let attentionAxes: [Int]?
    /// Keras 3.15: a sigmoid gate projected from the query multiplies the heads.
    let useGate: Bool
    /// Keras 3.15: each query attends only to keys fewer than this many positions away.
    let slidingWindow: Int?
    /// Keras 3 with dropout takes its einsum path even at inference, whose Softmax layer
    /// zeroes masked probabilities (the dot_product_attention path and tf-keras do not).
    let zeroMaskedScores: Bool
    /// Keras 3 also takes the einsum path when asked for the scores.
    let keras3: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        heads = try config.int("num_heads")
        // Keras 3's alternative masked softmax (a large negative instead of -inf) is not implemented.
        config.acknowledge("softmax_robust_masking", ifEqualTo: .bool(false))
        keyDim = try config.int("key_dim")
        valueDim = try config.int("value_dim", default: keyDim)
        useBias = config.bool("use_bias", default: true)
        outputShape = config.has("output_shape") ? try config.intList("output_shape") : nil
        attentionAxes = config.has("attention_axes") ? try config.intList("attention_axes") : nil
        useGate = config.bool("use_gate", default: false)
        slidingWindow = config.optionalInt("sliding_window")
        zeroMaskedScores = config.isKeras3 && config.double("dropout", default: 0) > 0
        keras3 = config.isKeras3
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
        try outputShapes(for: inputs, keywords: JSONObject())
    }

    public func outputShapes(for inputs: [TensorShape], keywords: JSONObject) throws -> [TensorShape] {
        let (query, _, key) = try roles(inputs)
        let width = try outputWidth(query)
        let output = TensorShape(query.dims.dropLast() + width.map { $0 })
        guard keywords["return_attention_scores"]?.boolValue == true else { return [output] }
        if keras3 {
            // Keras 3.15's compute_output_spec declares (batch, heads, Tq, Tq), the query's
            // length twice; its summary and the shapes a .keras file records show that, while
            // the tensor it computes (and `run` returns) is (batch, heads, Tq, Tk).
            return [output, TensorShape([query.dims[0], heads, query.dims[1], query.dims[1]])]
        }
        let (batchLike, attended) = try axes(rank: query.rank)
        let scores = [query.dims[0]] + batchLike.map { query.dims[$0] } + [heads]
            + attended.map { query.dims[$0] } + attended.map { key.dims[$0] }
        return [output, TensorShape(scores)]
    }

    public func notes(forCallWith keywords: JSONObject) -> [String] {
        guard keras3, keywords["return_attention_scores"]?.boolValue == true else { return [] }
        return ["Keras 3 declares the attention scores as (batch, heads, Tq, Tq), as shown; "
                + "the scores it computes, and `run` returns, are (batch, heads, Tq, Tk)"]
    }

    /// The axes between batch and features that act as more batch, and those attended over.
    private func axes(rank: Int) throws -> (batchLike: [Int], attended: [Int]) {
        let middle = Array(1..<max(rank - 1, 1))
        let attended = try attentionAxes.map { axes in
            try Set(axes.map { axis -> Int in
                let resolved = axis < 0 ? axis + rank - 1 : axis
                guard middle.contains(resolved) else { throw RuntimeError("attention axis \(axis) is out of range for rank \(rank)") }
                return resolved
            }).sorted()
        } ?? middle
        return (middle.filter { !attended.contains($0) }, attended)
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
        if useGate { projection("gate", kernel: [queryWidth, heads, valueDim], bias: [heads, valueDim]) }
        projection("value", kernel: [valueWidth, heads, valueDim], bias: [heads, valueDim])
        projection("attention_output", kernel: [heads, valueDim] + output, bias: output)
        return weights
    }

    /// Per head: scaled dot-product attention over `attention_axes` (by default every axis
    /// between the batch and the features), the softmax running jointly over the key
    /// positions those axes span; other axes act like more batch. Projections go through sgemm,
    /// the (query, key) products per head too. Masks (query rows; value and key columns; a
    /// sliding window) follow `_compute_attention_mask` and need (batch, time, features)
    /// inputs; with `use_gate` the heads are multiplied by sigmoid(query · gate) before the
    /// output projection.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        try forward(inputs, weights: weights, keywords: JSONObject())
    }

    public func forward(_ inputs: [Tensor], weights: [Tensor], keywords: JSONObject) throws -> [Tensor] {
        let causal = keywords["use_causal_mask"]?.boolValue == true
        let returnsScores = keywords["return_attention_scores"]?.boolValue == true
        let zeroMaskedScores = zeroMaskedScores || (keras3 && returnsScores)
        guard inputs.count >= 2 else { throw RuntimeError("needs query and value inputs") }
        let query = inputs[0], value = inputs[1], key = inputs.count > 2 ? inputs[2] : inputs[1]
        let rank = query.rank
        guard rank >= 3, value.rank == rank, key.rank == rank else {
            throw RuntimeError("query, value and key need one rank of at least 3, got \(inputs.map(\.shape))")
        }
        guard Array(value.shape.dropLast()) == Array(key.shape.dropLast()) else {
            throw RuntimeError("value \(value.shape) and key \(key.shape) differ before their last axis")
        }
        let (batchLike, attended) = try axes(rank: rank)
        for axis in batchLike where query.shape[axis] != key.shape[axis] {
            throw RuntimeError("query \(query.shape) and key \(key.shape) differ on axis \(axis), which is not attended over")
        }
        let masked = inputs.contains { $0.mask != nil } || slidingWindow != nil || causal
        if masked, rank != 3 { throw RuntimeError("masks and sliding windows need (batch, time, features) inputs") }

        let stride = useBias ? 2 : 1
        guard weights.count == (useGate ? 5 : 4) * stride else {
            throw RuntimeError("expected \((useGate ? 5 : 4) * stride) weights, got \(weights.count)")
        }
        func projection(_ index: Int, _ x: Tensor) throws -> [Float] {
            try Kernels.project(x, kernel: weights[index * stride], bias: useBias ? weights[index * stride + 1] : nil)
        }
        let order = useGate ? (query: 0, key: 1, gate: 2, value: 3, output: 4) : (query: 0, key: 1, gate: -1, value: 2, output: 3)
        // Projected (batch, positions…, heads, depth), then heads and attended positions made
        // contiguous: (batch, batch-like…, heads, attended…, depth).
        func grouped(_ values: [Float], like x: Tensor, depth: Int) -> Tensor {
            let shape = Array(x.shape.dropLast()) + [heads, depth]
            let permutation = [0] + batchLike + [rank - 1] + attended + [rank]
            return Kernels.transpose(Tensor(shape: shape, values: values), permutation: permutation)
        }
        let q = grouped(try projection(order.query, query), like: query, depth: keyDim)
        let k = grouped(try projection(order.key, key), like: key, depth: keyDim)
        let v = grouped(try projection(order.value, value), like: value, depth: valueDim)
        let queryPositions = attended.map { query.shape[$0] }.reduce(1, *)
        let keyPositions = attended.map { key.shape[$0] }.reduce(1, *)
        let groups = q.count / (queryPositions * keyDim)
        let allowed = try Kernels.attentionMask(batch: query.batch, queryLength: queryPositions, keyLength: keyPositions,
                                                queryMask: query.mask, valueMask: value.mask,
                                                keyMask: inputs.count > 2 ? key.mask : nil, causal: causal,
                                                slidingWindow: slidingWindow)
        let groupsPerBatch = groups / max(query.batch, 1)
        var context = [Float](repeating: 0, count: groups * queryPositions * valueDim)
        var scores = [Float](repeating: 0, count: queryPositions * keyPositions)
        var allScores = [Float](repeating: 0, count: returnsScores ? groups * queryPositions * keyPositions : 0)
        let scale = 1 / Float(keyDim).squareRoot()
        q.values.withUnsafeBufferPointer { q in
            k.values.withUnsafeBufferPointer { k in
                v.values.withUnsafeBufferPointer { v in
                    context.withUnsafeMutableBufferPointer { out in
                        scores.withUnsafeMutableBufferPointer { scores in
                            Kernels.withFlags(allowed) { flags in
                                for g in 0..<groups {
                                    Kernels.attend(query: q.baseAddress! + g * queryPositions * keyDim, ldq: keyDim,
                                                   key: k.baseAddress! + g * keyPositions * keyDim, ldk: keyDim,
                                                   value: v.baseAddress! + g * keyPositions * valueDim, ldv: valueDim,
                                                   output: out.baseAddress! + g * queryPositions * valueDim, ldo: valueDim,
                                                   queryLength: queryPositions, keyLength: keyPositions, depth: keyDim,
                                                   valueDepth: valueDim, scale: scale,
                                                   allowed: flags.map { $0 + (g / groupsPerBatch) * queryPositions * keyPositions },
                                                   zeroMasked: zeroMaskedScores, scores: scores.baseAddress!)
                                    if returnsScores {
                                        let base = g * queryPositions * keyPositions
                                        for i in 0..<(queryPositions * keyPositions) { allScores[base + i] = scores[i] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Back to (batch, positions…, heads, value_dim).
        let permutation = [0] + batchLike + [rank - 1] + attended + [rank]
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (position, axis) in permutation.enumerated() { inverse[axis] = position }
        let headsShape = [query.shape[0]] + query.shape[1..<(rank - 1)] + [heads, valueDim]
        let groupedShape = permutation.map { headsShape[$0] }
        var perHead = Kernels.transpose(Tensor(shape: groupedShape, values: context), permutation: inverse).values
        if useGate {
            let gate = try projection(order.gate, query)
            for i in perHead.indices { perHead[i] *= Activation.sigmoid(gate[i]) }
        }
        let output = try outputWidth(TensorShape(query.shape.map { $0 }))
        let rows = query.count / query.lastDimension
        var result = BLAS.multiply(perHead, weights[order.output * stride].values, m: rows, n: output.reduce(1, *),
                                   k: heads * valueDim)
        if useBias { Kernels.addBias(weights[order.output * stride + 1].values, to: &result) }
        let attention = Tensor(shape: Array(query.shape.dropLast()) + output, values: result, mask: query.mask)
        guard returnsScores else { return [attention] }
        // Groups run (batch, batch-like…, heads), each a (query positions × key positions) block.
        let scoresShape = [query.shape[0]] + batchLike.map { query.shape[$0] } + [heads]
            + attended.map { query.shape[$0] } + attended.map { key.shape[$0] }
        return [attention, Tensor(shape: scoresShape, values: allScores)]
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
            + queryLength * heads * valueDim * outputWidth
            + (useGate ? queryLength * queryWidth * heads * valueDim : 0))
        let attention = batch * heads * queryLength * keyLength * (keyDim + valueDim)
        return projections + attention
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let weights = try? expectedWeights(for: inputs) else { return nil }
        var parts: [String] = []
        for projection in ["query", "key"] + (useGate ? ["gate"] : []) + ["value", "attention_output"] {
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
