/// One recurrent cell: `gates` fused gates of `units` each, applied at every time step.
///
/// Each gate has an input kernel, a recurrent kernel and a bias, fused side by side:
/// LSTM has 4 gates (input, forget, candidate, output), GRU 3 (update, reset, candidate),
/// SimpleRNN 1. Params: `gates × units × (features + units + 1)`; GRU with `reset_after`
/// (the TF2/Keras 3 default) keeps separate input and recurrent biases, so its bias is
/// `(2, 3·units)` and params are `3 × units × (features + units + 2)`.
struct RecurrentCell: Sendable {
    let units: Int
    let gates: Int
    let useBias: Bool
    /// GRU only: separate input and recurrent biases.
    let resetAfter: Bool
    let activation: Activation
    let recurrentActivation: Activation

    /// Reads `SimpleRNN`, `LSTM`, `GRU` and their `…Cell` classes.
    init(config: LayerConfig) throws {
        activation = config.activationFunction("activation", default: "tanh")
        // Keras 1 called it inner_activation, hard_sigmoid by default; Keras 2.0–2.2 also
        // defaulted to hard_sigmoid, tf.keras and Keras 3 to sigmoid (configs name it anyway).
        recurrentActivation = config.activationFunction(
            "recurrent_activation", "inner_activation",
            default: config.has("inner_activation") || config.has("consume_less") ? "hard_sigmoid" : "sigmoid")
        units = try config.int("units", "output_dim")
        switch config.className {
        case "LSTM", "LSTMCell", "CuDNNLSTM": gates = 4
        case "GRU", "GRUCell", "CuDNNGRU": gates = 3
        default: gates = 1
        }
        useBias = config.bool("use_bias", default: true)
        resetAfter = gates == 3 && (config.className.hasPrefix("CuDNN") || config.bool("reset_after", default: false))
        guard units > 0 else { throw LayerConfigError("units must be positive, got \(units)") }
    }

    /// The cell classes an `RNN` layer can hold.
    static let cellClassNames: Set<String> = ["SimpleRNNCell", "LSTMCell", "GRUCell"]

    /// States carried between steps (and returned with `return_state`): LSTM has h and c.
    var stateCount: Int { gates == 4 ? 2 : 1 }

    func weights(features: Int) -> [WeightSpec] {
        let width = gates * units
        var weights = [WeightSpec("kernel", [features, width]), WeightSpec("recurrent_kernel", [units, width])]
        if useBias { weights.append(WeightSpec("bias", resetAfter ? [2, width] : [width])) }
        return weights
    }

    /// Per step and example, every gate multiplies the input and the previous state.
    func stepMultiplyAccumulates(features: Int) -> Int { gates * units * (features + units) }

    func runner() throws -> RecurrentRun {
        RecurrentRun(gates: gates, units: units, resetAfter: resetAfter,
                     activation: try Kernels.recurrentFunction(activation),
                     recurrentActivation: try Kernels.recurrentFunction(recurrentActivation))
    }
}

/// The settings a recurrent layer applies around its cells.
struct RecurrentOutputs: Sendable {
    let returnSequences: Bool
    let returnState: Bool
    /// Masked steps output zeros instead of the previous output (Keras `zero_output_for_mask`;
    /// Bidirectional forces it on for returned sequences).
    let zeroOutputForMask: Bool
    /// tf-keras `time_major`: inputs and returned sequences are (time, batch, …).
    let timeMajor: Bool

    init(config: LayerConfig) {
        returnSequences = config.bool("return_sequences", default: false)
        returnState = config.bool("return_state", default: false)
        zeroOutputForMask = config.bool("zero_output_for_mask", default: false)
        timeMajor = config.bool("time_major", default: false)
    }

