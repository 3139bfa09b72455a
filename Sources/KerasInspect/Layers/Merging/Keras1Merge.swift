/// Keras 1 `Merge`: one layer for every way of combining tensors, chosen by `mode`
/// (`sum`, `mul`, `ave`, `max`, `concat` along `concat_axis`, `dot`/`cos` along `dot_axes`).
/// Keras 2 split it into Add, Multiply, Average, Maximum, Concatenate and Dot. No weights.
public struct Keras1MergeLayer: LayerKind {
    public static let classNames = ["Merge"]

    let combine: any LayerKind
    let mode: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        let mode = config.string("mode", default: "sum")
        self.mode = mode
        var object = config.object
        switch mode {
        case "concat":
            object["axis"] = config["concat_axis"] ?? .number(-1)
            combine = try ConcatenateLayer(config: LayerConfig(className: "Concatenate", object: object), catalog: catalog)
        case "dot", "cos":
            object["axes"] = config["dot_axes"] ?? .number(-1)
            combine = try DotLayer(config: LayerConfig(className: "Dot", object: object), catalog: catalog)
        case "sum", "mul", "ave", "max":
            combine = try ElementwiseMergeLayer(config: config, catalog: catalog)
        default:
            throw LayerConfigError("merge mode '\(mode)' is a Python function; its shape is unknown")
        }
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        try combine.outputShapes(for: inputs)
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] { [] }

    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard mode != "cos" else { throw RuntimeError("Merge mode 'cos' cannot run yet") }
        return try combine.forward(inputs, weights: weights)
    }
}
