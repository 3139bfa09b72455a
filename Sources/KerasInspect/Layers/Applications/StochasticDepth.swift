/// `StochasticDepth` of ConvNeXt (`keras.applications.convnext`, Keras 3 and tf-keras): in
/// training it drops a whole residual branch per batch with probability `drop_path_rate`
/// (and rescales what it keeps); at inference it returns its input unchanged. No weights.
public struct StochasticDepthLayer: ShapePreservingLayerKind {
    public static let classNames = ["StochasticDepth"]
    public static let modules: [String]? = ApplicationLayerConfig.modules("convnext")

    public let dropPathRate: Double

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        try ApplicationLayerConfig.requireKeys(config, ["drop_path_rate"], module: "convnext")
        guard let rate = config["drop_path_rate"]?.doubleValue else {
            throw LayerConfigError("'drop_path_rate' is not a number")
        }
        dropPathRate = rate
    }

    /// Keras' `training=False` call: the identity.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor { input }

    public static let explanation = """
        StochasticDepth (from Keras' ConvNeXt) has no parameters: it randomly skips a residual \
        branch during training and passes values through at inference.
        """
}