    /// Runs `cells` over the sequence and picks the outputs Keras returns. `inputs` is the
    /// sequence, then optionally every cell's initial states in order (Keras' `initial_state`,
    /// which a saved model passes as further call inputs). Stacked cells read each other's
    /// outputs step by step in Keras; running each cell over the whole sequence in turn comes
    /// to the same, the later cells reading the first one's outputs in processing order.
    /// `zeroMaskedOutputs` overrides `zero_output_for_mask` (Bidirectional).
    func forward(_ inputs: [Tensor], cells: [RecurrentCell], weights: [Tensor], goBackwards: Bool,
                 zeroMaskedOutputs: Bool? = nil) throws -> [Tensor] {
        guard var sequence = inputs.first else { throw RuntimeError("no input sequence") }
        let stateCounts = cells.map(\.stateCount)
        let initialStates = Array(inputs.dropFirst())
        guard initialStates.isEmpty || initialStates.count == stateCounts.reduce(0, +) else {
            throw RuntimeError("expects \(stateCounts.reduce(0, +)) initial state tensor(s), got \(initialStates.count)")
        }
        if timeMajor {
            guard sequence.rank == 3 else { throw RuntimeError("expects (time, batch, features), got \(sequence.shape)") }
            sequence = Kernels.transpose(sequence, permutation: [1, 0, 2])
        }
        let zeroMasked = zeroMaskedOutputs ?? zeroOutputForMask
        let steps = sequence.rank > 1 ? sequence.shape[1] : 0
        // Keras passes the input's mask on unchanged, whatever the direction.
        let outputMask = timeMajor ? nil : inputs[0].mask
        var mask = timeMajor ? nil : inputs[0].mask
        var last = sequence
        var states: [Tensor] = []
        var next = 0, nextState = 0
        for (index, cell) in cells.enumerated() {
            let count = cell.useBias ? 3 : 2
            guard next + count <= weights.count else { throw RuntimeError("missing recurrent weights") }
            let reversed = goBackwards && index == 0
            let run = try cell.runner().run(
                sequence, weights: Array(weights[next..<(next + count)]), mask: mask, goBackwards: reversed,
                zeroMaskedOutputs: zeroMasked,
                initialStates: initialStates.isEmpty ? [] : Array(initialStates[nextState..<(nextState + cell.stateCount)]))
            next += count
            nextState += cell.stateCount
            // The next cell reads this one's outputs, which run in processing order.
            if reversed, let current = mask { mask = Kernels.reverseTime(current, steps: steps) }
            sequence = run.sequence
            last = run.last
            states += run.states
        }
        var output = last
        if returnSequences {
            output = timeMajor ? Kernels.transpose(sequence, permutation: [1, 0, 2]) : sequence
            output.mask = outputMask
        }
        return [output] + (returnState ? states : [])
    }

    /// `[output]`, then with `return_state` every cell's states in order (h, c for LSTM).
    func shapes(input: TensorShape, cells: [RecurrentCell]) throws -> [TensorShape] {
        guard input.rank == 3 else { throw LayerConfigError("expects (batch, time, features), got \(input)") }
        guard let last = cells.last else { throw LayerConfigError("has no cells") }
        // time_major inputs are (time, batch, features) and so are the returned sequences.
        let (batch, time) = timeMajor ? (input.dims[1], input.dims[0]) : (input.dims[0], input.dims[1])
        let sequence = timeMajor ? [time, batch, last.units] : [batch, time, last.units]
        let output = returnSequences ? TensorShape(sequence) : TensorShape([batch, last.units])
        guard returnState else { return [output] }
        return [output] + cells.flatMap { cell in Array(repeating: TensorShape([batch, cell.units]), count: cell.stateCount) }
    }
}

/// `SimpleRNN`, `LSTM`, `GRU` (and Keras 2's `CuDNNLSTM`, `CuDNNGRU`): one cell applied
/// along the time axis of `(batch, time, features)`. See `RecurrentCell` for the weights;
/// the output is `(batch, units)`, or `(batch, time, units)` with `return_sequences`, and
/// `return_state` appends the final states, each `(batch, units)`: LSTM returns
/// `[output, h, c]`, the others `[output, h]`.
/// Params: LSTM 4·u·(in + u + 1), GRU 3·u·(in + u + 2) (`reset_after`) or 3·u·(in + u + 1),
/// SimpleRNN u·(in + u + 1).
public struct RecurrentLayer: SingleInputLayerKind, SequenceLayerKind {
    public static let classNames = ["SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU"]
    /// Initial states follow the sequence as inputs.
    public static let tensorKeywords = ["initial_state"]

    let cell: RecurrentCell
    let outputs: RecurrentOutputs
    /// cuDNN layers keep both biases for every gate, whatever `use_bias` says.
    let cuDNN: Bool
    /// Keras 1 with `consume_less` cpu or mem stores one W, U, b triple per gate, LSTM in
    /// i, c, f, o order and GRU in z, r, h order (Keras 1.2.2 LSTM.build, GRU.build).
    let keras1GateNames: [String]?
    let goBackwards: Bool

