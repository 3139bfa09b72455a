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

    public let className: String
    public let outputMode: String
    public let depth: Int?

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
}
