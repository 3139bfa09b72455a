/// `ConvLSTM1D/2D/3D`: an LSTM whose input and recurrent products are convolutions, run
/// along the time axis of `(batch, time, s…, channels)` (channels_first: `(batch, time,
/// channels, s…)`). The states h and c are images of `filters` channels whose spatial size is
/// the input convolution's (kernel, strides, dilation and padding as configured); the
/// recurrent convolution always uses `same` padding, stride 1 and no dilation, so it keeps
/// that size. Gates in Keras' order i, f, c, o, fused along the last kernel axis.
///
/// Weights: kernel `(k…, channels, 4·filters)`, recurrent_kernel `(k…, filters, 4·filters)`,
/// bias `(4·filters)` with `use_bias`. Params: `4·filters × (k·channels + k·filters + 1)`.
/// Output `(batch, filters-image)`, with `return_sequences` `(batch, time, …)`, and
/// `return_state` appends h and c. Dropout, recurrent_dropout and unit_forget_bias change
/// only training or initialisation.
public struct ConvLSTMLayer: SequenceLayerKind {
    public static let classNames = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]
    /// Initial states follow the sequence as inputs.
    public static let tensorKeywords = ["initial_state"]
    /// Only matters for masked steps, and `run` refuses masks on these layers.
    public static let inferenceNeutralConfigKeys: Set<String> = ["zero_output_for_mask"]

    let settings: ConvolutionSettings
    public let filters: Int
    let activation: Activation
    let recurrentActivation: Activation
    public let returnSequences: Bool
    let returnState: Bool
    let goBackwards: Bool
    /// Keras carries a stateful layer's states from one batch to the next; `run` does not.
    let stateful: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        // Keras 1's ConvLSTM2D (nb_filter, per-gate W/U/b arrays) has another layout.
        guard !config.has("nb_filter") else { throw LayerConfigError("Keras 1 ConvLSTM2D configs are not supported") }
        settings = try ConvolutionSettings(config)
        filters = try config.int("filters")
        activation = config.activationFunction("activation", default: "tanh")
        recurrentActivation = config.activationFunction("recurrent_activation", default: "sigmoid")
        returnSequences = config.bool("return_sequences", default: false)
        returnState = config.bool("return_state", default: false)
        goBackwards = config.bool("go_backwards", default: false)
        guard filters > 0 else { throw LayerConfigError("filters must be positive, got \(filters)") }
        guard ["valid", "same"].contains(settings.padding) else {
            throw LayerConfigError("ConvLSTM padding must be 'valid' or 'same', got '\(settings.padding)'")
        }
        stateful = config.bool("stateful", default: false)
    }

    /// The shape of one time step `(batch, s…, channels)` of a `(batch, time, …)` input.
    private func stepShape(_ input: TensorShape) throws -> TensorShape {
        guard input.rank == settings.spatialRank + 3 else {
            throw LayerConfigError("expects a \(settings.spatialRank + 3)-D input (batch, time, …), got \(input)")
        }
        return TensorShape([input.dims[0]] + Array(input.dims[2...]))
    }

    /// The state image of one step: the input step convolved to `filters` channels.
    private func stateShape(_ input: TensorShape) throws -> TensorShape {
        try settings.convolvedShape(try stepShape(input), outputChannels: filters)
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        guard let input = inputs.first else { throw LayerConfigError("expects one input, got none") }
        let state = try stateShape(input)
        let output = returnSequences
            ? TensorShape([input.dims[0], input.dims[1]] + Array(state.dims.dropFirst())) : state
        return returnState ? [output, state, state] : [output]
    }

    public func expectedWeights(for inputs: [TensorShape]) throws -> [WeightSpec] {
        guard let input = inputs.first else { throw LayerConfigError("expects one input, got none") }
        let channels = try settings.inputChannels(of: try stepShape(input))
        var weights = [try LayerMath.weight("kernel", settings.kernelSize + [channels, 4 * filters]),
                       try LayerMath.weight("recurrent_kernel", settings.kernelSize + [filters, 4 * filters])]
        if settings.useBias { weights.append(WeightSpec("bias", [4 * filters])) }
        return weights
    }

    /// Per step and sample, every position of the state image sums the input window
    /// (k·channels) and the state window (k·filters) for each of the 4·filters gate channels.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, input.rank == settings.spatialRank + 3, let steps = input.dims[1],
              let state = try? stateShape(input), let positions = state.elementCount,
              let channels = try? settings.optionalInputChannels(of: try stepShape(input)),
              let area = settings.kernelArea else { return nil }
        // `positions` already holds batch × spatial × filters.
        return LayerMath.checkedProduct([steps, positions, 4, area, channels + filters])
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let input = inputs.first, let step = try? stepShape(input),
              let channels = try? settings.optionalInputChannels(of: step) else { return nil }
        let kernel = settings.kernelText
        let bias = settings.useBias ? " + 1 bias" : ""
        return "= 4 gates × \(filters) filters × (\(kernel) × \(channels) inputs + \(kernel) × \(filters) recurrent\(bias))"
    }

    public static let explanation = """
        A convolutional LSTM is an LSTM whose matrix products are convolutions: each of its 4 \
        gates (input, forget, candidate, output) has, per filter, a kernel over the input's \
        channels, a recurrent kernel over the state's filters and a bias, so the count is \
        4 × filters × (kernel area × input channels + kernel area × filters + 1), whatever the \
        image size or sequence length.
        """

    /// Per step: z = conv(x_t, kernel) + bias + conv(h, recurrent_kernel; same, stride 1), then
    /// i, f, o = recurrent_activation, c = f·c + i·activation(z_c), h = o·activation(c). The
    /// input convolution of every step runs as one convolution of the (batch·time) images.
    /// `inputs`: the sequence, then optionally the initial h and c (Keras' `initial_state`).
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        try forward(inputs, weights: weights, flipDirection: false, zeroMaskedOutputs: false)
    }

    /// Bidirectional's backward copy runs with `flipDirection`; masks are refused anyway.
    func forward(_ inputs: [Tensor], weights: [Tensor], flipDirection: Bool, zeroMaskedOutputs: Bool) throws -> [Tensor] {
        let goBackwards = self.goBackwards != flipDirection
        guard let sequence = inputs.first else { throw RuntimeError("no input sequence") }
        guard sequence.mask == nil else { throw RuntimeError("ConvLSTM with a mask is not supported") }
        guard !stateful else { throw RuntimeError("stateful ConvLSTM (states kept between batches) is not supported") }
        guard inputs.count == 1 || inputs.count == 3 else {
            throw RuntimeError("expects the sequence and optionally 2 initial states, got \(inputs.count) tensors")
        }
        let rank = settings.spatialRank
        guard sequence.rank == rank + 3 else {
            throw RuntimeError("expects a \(rank + 3)-D input (batch, time, …), got \(sequence.shape)")
        }
        // channels_first (batch, time, channels, s…) runs channels-last: (batch, time, s…, channels).
        let toLast = [0, 1] + Array(3..<(rank + 3)) + [2]
        let toFirst = [0, 1, rank + 2] + Array(2..<(rank + 2))
        let x = settings.channelsFirst ? Kernels.transpose(sequence, permutation: toLast) : sequence
        let (batch, steps, channels) = (x.shape[0], x.shape[1], x.lastDimension)
        let spatial = Array(x.shape[2..<(rank + 2)])
        let area = settings.kernelArea ?? 0
        let width = 4 * filters
        guard weights.count >= 2, weights[0].count == area * channels * width,
              weights[1].count == area * filters * width else {
            throw RuntimeError("the kernels do not fit \(channels) input channels and \(filters) filters")
        }
        let bias = settings.useBias && weights.count > 2 ? weights[2].values : nil
        if let bias, bias.count != width { throw RuntimeError("a bias of \(bias.count) values does not fit \(width)") }

        let inputGeometry = WindowGeometry(shape: [batch * steps] + spatial + [channels], kernel: settings.kernelSize,
                                           strides: settings.strides, dilation: settings.dilation,
                                           padding: settings.padding)
        let stateSpatial = inputGeometry.outputSpatial(rank: rank)
        let positions = inputGeometry.outputPositions
        let stateCount = batch * positions * filters
        let ones = Array(repeating: 1, count: rank)
        let recurrentGeometry = WindowGeometry(shape: [batch] + stateSpatial + [filters], kernel: settings.kernelSize,
                                               strides: ones, dilation: ones, padding: "same")

        var initial: [[Float]] = []
        for state in inputs.dropFirst() {
            let last = settings.channelsFirst ? Kernels.transpose(state, permutation: [0] + Array(2..<(rank + 2)) + [1])
                                              : state
            guard last.count == stateCount else {
                throw RuntimeError("an initial state of shape \(state.shape) does not fit the state \([batch] + stateSpatial + [filters])")
            }
            initial.append(last.values)
        }

        // Every step's input convolution plus the bias: row (b, t, position) of width 4·filters.
        let projected = weights[0].values.withUnsafeBufferPointer { kernel in
            Kernels.convolution(Tensor(shape: [batch * steps] + spatial + [channels], values: x.values),
                                kernel: kernel.baseAddress!, filters: width, groups: 1, geometry: inputGeometry, bias: bias)
        }
        let activation = try Kernels.recurrentFunction(self.activation)
        let recurrentActivation = try Kernels.recurrentFunction(self.recurrentActivation)
        var h = initial.first ?? [Float](repeating: 0, count: stateCount)
        var c = initial.count > 1 ? initial[1] : [Float](repeating: 0, count: stateCount)
        let stepValues = positions * filters
        var sequenceValues = [Float](repeating: 0, count: returnSequences ? batch * steps * stepValues : 0)
        let filters = self.filters
        for step in 0..<steps {
            let t = goBackwards ? steps - 1 - step : step
            let z = weights[1].values.withUnsafeBufferPointer { kernel in
                Kernels.convolution(Tensor(shape: [batch] + stateSpatial + [filters], values: h),
                                    kernel: kernel.baseAddress!, filters: width, groups: 1,
                                    geometry: recurrentGeometry, bias: nil)
            }
            z.withUnsafeBufferPointer { z in
            projected.withUnsafeBufferPointer { projected in
            h.withUnsafeMutableBufferPointer { h in
            c.withUnsafeMutableBufferPointer { c in
                for b in 0..<batch {
                    let input = projected.baseAddress! + (b * steps + t) * positions * width
                    for p in 0..<positions {
                        let row = z.baseAddress! + (b * positions + p) * width, x = input + p * width
                        let s = (b * positions + p) * filters
                        for j in 0..<filters {
                            let i = recurrentActivation(x[j] + row[j])
                            let f = recurrentActivation(x[filters + j] + row[filters + j])
                            let candidate = activation(x[2 * filters + j] + row[2 * filters + j])
                            let o = recurrentActivation(x[3 * filters + j] + row[3 * filters + j])
                            let cell = f * c[s + j] + i * candidate
                            c[s + j] = cell
                            h[s + j] = o * activation(cell)
                        }
                    }
                }
            }}}}
            if returnSequences {
                // Keras returns the steps in processing order.
                for b in 0..<batch {
                    let target = (b * steps + step) * stepValues
                    sequenceValues.replaceSubrange(target..<(target + stepValues),
                                                   with: h[(b * stepValues)..<((b + 1) * stepValues)])
                }
            }
        }
        let stateShape = [batch] + stateSpatial + [filters]
        let states = [Tensor(shape: stateShape, values: h), Tensor(shape: stateShape, values: c)].map {
            settings.channelsFirst ? Kernels.channelsFirst($0) : $0
        }
        var output = states[0]
        if returnSequences {
            let values = Tensor(shape: [batch, steps] + stateSpatial + [filters], values: sequenceValues)
            output = settings.channelsFirst ? Kernels.transpose(values, permutation: toFirst) : values
        }
        return [output] + (returnState ? states : [])
    }
}
