/// A layer inside a wrapper, with its own `trainable` flag: a frozen wrapped layer's
/// weights are non-trainable even when the wrapper is not, and nothing outside the
/// wrapper sees that flag.
struct WrappedLayer: Sendable {
    let kind: any LayerKind
    let trainable: Bool

    /// The layer serialised at `role` (`layer`, `backward_layer`) of the wrapper's config.
    init(in config: LayerConfig, role: String, catalog: LayerCatalog) throws {
        guard let value = config[role], !value.isNull else { throw LayerConfigError("has no \(role)") }
        guard let kind = try catalog.makeLayer(serialized: value, in: config, at: role) else {
            throw LayerConfigError("its \(role) \(value["class_name"]?.stringValue ?? "?") is outside the catalog")
        }
        self.kind = kind
        trainable = value["config"]?["trainable"]?.boolValue ?? true
    }

    func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        let weights = try kind.expectedWeights(for: inputs)
        guard !trainable else { return weights }
        return weights.map { weight in
            var frozen = weight
            frozen.trainable = false
            return frozen
        }
    }
}

/// `TimeDistributed`: applies the wrapped layer to every time step of `(batch, time, …)`:
/// the layer sees the input without its time axis, and the time axis is put back after
/// the batch axis of its output. Its weights are the wrapped layer's, built on one step's
/// shape (TimeDistributed(Dense(6)) on (None, 5, 4) owns Dense's (4, 6) kernel and (6,) bias).
public struct TimeDistributedLayer: SingleInputLayerKind {
    public static let classNames = ["TimeDistributed"]

    let wrapped: WrappedLayer
    public var inner: any LayerKind { wrapped.kind }

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        wrapped = try WrappedLayer(in: config, role: "layer", catalog: catalog)
    }

    private func stepShape(_ input: TensorShape) throws -> TensorShape {
        guard input.rank >= 3 else { throw LayerConfigError("expects (batch, time, …), got \(input)") }
        return TensorShape([input.dims[0]] + input.dims.dropFirst(2))
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        guard let step = try inner.outputShapes(for: [try stepShape(input)]).first else {
            throw LayerConfigError("the wrapped layer has no output")
        }
        return TensorShape([step.dims.first ?? nil, input.dims[1]] + step.dims.dropFirst())
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        try wrapped.expectedWeights(for: [try stepShape(input)])
    }

    /// The wrapped layer's cost, once per time step.
    /// Time folded into the batch: the wrapped layer runs once on (batch · time, …).
    public func forward(_ input: Tensor, weights: [Tensor]) throws -> Tensor {
        guard input.rank >= 3 else { throw RuntimeError("expects (batch, time, …), got \(input.shape)") }
        let (batch, steps) = (input.shape[0], input.shape[1])
        let folded = try input.reshaped([batch * steps] + input.shape.dropFirst(2))
        guard let output = try inner.forward([Tensor(shape: folded.shape, values: folded.values)], weights: weights).first else {
            throw RuntimeError("the wrapped layer gave no output")
        }
        var result = try output.reshaped([batch, steps] + output.shape.dropFirst())
        result.mask = input.mask
        return result
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, input.rank >= 3, let steps = input.dims[1], let batch = input.dims[0],
              let output = outputs.first else { return nil }
        let stepInput = TensorShape([batch * steps] + input.dims.dropFirst(2))
        let stepOutput = TensorShape([batch * steps] + output.dims.dropFirst(2))
        return inner.multiplyAccumulates(inputs: [stepInput], outputs: [stepOutput])
    }

    public static let explanation = """
        TimeDistributed applies one wrapped layer to every time step with the same weights, so \
        its parameters are exactly the wrapped layer's, whatever the number of steps.
        """
}

/// `Bidirectional`: runs a recurrent layer forwards and a copy (or `backward_layer`)
/// backwards over time and merges their outputs: `concat` joins the feature axes, `sum`,
/// `mul` and `ave` keep them, no merge mode returns both. With `return_state` the states
/// follow: `[output, forward states…, backward states…]` (`[forward output, backward
/// output, forward states…, backward states…]` without a merge mode); an LSTM contributes
/// h and c, so a merged LSTM gives five tensors. Params: the forward layer's plus the
/// backward layer's (twice the wrapped layer's without `backward_layer`).
///
/// Keras 3 derives every shape from the forward layer alone
/// (`Bidirectional.compute_output_shape`: concat doubles its width, the states repeat its
/// states), so a wider `backward_layer` does not show; tf-keras traces both layers.
public struct BidirectionalLayer: SingleInputLayerKind {
    public static let classNames = ["Bidirectional"]
    /// Initial states follow the sequence as inputs.
    public static let tensorKeywords = ["initial_state"]

    let forwardLayer: WrappedLayer
    let backwardLayer: WrappedLayer
    public let mergeMode: String?
    let keras3Shapes: Bool
    /// Without a `backward_layer` config Keras builds the backward copy with go_backwards flipped.
    let flipsBackward: Bool

