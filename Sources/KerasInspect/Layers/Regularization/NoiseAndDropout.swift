/// Dropout and noise layers: active only in training, the identity at inference.
/// Same shape, no weights.
public struct TrainingOnlyNoiseLayer: ShapePreservingLayerKind {
    public static let classNames = [
        "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
        "GaussianDropout", "AlphaDropout", "ActivityRegularization",
    ]
    /// Whatever their rate, noise shape or data format, they pass values through at inference.
    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        config.acknowledge(config.object.keys)
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor { input }
}
