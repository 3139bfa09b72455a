/// `Lambda`: an arbitrary Python function, stored as marshalled bytecode (or a function
/// name). kerasinspect never executes it. Its output shape is the configured
/// `output_shape` when there is one; otherwise it is taken to equal the input's, which is
/// Keras 1's own rule and what most Lambdas (normalisation, scaling) do. No weights.
public struct LambdaLayer: SingleInputLayerKind {
    public static let classNames = ["Lambda"]

    /// The configured output shape without the batch axis, if given as a list.
    public let outputShape: [Int?]?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        outputShape = config.shape("output_shape")
        // The function and its arguments are understood to be Python that `forward` refuses to
        // run; without an output_shape the summary notes the shape it assumes.
        config.acknowledge(["function", "function_type", "module", "output_shape_type", "output_shape_module",
                            "arguments", "mask", "mask_type", "mask_module"])
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard let outputShape else { return input }
        return TensorShape([input.dims.first ?? nil] + outputShape)
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }

    /// Never runs: the function is Python (marshalled bytecode or a function name), and
    /// kerasinspect does not execute code from model files.
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        throw RuntimeError("Lambda holds Python bytecode, which kerasinspect never executes; replace the Lambda with a built-in layer to run this model")
    }

    public var notes: [String] {
        outputShape == nil ? ["output shape assumed equal to the input's (the function is Python code, never run)"] : []
    }
}
