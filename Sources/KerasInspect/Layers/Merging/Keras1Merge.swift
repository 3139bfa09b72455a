/// Keras 1 `Merge`: one layer for every way of combining tensors, chosen by `mode`
/// (`sum`, `mul`, `ave`, `max`, `concat` along `concat_axis`, `dot`/`cos` along `dot_axes`).
/// Keras 2 split it into Add, Multiply, Average, Maximum, Concatenate and Dot. No weights.
public struct Keras1MergeLayer: LayerKind {
    public static let classNames = ["Merge"]
    /// Settings of the other modes (an axis for concat, axes for dot) and of Python-function
    /// modes, which `init` refuses; `layers` holds the branches the model parser reads.
    public static let inferenceNeutralConfigKeys: Set<String> = [
        "concat_axis", "dot_axes", "mode_type", "layers", "output_mask", "output_mask_type",
        "output_shape", "output_shape_type", "arguments",
    ]

    let combine: any LayerKind
    let mode: String

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        let mode = config.string("mode", default: "sum")
        self.mode = mode
        var object = config.object
        switch mode {
        case "concat":
            object["axis"] = config["concat_axis"] ?? .number(-1)
            combine = try ConcatenateLayer(config: config.reinterpreted(as: "Concatenate", object: object), catalog: catalog)
        case "dot", "cos":
            object["axes"] = config["dot_axes"] ?? .number(-1)
            combine = try DotLayer(config: config.reinterpreted(as: "Dot", object: object), catalog: catalog)
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
        guard mode == "cos" else { return try combine.forward(inputs, weights: weights) }
        // Keras 1.2.2 Merge.call, mode 'cos': batch_dot(a, b) / max(√(batch_dot(a, a) ·
        // batch_dot(b, b)), epsilon), epsilon 1e-7 (Keras 1's default). The three products only
        // line up when each sample yields one number, i.e. for (batch, features) inputs; the
        // result takes the (batch, 1) shape Merge.get_output_shape_for declares.
        guard inputs.count == 2 else { throw RuntimeError("mode 'cos' needs exactly two inputs") }
        let product = try combine.forward(inputs, weights: [])[0]
        let first = try combine.forward([inputs[0], inputs[0]], weights: [])[0]
        let second = try combine.forward([inputs[1], inputs[1]], weights: [])[0]
        guard product.count == product.batch, first.count == product.count, second.count == product.count else {
            throw RuntimeError("mode 'cos' can only run on (batch, features) inputs, got \(inputs.map(\.shape))")
        }
        var values = product.values
        for i in values.indices {
            values[i] /= max((first.values[i] * second.values[i]).squareRoot(), 1e-7)
        }
        return [Tensor(shape: [product.batch, 1], values: values)]
    }
}