    public var units: Int { cell.units }
    public var gates: Int { cell.gates }
    public var returnSequences: Bool { outputs.returnSequences }
    public var returnState: Bool { outputs.returnState }
    public var useBias: Bool { cell.useBias }
    public var resetAfter: Bool { cell.resetAfter }

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        cell = try RecurrentCell(config: config)
        outputs = RecurrentOutputs(config: config)
        cuDNN = config.className.hasPrefix("CuDNN")
        goBackwards = config.bool("go_backwards", default: false)
        if let consumeLess = config.optionalString("consume_less"), consumeLess != "gpu", cell.gates > 1 {
            keras1GateNames = cell.gates == 4 ? ["i", "c", "f", "o"] : ["z", "r", "h"]
        } else {
            keras1GateNames = nil
        }
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        try outputs.shapes(input: try Self.single(inputs), cells: [cell])
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try outputShapes(for: [input])[0]
    }

    /// `inputs`: the sequence, then optionally the initial states (h, and c for LSTM).
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        try outputs.forward(inputs, cells: [cell], weights: weights, goBackwards: goBackwards)
    }

    func forward(_ inputs: [Tensor], weights: [Tensor], flipDirection: Bool, zeroMaskedOutputs: Bool) throws -> [Tensor] {
        try outputs.forward(inputs, cells: [cell], weights: weights, goBackwards: goBackwards != flipDirection,
                            zeroMaskedOutputs: zeroMaskedOutputs && returnSequences)
    }

    var stateCount: Int { cell.stateCount }

    /// Keras 1 saved each gate's W, U and b apart (LSTM i, c, f, o; GRU z, r, h): they are
    /// joined into the fused kernels in Keras 2's gate order (LSTM i, f, c, o).
    public func runtimeWeights(stored: [StoredWeight], expected: [WeightSpec],
                               read: (StoredWeight) throws -> [Float]) throws -> [Tensor]? {
        guard let keras1GateNames else { return nil }
        let order = gates == 4 ? ["i", "f", "c", "o"] : keras1GateNames
        func array(_ kind: String, _ gate: String) throws -> [Float] {
            let suffix = "\(kind)_\(gate)"
            guard let weight = stored.first(where: { String($0.name.split(separator: ":")[0]).hasSuffix(suffix) }) else {
                throw RuntimeError("no stored array for gate weight \(suffix)")
            }
            return try read(weight)
        }
        var fused: [Tensor] = []
        for kind in ["W", "U", "b"] {
            let parts = try order.map { try array(kind, $0) }
            let rows = parts[0].count / units
            var values = [Float]()
            values.reserveCapacity(parts.count * parts[0].count)
            for row in 0..<rows {
                for part in parts { values.append(contentsOf: part[(row * units)..<((row + 1) * units)]) }
            }
            fused.append(Tensor(shape: kind == "b" ? [gates * units] : [rows, gates * units], values: values))
        }
        return fused
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let features = try LayerMath.lastDimension(input)
        if let keras1GateNames {
            return keras1GateNames.flatMap { gate in
                [WeightSpec("W_\(gate)", [features, units]), WeightSpec("U_\(gate)", [units, units]),
                 WeightSpec("b_\(gate)", [units])]
            }
        }
        if cuDNN {
            let width = gates * units
            return [WeightSpec("kernel", [features, width]), WeightSpec("recurrent_kernel", [units, width]),
                    WeightSpec("bias", [2 * width])]
        }
        return cell.weights(features: features)
    }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, input.rank == 3, let batch = input.dims[0], let steps = input.dims[1],
              let features = input.dims[2] else { return nil }
        return batch * steps * cell.stepMultiplyAccumulates(features: features)
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let features = try? LayerMath.lastDimension(Self.single(inputs)) else { return nil }
        let gateText = gates == 1 ? "" : "\(gates) gates × "
        // cuDNN layers and GRU with reset_after keep an input and a recurrent bias per gate.
        let biasText = cuDNN || (useBias && resetAfter) ? " + 2 biases" : (useBias ? " + 1 bias" : "")
        return "= \(gateText)\(units) units × (\(features) inputs + \(units) recurrent\(biasText))"
    }

    public static let explanation = """
        A recurrent layer keeps a state of `units` numbers across time steps. Each gate (LSTM: \
        input, forget, candidate, output; GRU: update, reset, candidate; SimpleRNN: one) has a \
        kernel for the input, a recurrent kernel for the previous state and a bias, so the count \
        is gates × units × (inputs + units + 1). GRU with reset_after (the TensorFlow 2 and Keras 3 \
        default) keeps separate input and recurrent biases: + 2 instead of + 1.
        """
}

