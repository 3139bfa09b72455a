/// `Embedding`: looks up one `output_dim` vector per integer index.
/// Params: `input_dim × output_dim` (the `embeddings` table).
public struct EmbeddingLayer: SingleInputLayerKind {
    public static let classNames = ["Embedding"]

    public let inputDim: Int
    public let outputDim: Int

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        inputDim = try config.int("input_dim")
        outputDim = try config.int("output_dim")
        guard inputDim > 0, outputDim > 0 else { throw LayerConfigError("input_dim and output_dim must be positive") }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        TensorShape(input.dims + [outputDim])
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        [WeightSpec("embeddings", [inputDim, outputDim])]
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
