/// `LayerScale` of ConvNeXt (`keras.applications.convnext`, Keras 3 and tf-keras): the input
/// times a learned vector `gamma` of `projection_dim` values, broadcast over the last axis.
/// Config: `init_values` (gamma's starting value, irrelevant once trained), `projection_dim`.
/// Params: `projection_dim`. Keras 3 names the variable `variable` (it passes no name),
/// tf-keras `gamma`.
public struct LayerScaleLayer: SingleInputLayerKind {
    public static let classNames = ["LayerScale"]
    public static let modules: [String]? = ApplicationLayerConfig.modules("convnext")

    public let projectionDim: Int
    let weightName: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        try ApplicationLayerConfig.requireKeys(config, ["init_values", "projection_dim"], module: "convnext")
        projectionDim = try config.int("projection_dim")
        guard projectionDim > 0 else { throw LayerConfigError("projection_dim must be positive, got \(projectionDim)") }
        weightName = config.isKeras3 ? "variable" : "gamma"
    }

    /// `x * gamma` broadcasts: the last axis becomes `projection_dim` (an input's last axis of 1
    /// or unknown included).
    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try ApplicationLayerConfig.broadcast(input, TensorShape([projectionDim]))
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        [WeightSpec(weightName, [projectionDim])]
    }

    /// Every element times the gamma of its position on the last axis.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard let gamma = weights.first, gamma.shape == [projectionDim] else {
            throw RuntimeError("LayerScale needs gamma of shape [\(projectionDim)]")
        }
        if input.lastDimension == projectionDim && input.rank >= 1 {
            var result = input
            result.values.withUnsafeMutableBufferPointer { out in
                gamma.values.withUnsafeBufferPointer { gamma in
                    let width = gamma.count
                    var start = 0
                    while start < out.count {
                        for j in 0..<width { out[start + j] *= gamma[j] }
                        start += width
                    }
                }
            }
            return result
        }
        return try Kernels.broadcast(input, gamma, *)
    }

    public static let explanation = """
        LayerScale (from Keras' ConvNeXt) multiplies each channel by a learned factor: gamma \
        holds projection_dim values, one per channel of the block's output.
        """
}
