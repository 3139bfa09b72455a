/// Everything kerasinspect knows about one kind of Keras layer.
///
/// A conforming type lives in its own file under `Layers/` and is listed once in
/// `LayerCatalog.kinds`. It parses its configuration in `init`, then answers, for the
/// shapes of the tensors a call receives, which shapes come out and which weights the
/// layer must own (their shapes follow from the config and the first call's inputs).
public protocol LayerKind: Sendable {
    /// Keras class names served by this kind, legacy aliases included.
    static var classNames: [String] { get }

    /// The Python modules whose class this kind is, when the class name alone could belong
    /// to anyone's code (`LayerScale`); `nil`, the default, for classes of `keras.layers`.
    /// Checked against the module a `.keras` archive records.
    static var modules: [String]? { get }

    /// Reads and validates the configuration. Throw `LayerConfigError` for bad values.
    init(config: LayerConfig, catalog: LayerCatalog) throws

    /// Output shapes of one call, given the shapes of the tensors passed to it.
    func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape]

    /// The weights Keras creates when the layer is built on `inputs` (its first call),
    /// in Keras' saved order: trainable-created first, then non-trainable.
    func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec]

    /// Caveats worth telling the user about this layer (an assumed shape, say).
    var notes: [String] { get }

    /// Multiply-accumulate operations of one call on inputs of these shapes, with the batch
    /// dimension already set; `nil` when an unknown dimension makes it unknowable.
    /// Element-wise work (activations, normalisation, pooling) counts as zero.
    func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int?

    /// The arithmetic behind the parameter count beyond the per-weight sum, e.g.
    /// `= 32 × (3 × 3·3 + 1)` for a convolution; `nil` when the sum says it all.
    func parameterFormula(for inputs: [TensorShape]) -> String?

    /// One short paragraph, in plain language, on what the layer's parameters are.
    static var explanation: String { get }

    /// Runs one call at inference (Keras' `training=False`): `inputs` in call order, `weights`
    /// the layer's stored arrays in `expectedWeights` order and shapes. Returns one tensor per
    /// output. Dropout and noise layers pass values through; BatchNormalization uses its
    /// moving statistics.
    func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor]

    /// The tensors `forward` receives, made from the arrays the file stores for this layer,
    /// when that layout differs from `expected` (Keras 1's per-gate LSTM arrays, Theano-ordered
    /// kernels). `nil`, the default, pairs arrays by name, then position (`WeightPairing`).
    func runtimeWeights(stored: [StoredWeight], expected: [WeightSpec],
                        read: (StoredWeight) throws -> [Float]) throws -> [Tensor]?

    /// Under a float16 or bfloat16 policy Keras casts a layer's floating inputs to that dtype
    /// when it is called; `false` for kinds whose inputs are integer ids, which Keras never casts.
    var castsInputsToComputeDType: Bool { get }

    /// Under a mixed policy Keras reads the float32 variables in the compute dtype; `false` for
    /// kinds that create theirs with `autocast=False` (normalization statistics and scales).
    var castsWeightsToComputeDType: Bool { get }

    /// Call keywords holding no tensor that `forward` honours. Any other keyword a call
    /// stores with a value other than Keras' default (`false` or `null`) makes `run` refuse.
    static var callKeywords: Set<String> { get }

    /// Keyword arguments that may pass tensors, in the order `forward` expects them after the
    /// positional ones (`["query", "value", "key"]`). A call passing a tensor under another
    /// keyword, or these out of order, is refused by `run` (`mask` is always understood).
    static var tensorKeywords: [String] { get }

    /// Output shapes of a call made with these keyword arguments (`return_attention_scores`
    /// adds the scores); the default ignores them, for kinds without `callKeywords`.
    func outputShapes(for inputs: [TensorShape], keywords: JSONObject) throws -> [TensorShape]

    /// Caveats about one call made with these keyword arguments (shown like `notes`).
    func notes(forCallWith keywords: JSONObject) -> [String]

    /// `forward` for a call made with these keyword arguments (only `callKeywords` reach a kind).
    func forward(_ inputs: [Tensor], weights: [Tensor], keywords: JSONObject) throws -> [Tensor]

    /// Config keys that `init` does not read because they cannot change what inference
    /// computes (Dropout's `rate`, BatchNormalization's `momentum`), beyond the keys every
    /// layer shares (`LayerConfig.isInferenceNeutral`). Any other key `init` leaves unread is
    /// reported by the summary and makes `run` refuse the layer.
    static var inferenceNeutralConfigKeys: Set<String> { get }
}

