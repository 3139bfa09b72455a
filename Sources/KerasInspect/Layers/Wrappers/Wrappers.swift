/// `TimeDistributed`: applies the wrapped layer to every time step of `(batch, time, …)`.
/// Its weights are the wrapped layer's, built on one step's shape.
public struct TimeDistributedLayer: SingleInputLayerKind {
    public static let classNames = ["TimeDistributed"]

    public let inner: any LayerKind

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        guard let layer = config["layer"], let inner = try catalog.makeLayer(serialized: layer) else {
            throw LayerConfigError("wraps a layer outside the catalog")
        }
        self.inner = inner
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
        try inner.expectedWeights(for: [try stepShape(input)])
    }

    /// The wrapped layer's cost, once per time step.
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

/// `Bidirectional`: runs a recurrent layer forwards and a copy backwards over time and
/// merges their outputs (`concat` doubles the feature axis; `sum`, `mul`, `ave` keep it;
/// no merge mode returns both). Params: twice the wrapped layer's.
public struct BidirectionalLayer: SingleInputLayerKind {
    public static let classNames = ["Bidirectional"]

    public let forward: any LayerKind
    public let backward: any LayerKind
    public let mergeMode: String?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        guard let layer = config["layer"], let forward = try catalog.makeLayer(serialized: layer) else {
            throw LayerConfigError("wraps a layer outside the catalog")
        }
        self.forward = forward
        if let backwardConfig = config["backward_layer"], !backwardConfig.isNull,
           let backward = try catalog.makeLayer(serialized: backwardConfig) {
            self.backward = backward
        } else {
            self.backward = forward
        }
        mergeMode = config["merge_mode"]?.isNull == true ? nil : config.string("merge_mode", default: "concat")
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        let forwardOutputs = try forward.outputShapes(for: inputs)
        let backwardOutputs = try backward.outputShapes(for: inputs)
        guard let forwardOutput = forwardOutputs.first, let backwardOutput = backwardOutputs.first else {
            throw LayerConfigError("the wrapped layer has no output")
        }
        let states = Array(forwardOutputs.dropFirst()) + Array(backwardOutputs.dropFirst())
        guard let mergeMode else { return [forwardOutput, backwardOutput] + states }
        var merged = forwardOutput
        if mergeMode == "concat" {
            let last = merged.rank - 1
            if let a = forwardOutput[last], let b = backwardOutput[last] { merged[last] = a + b } else { merged[last] = nil }
        }
        return [merged] + states
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try outputShapes(for: [input])[0]
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        try forward.expectedWeights(for: [input]) + backward.expectedWeights(for: [input])
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
