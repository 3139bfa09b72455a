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

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        inputDim = try config.int("input_dim")
        outputDim = try config.int("output_dim")
        loraRank = config.optionalInt("lora_rank")
        hasReverseTable = config.className == "ReversibleEmbedding" && !config.bool("tie_weights", default: true)
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

    public static let explanation = """
        An Embedding layer is a lookup table: one row of output_dim learned numbers for each of \
        the input_dim possible token ids. Looking a row up costs no multiplications.
        """
}

/// `Masking`, `Identity`: pass the tensor through unchanged; no weights.
public struct PassThroughLayer: ShapePreservingLayerKind {
    public static let classNames = ["Masking", "Identity"]
    public init(config: LayerConfig, catalog: LayerCatalog) throws {}
}
