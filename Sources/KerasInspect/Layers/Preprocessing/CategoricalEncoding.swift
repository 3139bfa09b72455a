/// `CategoryEncoding`, `Hashing`, `Discretization`: map values to bins or token ids and,
/// unless `output_mode` is `int`, encode them as vectors of `depth` counts or flags.
/// No weights (Discretization's `bin_boundaries` live in the config).
///
/// `depth` is `num_tokens`, `num_bins`, or the number of `bin_boundaries` + 1. The encoded
/// shapes follow each layer's `compute_output_shape` in Keras 3, which tf-keras matches on
/// the inputs it accepts (rank ≤ 2):
/// - `one_hot` replaces a last axis of 1 with `depth` and otherwise appends `depth`
///   (Hashing: always replaces the last axis);
/// - `multi_hot` and `count` replace the last axis (the values of one sample) with `depth`;
///   a rank-1 input `(None,)` counts as one sample, so the output is `(depth,)` with no
///   batch axis. Discretization instead drops axis 1 and appends `depth`.
public struct CategoricalEncodingLayer: SingleInputLayerKind {
    public static let classNames = ["CategoryEncoding", "Hashing", "Discretization"]
    /// Discretization's settings for `adapt`, which computed the stored bin boundaries.
    public static let inferenceNeutralConfigKeys: Set<String> = ["num_bins", "epsilon"]

    public let className: String
    public let outputMode: String
    public let depth: Int?
    /// Discretization's sorted `bin_boundaries`.
    let boundaries: [Float]
    /// Hashing: ids equal to it go to bin 0 and the others hash into the remaining bins.
    let maskValue: Double?
    /// Hashing with a salt uses SipHash (`to_hash_bucket_strong`), which is not implemented.
    let salted: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        className = config.className
        switch className {
        case "CategoryEncoding":
            outputMode = config.string("output_mode", default: "multi_hot")
            depth = try config.int("num_tokens")
        case "Hashing":
            outputMode = config.string("output_mode", default: "int")
            depth = try config.int("num_bins")
        default:
            outputMode = config.string("output_mode", default: "int")
            if let boundaries = config["bin_boundaries"]?.arrayValue {
                depth = boundaries.count + 1
            } else {
                depth = config.optionalInt("num_bins")
            }
        }
        boundaries = (config["bin_boundaries"]?.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) }
        maskValue = className == "Hashing" ? config["mask_value"]?.doubleValue : nil
        salted = className == "Hashing" && config.has("salt")
        guard ["int", "one_hot", "multi_hot", "count", "tf_idf"].contains(outputMode) else {
            throw LayerConfigError("unknown output_mode '\(outputMode)'")
        }
        if outputMode != "int", depth == nil {
            throw LayerConfigError("output_mode '\(outputMode)' needs num_bins or bin_boundaries")
        }
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard outputMode != "int" else { return input }
        guard input.rank > 0 else { return TensorShape([depth]) }
        let dims = input.dims
        switch (className, outputMode) {
        case ("CategoryEncoding", "one_hot"):
            return TensorShape(dims.last == 1 && dims.count > 1 ? dims.dropLast() + [depth] : dims + [depth])
        case ("Discretization", "one_hot"):
            return TensorShape(dims.last == 1 && dims.count > 1 ? dims.dropLast() + [depth] : dims + [depth])
        case ("Discretization", _):
            return TensorShape(dims.count >= 2 ? [dims[0]] + dims.dropFirst(2) + [depth] : [depth])
        default:
            return TensorShape(dims.dropLast() + [depth])
        }
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// Discretization: each value's bin, the number of boundaries at or below it (NumPy's
    /// `digitize`, Keras 3; TensorFlow's Bucketize, tf-keras). CategoryEncoding: the ids as
    /// given. Then `output_mode`: `one_hot` gives each id a row of `depth` flags (a last axis
    /// of 1 is replaced), `multi_hot` / `count` give each sample (the last axis; a rank-1
    /// input is one sample) flags or counts; ids outside [0, depth) are not counted.
    /// Hashing: each id (integers; floats are truncated as Keras casts them) as its decimal
    /// string through TensorFlow's Fingerprint64, modulo the bins (one fewer, shifted up by
    /// one, with `mask_value`, whose ids get bin 0). String inputs cannot reach a float tensor.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        var ids = input
        ids.mask = nil
        if className == "Hashing" {
            ids.values = try hashed(input.values)
        } else if className == "Discretization" {
            guard !boundaries.isEmpty || depth == 1 else { throw RuntimeError("Discretization has no bin_boundaries (adapt() never ran)") }
            let boundaries = boundaries
            ids = ids.map { value in
                var low = 0, high = boundaries.count
                while low < high {
                    let middle = (low + high) / 2
                    if boundaries[middle] <= value { low = middle + 1 } else { high = middle }
                }
                return Float(low)
            }
        } else {
            // Keras casts ids to integers, truncating toward zero.
            ids = ids.map { $0.rounded(.towardZero) }
        }
        guard outputMode != "int" else { return ids }
        guard let depth, outputMode != "tf_idf" else { throw RuntimeError("output_mode '\(outputMode)' cannot run") }
        if outputMode == "one_hot" {
            var shape = ids.shape
            if shape.count > 1, shape.last == 1 { shape.removeLast() }
            var values = [Float](repeating: 0, count: ids.count * depth)
            for (i, id) in ids.values.enumerated() where id >= 0 && id < Float(depth) { values[i * depth + Int(id)] = 1 }
            return Tensor(shape: shape + [depth], values: values)
        }
        let width = ids.rank == 0 ? 1 : ids.lastDimension
        let samples = ids.count / max(width, 1)
        var values = [Float](repeating: 0, count: samples * depth)
        for sample in 0..<samples {
            for id in ids.values[(sample * width)..<((sample + 1) * width)] where id >= 0 && id < Float(depth) {
                let slot = sample * depth + Int(id)
                values[slot] = outputMode == "count" ? values[slot] + 1 : 1
            }
        }
        let shape = ids.rank <= 1 ? [depth] : Array(ids.shape.dropLast()) + [depth]
        return Tensor(shape: shape, values: values)
    }

    private func hashed(_ values: [Float]) throws -> [Float] {
        guard !salted else { throw RuntimeError("Hashing with a salt (SipHash) cannot run yet") }
        guard let depth, depth > 0 else { throw RuntimeError("Hashing needs num_bins") }
        let masking = maskValue != nil && depth > 1
        let buckets = UInt64(masking ? depth - 1 : depth)
        return try values.map { value in
            if masking, Double(value) == maskValue { return 0 }
            guard value.isFinite, abs(value) < 9.2e18,
                  let fingerprint = Kernels.fingerprint64(Array(String(Int64(value)).utf8)) else {
                throw RuntimeError("Hashing cannot hash \(value)")
            }
            return Float(fingerprint % buckets) + (masking ? 1 : 0)
        }
    }
}
