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
    /// ReversibleEmbedding's settings for `reverse=True` calls, which `run` refuses as a keyword.
    public static let inferenceNeutralConfigKeys: Set<String> = ["logit_soft_cap", "reverse_dtype"]
    /// Ids are integers, which Keras never casts; the table is read in float32 and only the
    /// looked-up rows are cast to the compute dtype.
    public var castsInputsToComputeDType: Bool { false }
    public var castsWeightsToComputeDType: Bool { false }

    public let inputDim: Int
    public let outputDim: Int
    public let loraRank: Int?
    /// ReversibleEmbedding without tied weights.
    public let hasReverseTable: Bool
    let maskZero: Bool
    /// Keras 3 scales the LoRA update by `lora_alpha / lora_rank` (alpha defaults to the rank).
    let loraAlpha: Float
    /// Keras 3 (TensorFlow's `take` as Keras 3 calls it) reads id -k as row input_dim − k.
    let wrapsNegativeIds: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        inputDim = try config.int("input_dim")
        outputDim = try config.int("output_dim")
        loraRank = config.optionalInt("lora_rank")
        hasReverseTable = config.className == "ReversibleEmbedding" && !config.bool("tie_weights", default: true)
        maskZero = config.bool("mask_zero", default: false)
        loraAlpha = Float(config.double("lora_alpha", default: Double(loraRank ?? 1)))
        wrapsNegativeIds = config.isKeras3
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

    /// Row lookup. Keras casts float ids to int32 (truncation toward zero), so the Float values
    /// of `input` are truncated too; Keras 3's TensorFlow `take` counts a negative id from the
    /// end of the table, tf-keras refuses it, and both refuse an id past the end. With
    /// `mask_zero` the mask flags the raw values that are not 0 (Keras compares before casting).
    /// With LoRA the table is `embeddings + (lora_alpha / lora_rank) · A·B`, as Keras 3 computes it.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let stored = weights.first, stored.count == inputDim * outputDim else {
            throw RuntimeError("no embeddings table of \(inputDim) × \(outputDim)")
        }
        var table = stored.values
        if let loraRank {
            let factors = weights.suffix(2)
            guard weights.count >= 3, factors.first?.count == inputDim * loraRank,
                  factors.last?.count == loraRank * outputDim else {
                throw RuntimeError("the LoRA factors do not fit rank \(loraRank)")
            }
            let scale = loraAlpha / Float(loraRank)
            let update = BLAS.multiply(factors.first!.values, factors.last!.values, m: inputDim, n: outputDim, k: loraRank)
            for index in table.indices { table[index] += scale * update[index] }
        }
        var values = [Float](repeating: 0, count: input.count * outputDim)
        let (inputDim, outputDim, wrapsNegative) = (self.inputDim, self.outputDim, self.wrapsNegativeIds)
        try table.withUnsafeBufferPointer { table in
            try values.withUnsafeMutableBufferPointer { values in
                for (position, id) in input.values.enumerated() {
                    guard id.isFinite, abs(id) < 2_147_483_648 else {
                        throw RuntimeError("token id \(id) is not a number Keras can cast to int32")
                    }
                    var row = Int(id)  // truncates toward zero, as tf.cast to int32 does
                    if row < 0 && wrapsNegative { row += inputDim }
                    guard row >= 0, row < inputDim else {
                        throw RuntimeError("token id \(Int(id)) is outside the embedding table [0, \(inputDim))"
                                           + (wrapsNegative ? " (Keras 3 also takes -\(inputDim)…-1 from the end)" : ""))
                    }
                    (values.baseAddress! + position * outputDim).update(from: table.baseAddress! + row * outputDim,
                                                                        count: outputDim)
                }
            }
        }
        let mask = maskZero && input.rank == 2 ? input.values.map { $0 != 0 } : input.mask
        return Tensor(shape: input.shape + [outputDim], values: values, mask: mask)
    }

    /// A `.keras` archive stores the table with the LoRA update merged in and no factors (Keras
    /// zeroes them on load): the factors are then zeros.
    public func runtimeWeights(stored: [StoredWeight], expected: [WeightSpec],
                               read: (StoredWeight) throws -> [Float]) throws -> [Tensor]? {
        guard let loraRank, stored.count == expected.count - 2 else { return nil }
        var tensors: [Tensor] = []
        for (spec, weight) in zip(expected.prefix(stored.count), stored) {
            guard weight.elementCount == spec.elementCount else {
                throw RuntimeError("stored '\(weight.name)' has shape \(weight.shape), the config implies \(spec.shape)")
            }
            tensors.append(Tensor(shape: spec.shape, values: try read(weight)))
        }
        return tensors + [Tensor(zeros: [inputDim, loraRank]), Tensor(zeros: [loraRank, outputDim])]
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
    /// tf-keras zeroes masked steps by multiplying with the mask (so an infinite `mask_value`
    /// gives NaN); Keras 3 selects zeros.
    let zeroesByMultiplying: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        maskValue = config.className == "Masking" ? Float(config.double("mask_value", default: 0)) : nil
        zeroesByMultiplying = !config.isKeras3
    }

    /// Keras flags each position of all axes but the last whose features are not all
    /// `mask_value`, and zeroes the others. Only a (batch, time) mask (rank-3 inputs) is kept
    /// on the tensor: the runtime's masks are per time step, which is all recurrent layers read.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let maskValue, input.rank >= 2 else { return input }
        let width = input.lastDimension
        let fill: Float = zeroesByMultiplying && !maskValue.isFinite ? .nan : 0
        var result = input
        var mask = [Bool](repeating: true, count: input.count / max(width, 1))
        result.values.withUnsafeMutableBufferPointer { values in
            for row in mask.indices {
                let start = row * width
                var masked = true
                for j in 0..<width where values[start + j] != maskValue {
                    masked = false
                    break
                }
                guard masked else { continue }
                mask[row] = false
                for j in 0..<width { values[start + j] = fill }
            }
        }
        result.mask = input.rank == 3 ? mask : nil
        return result
    }
}