extension LayerKind {
    public static var modules: [String]? { nil }
    public var notes: [String] { [] }
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? { 0 }
    public func parameterFormula(for inputs: [TensorShape]) -> String? { nil }
    public static var explanation: String { "It has no parameters: it only reshapes, routes or transforms values." }

    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        throw RuntimeError("kerasinspect has no forward pass for this layer kind yet")
    }

    public func runtimeWeights(stored: [StoredWeight], expected: [WeightSpec],
                               read: (StoredWeight) throws -> [Float]) throws -> [Tensor]? { nil }

    public var castsInputsToComputeDType: Bool { true }
    public var castsWeightsToComputeDType: Bool { true }
    public static var callKeywords: Set<String> { [] }
    public static var tensorKeywords: [String] { [] }

    public func outputShapes(for inputs: [TensorShape], keywords: JSONObject) throws -> [TensorShape] {
        try outputShapes(for: inputs)
    }

    public func notes(forCallWith keywords: JSONObject) -> [String] { [] }

    public func forward(_ inputs: [Tensor], weights: [Tensor], keywords: JSONObject) throws -> [Tensor] {
        try forward(inputs, weights: weights)
    }
    public static var inferenceNeutralConfigKeys: Set<String> { [] }
}

extension LayerMath {
    /// Product of all dimensions, `nil` if any is unknown.
    static func elements(_ shape: TensorShape) -> Int? { shape.elementCount }

}

/// Layers that take exactly one tensor: implement the single-input forms.
public protocol SingleInputLayerKind: LayerKind {
    func outputShape(for input: TensorShape) throws -> TensorShape
    func expectedWeights(for input: TensorShape) throws -> [WeightSpec]
    /// The forward pass of one call on one tensor (see `LayerKind.forward`).
    func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor
}

extension SingleInputLayerKind {
    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        [try outputShape(for: try Self.single(inputs))]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        try expectedWeights(for: try Self.single(inputs))
    }

    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw RuntimeError("expects one input tensor, got \(inputs.count)") }
        return [try forward(inputs[0], weights: weights)]
    }

    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        throw RuntimeError("kerasinspect has no forward pass for this layer kind yet")
    }

    static func single(_ inputs: [TensorShape]) throws -> TensorShape {
        guard let first = inputs.first else { throw LayerConfigError("expects one input, got none") }
        return first
    }
}

/// Layers whose output has the input's shape and that own no weights.
public protocol ShapePreservingLayerKind: SingleInputLayerKind {}

extension ShapePreservingLayerKind {
    public func outputShape(for input: TensorShape) throws -> TensorShape { input }
    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] { [] }
}

/// Helpers shared by layer kinds.
enum LayerMath {
    /// The input's last dimension, which must be known to size a weight.
    static func lastDimension(_ shape: TensorShape, for what: String = "input") throws -> Int {
        guard let last = shape.dims.last, let value = last else {
            throw LayerConfigError("the \(what)'s last dimension is unknown")
        }
        return value
    }

    /// Sizes of the given axes (negative ones count from the end), which must be known:
    /// the shape of per-feature weights such as BatchNormalization's.
    static func axisSizes(_ axes: [Int], of input: TensorShape) throws -> [Int] {
        try axes.map { axis in
            guard let resolved = input.normalizedAxis(axis), let size = input[resolved] else {
                throw LayerConfigError("axis \(axis) is unknown or out of range for input \(input)")
            }
            return size
        }
    }
}