/// `RNN`: the generic recurrent layer around a `cell` (`SimpleRNNCell`, `LSTMCell`,
/// `GRUCell`) or a `StackedRNNCells` of several (a Python list of cells is saved as one).
/// Stacked cells run in order at each step, each reading the previous cell's output, so
/// cell i's kernel is `(units of cell i−1, gates·units)`; the layer outputs the last cell's
/// units, and `return_state` appends every cell's states in order:
/// LSTMCell(4) + SimpleRNNCell(2) gives `[output, h₁, c₁, h₂]`.
/// Params: the sum over cells of the per-cell counts of `RecurrentCell`.
public struct GenericRNNLayer: SingleInputLayerKind, SequenceLayerKind {
    public static let classNames = ["RNN"]
    /// Initial states follow the sequence as inputs.
    public static let tensorKeywords = ["initial_state"]

    let cells: [RecurrentCell]
    let outputs: RecurrentOutputs
    /// Frozen cells' weights are non-trainable; the layer's own flag is applied elsewhere.
    let trainableCells: [Bool]
    let goBackwards: Bool

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        guard let cellValue = config["cell"], !cellValue.isNull else { throw LayerConfigError("RNN has no cell") }
        var serializedCells: [JSONValue]
        if let list = cellValue.arrayValue {
            serializedCells = list
        } else if cellValue["class_name"]?.stringValue == "StackedRNNCells" {
            serializedCells = cellValue["config"]?["cells"]?.arrayValue ?? []
        } else {
            serializedCells = [cellValue]
        }
        var cells: [RecurrentCell] = []
        var trainable: [Bool] = []
        let cellPaths = cellValue.arrayValue != nil ? serializedCells.indices.map { "cell[\($0)]" }
            : cellValue["class_name"]?.stringValue == "StackedRNNCells"
            ? serializedCells.indices.map { "cell.cells[\($0)]" } : ["cell"]
        for (serialized, path) in zip(serializedCells, cellPaths) {
            guard let className = serialized["class_name"]?.stringValue,
                  let object = serialized["config"]?.objectValue else {
                throw LayerConfigError("RNN cell has no class_name/config")
            }
            guard RecurrentCell.cellClassNames.contains(className) else {
                throw LayerConfigError("RNN cell \(className) is not one kerasinspect knows")
            }
            let cellConfig = config.child(path, className: className, object: object)
            cells.append(try RecurrentCell(config: cellConfig))
            trainable.append(cellConfig.trainable)
        }
        guard !cells.isEmpty else { throw LayerConfigError("RNN has no cells") }
        self.cells = cells
        trainableCells = trainable
        outputs = RecurrentOutputs(config: config)
        goBackwards = config.bool("go_backwards", default: false)
    }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        try outputs.shapes(input: try Self.single(inputs), cells: cells)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try outputShapes(for: [input])[0]
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        var features = try LayerMath.lastDimension(input)
        var weights: [WeightSpec] = []
        for (cell, trainable) in zip(cells, trainableCells) {
            weights += cell.weights(features: features).map { weight in
                var weight = weight
                weight.trainable = weight.trainable && trainable
                return weight
            }
            features = cell.units
        }
        return weights
    }

    /// `inputs`: the sequence, then optionally every cell's initial states in order.
    public func forward(_ inputs: [Tensor], weights: [Tensor]) throws -> [Tensor] {
        try outputs.forward(inputs, cells: cells, weights: weights, goBackwards: goBackwards)
    }

    func forward(_ inputs: [Tensor], weights: [Tensor], flipDirection: Bool, zeroMaskedOutputs: Bool) throws -> [Tensor] {
        try outputs.forward(inputs, cells: cells, weights: weights, goBackwards: goBackwards != flipDirection,
                            zeroMaskedOutputs: zeroMaskedOutputs && outputs.returnSequences)
    }

    var stateCount: Int { cells.reduce(0) { $0 + $1.stateCount } }

    var returnSequences: Bool { outputs.returnSequences }

    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, input.rank == 3, let batch = input.dims[0], let steps = input.dims[1],
              var features = input.dims[2] else { return nil }
        var perStep = 0
        for cell in cells {
            perStep += cell.stepMultiplyAccumulates(features: features)
            features = cell.units
        }
        return batch * steps * perStep
    }

    public static let explanation = """
        An RNN layer runs its cells along the time axis. Each cell has a kernel for its input, a \
        recurrent kernel for its previous state and a bias, for each of its gates (LSTMCell 4, \
        GRUCell 3, SimpleRNNCell 1); stacked cells feed each other, so each cell's input width is \
        the previous cell's units.
        """
}
