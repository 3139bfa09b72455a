/// `CustomScaleLayer` of InceptionResNetV2 (`keras.applications.inception_resnet_v2`, Keras 3
/// and tf-keras, which saves it to `.h5` as `Custom>CustomScaleLayer`): called on
/// `[shortcut, residual]`, it returns `shortcut + residual · scale`. Config: `scale`. No weights.
public struct CustomScaleLayer: LayerKind {
    public static let classNames = ["CustomScaleLayer"]
    public static let modules: [String]? = ApplicationLayerConfig.modules("inception_resnet_v2")

    public let scale: Double

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        try ApplicationLayerConfig.requireKeys(config, ["scale"], module: "inception_resnet_v2")
        guard let scale = config["scale"]?.doubleValue else { throw LayerConfigError("'scale' is not a number") }
        self.scale = scale
    }

    /// Keras reads `inputs[0]` and `inputs[1]` only; another count is refused rather than
    /// silently ignoring tensors.
    private static func checkCount(_ count: Int) throws {
        guard count == 2 else { throw LayerConfigError("CustomScaleLayer takes [shortcut, residual], got \(count) inputs") }
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        try Self.checkCount(inputs.count)
        return [try ApplicationLayerConfig.broadcast(inputs[0], inputs[1])]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        try Self.checkCount(inputs.count)
        return []
    }

    /// `inputs[0] + inputs[1] · scale`, the scale rounded to float32 first as TensorFlow does
    /// when it multiplies a float32 tensor by a Python float.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        do { try Self.checkCount(inputs.count) } catch { throw RuntimeError("\(error)") }
        let factor = Float(scale)
        return [try Kernels.broadcast(inputs[0], inputs[1]) { shortcut, residual in shortcut + residual * factor }]
    }

    public static let explanation = """
        CustomScaleLayer (from Keras' InceptionResNetV2) has no parameters: it adds a residual \
        branch, multiplied by the fixed scale of its config, to the shortcut.
        """
}
