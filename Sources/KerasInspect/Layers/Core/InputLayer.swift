/// `InputLayer`: the placeholder a functional model's inputs come from. No weights;
/// its output shape is the configured batch shape.
public struct InputLayerKind: LayerKind {
    public static let classNames = ["InputLayer"]

    public let batchShape: [Int?]

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        if let shape = config.shape("batch_shape", "batch_input_shape") {
            batchShape = shape
        } else if let shape = config.shape("input_shape", "shape") {
            batchShape = [nil] + shape
        } else {
            throw LayerConfigError("InputLayer has no batch_shape")
        }
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        [TensorShape(batchShape)]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    /// The model's input passes through (ModelRunner feeds it in; a call still returns it).
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] { inputs }
}