    public var forward: any LayerKind { forwardLayer.kind }
    public var backward: any LayerKind { backwardLayer.kind }

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        forwardLayer = try WrappedLayer(in: config, role: "layer", catalog: catalog)
        if let backwardConfig = config["backward_layer"], !backwardConfig.isNull {
            backwardLayer = try WrappedLayer(in: config, role: "backward_layer", catalog: catalog)
        } else {
            // Keras builds the backward copy from the wrapped layer's config.
            backwardLayer = forwardLayer
        }
        flipsBackward = config["backward_layer"] == nil || config["backward_layer"]?.isNull == true
        mergeMode = config["merge_mode"]?.isNull == true ? nil : config.string("merge_mode", default: "concat")
        if let mergeMode, !["concat", "sum", "mul", "ave"].contains(mergeMode) {
            throw LayerConfigError("unknown merge_mode '\(mergeMode)'")
        }
        keras3Shapes = config.isKeras3
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        let forwardOutputs = try forward.outputShapes(for: inputs)
        let backwardOutputs = keras3Shapes ? forwardOutputs : try backward.outputShapes(for: inputs)
        guard let forwardOutput = forwardOutputs.first, let backwardOutput = backwardOutputs.first else {
            throw LayerConfigError("the wrapped layer has no output")
        }
        let states = Array(forwardOutputs.dropFirst()) + Array(backwardOutputs.dropFirst())
        guard let mergeMode else { return [forwardOutput, backwardOutput] + states }
        var merged = forwardOutput
        if mergeMode == "concat", merged.rank > 0 {
            let last = merged.rank - 1
            if let a = forwardOutput[last], let b = backwardOutput[last] { merged[last] = a + b } else { merged[last] = nil }
        }
        return [merged] + states
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try outputShapes(for: [input])[0]
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        try forwardLayer.expectedWeights(for: [input]) + backwardLayer.expectedWeights(for: [input])
    }

    /// Both copies run on the input (masked steps give zeros in returned sequences: Keras sets
    /// `zero_output_for_mask` to `return_sequences` on both); the backward sequence is put back
    /// in time order, then merged. Further inputs are initial states, the first half for the
    /// forward layer and the second for the backward one, as Keras splits `initial_state`.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        guard let input = inputs.first else { throw RuntimeError("no input sequence") }
        let initialStates = Array(inputs.dropFirst())
        guard initialStates.count % 2 == 0 else {
            throw RuntimeError("initial states must come in two equal halves, got \(initialStates.count)")
        }
        let half = initialStates.count / 2
        let split = try forwardLayer.kind.expectedWeights(for: [TensorShape(input.shape.map { $0 })]).count
        guard split <= weights.count else { throw RuntimeError("missing weights") }
        func run(_ kind: any LayerKind, _ weights: [Tensor], flip: Bool, states: ArraySlice<Tensor>) throws -> [Tensor] {
            guard let sequence = kind as? any SequenceLayerKind else { return try kind.forward([input] + states, weights: weights) }
            return try sequence.forward([input] + states, weights: weights, flipDirection: flip, zeroMaskedOutputs: true)
        }
        let forwardOutputs = try run(forwardLayer.kind, Array(weights[..<split]), flip: false, states: initialStates[..<half])
        var backwardOutputs = try run(backwardLayer.kind, Array(weights[split...]), flip: flipsBackward,
                                      states: initialStates[half...])
        guard let forwardOutput = forwardOutputs.first, let backwardRun = backwardOutputs.first else {
            throw RuntimeError("the wrapped layer gave no output")
        }
        let returnsSequences = (backwardLayer.kind as? any SequenceLayerKind)?.returnSequences ?? (backwardRun.rank == 3)
        if returnsSequences {
            // Returned sequences run in processing order: reversed back; the mask stays the input's.
            var reversed = Kernels.reverseTime(backwardRun)
            reversed.mask = backwardRun.mask
            backwardOutputs[0] = reversed
        }
        let backwardOutput = backwardOutputs[0]
        let states = Array(forwardOutputs.dropFirst()) + Array(backwardOutputs.dropFirst())
        guard let mergeMode else { return [forwardOutput, backwardOutput] + states }
        let merged: Tensor
        switch mergeMode {
        case "sum": merged = try Kernels.broadcast(forwardOutput, backwardOutput, +)
        case "mul": merged = try Kernels.broadcast(forwardOutput, backwardOutput, *)
        case "ave": merged = try Kernels.broadcast(forwardOutput, backwardOutput) { ($0 + $1) / 2 }
        default:
            guard let joined = try ConcatenateLayer(config: LayerConfig(className: "Concatenate", object: JSONObject()),
                                                    catalog: .standard).forward([forwardOutput, backwardOutput], weights: []).first else {
                throw RuntimeError("cannot join the two directions")
            }
            merged = joined
        }
        var result = merged
        result.mask = forwardOutput.mask
        return [result] + states
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let forwardCost = forward.multiplyAccumulates(inputs: inputs, outputs: outputs),
              let backwardCost = backward.multiplyAccumulates(inputs: inputs, outputs: outputs) else { return nil }
        return forwardCost + backwardCost
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let forwardCount = try? forward.expectedWeights(for: inputs).reduce(0, { $0 + $1.elementCount }),
              let backwardCount = try? backward.expectedWeights(for: inputs).reduce(0, { $0 + $1.elementCount }) else { return nil }
        if forwardCount == backwardCount { return "= 2 × \(NumberText.grouped(forwardCount)) (forward and backward copies)" }
        return "= forward \(NumberText.grouped(forwardCount)) + backward \(NumberText.grouped(backwardCount))"
    }

    public static let explanation = """
        Bidirectional runs two copies of the wrapped recurrent layer, one forwards and one \
        backwards in time, each with its own weights: twice the wrapped layer's parameters.
        """
}

/// A layer that runs along the time axis and can be run in the other direction, which is
/// what Bidirectional asks of the layer it wraps.
protocol SequenceLayerKind: LayerKind {
    /// `inputs`: the sequence, then optionally initial states. `flipDirection` runs the other
    /// way than the config says; `zeroMaskedOutputs` gives zeros at masked steps of returned
    /// sequences.
    func forward(_ inputs: [Tensor], weights: [Tensor], flipDirection: Bool, zeroMaskedOutputs: Bool) throws -> [Tensor]
    /// Whether the first output is the whole sequence (`return_sequences`), whose time axis
    /// Bidirectional puts back in order for the backward copy.
    var returnSequences: Bool { get }
}
