/// `Embedding`: looks up one `output_dim` vector per integer index; the output is the
/// input's shape plus `output_dim` (Keras 1/2's `input_length` only described the input).
/// Params: `input_dim × output_dim` (the `embeddings` table).
///
/// Keras 3's `lora_rank` r freezes the table and adds a trainable low-rank update:
/// `lora_embeddings_a` (input_dim, r) and `lora_embeddings_b` (r, output_dim).
/// `ReversibleEmbedding` (Keras 3) can also project back to token logits; with
/// `tie_weights` off it owns a separate `reverse_embeddings` (output_dim, input_dim) for that.
public struct EmbeddingLayer: SingleInputLayerKind {
    public static let classNames = ["Embedding", "ReversibleEmbedding"]

    public let inputDim: Int
    public let outputDim: Int
    public let loraRank: Int?
    /// ReversibleEmbedding without tied weights.
    public let hasReverseTable: Bool
    let maskZero: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        inputDim = try config.int("input_dim")
        outputDim = try config.int("output_dim")
        loraRank = config.optionalInt("lora_rank")
        hasReverseTable = config.className == "ReversibleEmbedding" && !config.bool("tie_weights", default: true)
        maskZero = config.bool("mask_zero", default: false)
        guard inputDim > 0, outputDim > 0 else {
            throw LayerConfigError("input_dim and output_dim must be positive, got \(inputDim) and \(outputDim)")
        }
        if let loraRank, loraRank <= 0 { throw LayerConfigError("lora_rank must be positive, got \(loraRank)") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        TensorShape(input.dims + [outputDim])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        var weights = [WeightSpec("embeddings", [inputDim, outputDim], trainable: loraRank == nil)]
        if hasReverseTable { weights.append(WeightSpec("reverse_embeddings", [outputDim, inputDim])) }
        if let loraRank {
            weights.append(WeightSpec("lora_embeddings_a", [inputDim, loraRank]))
            weights.append(WeightSpec("lora_embeddings_b", [loraRank, outputDim]))
        }
        return weights
    }

    /// A `.keras` archive stores the table with the LoRA update merged in, not the factors.
    public var notes: [String] {
        loraRank == nil ? [] : ["LoRA: .keras files store only the merged embeddings table"]
    }

    /// Row lookup; with `mask_zero`, id 0 marks padding steps in the mask. An id outside the
    /// table is an error here (TensorFlow would fail as well).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard loraRank == nil else { throw RuntimeError("LoRA embeddings cannot run yet") }
        guard let table = weights.first else { throw RuntimeError("no embeddings table") }
        var values = [Float](repeating: 0, count: input.count * outputDim)
        try table.values.withUnsafeBufferPointer { table in
            for (position, id) in input.values.enumerated() {
                let row = Int(id)
                guard Float(row) == id, row >= 0, row < inputDim else {
                    throw RuntimeError("token id \(id) is outside the table of \(inputDim) rows")
                }
                for j in 0..<outputDim { values[position * outputDim + j] = table[row * outputDim + j] }
            }
        }
        let mask = maskZero && input.rank == 2 ? input.values.map { $0 != 0 } : input.mask
        return Tensor(shape: input.shape + [outputDim], values: values, mask: mask)
    }

    public static let explanation = """
        An Embedding layer is a lookup table: one row of output_dim learned numbers for each of \
        the input_dim possible token ids. Looking a row up costs no multiplications.
        """
}

/// `Masking`, `Identity`: pass the tensor through unchanged; no weights.
public struct PassThroughLayer: ShapePreservingLayerKind {
    public static let classNames = ["Masking", "Identity"]

    /// Masking: a time step whose features all equal `mask_value` is masked, and zeroed.
    let maskValue: Float?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        maskValue = config.className == "Masking" ? Float(config.double("mask_value", default: 0)) : nil
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let maskValue, input.rank == 3 else { return input }
        let width = input.lastDimension
        var result = input
        var mask = [Bool](repeating: true, count: input.count / max(width, 1))
        for step in mask.indices {
            let row = result.values[(step * width)..<((step + 1) * width)]
            if row.allSatisfy({ $0 == maskValue }) {
                mask[step] = false
                for j in 0..<width { result.values[step * width + j] = 0 }
            }
        }
        result.mask = mask
        return result
    }
}
