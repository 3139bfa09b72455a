/// `SimpleRNN`, `LSTM`, `GRU`: a cell applied along the time axis of `(batch, time, features)`.
///
/// Each gate has an input kernel, a recurrent kernel and a bias, fused side by side:
/// LSTM has 4 gates (input, forget, candidate, output), GRU 3 (update, reset, candidate),
/// SimpleRNN 1. Params: `gates × units × (features + units + 1)`; GRU with
/// `reset_after` (the TF2/Keras 3 default) keeps separate input and recurrent biases,
/// so its bias is `(2, 3·units)` and params are `3 × units × (features + units + 2)`.
public struct RecurrentLayer: SingleInputLayerKind {
    public static let classNames = ["SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU"]

    public let units: Int
    public let gates: Int
    public let returnSequences: Bool
    public let returnState: Bool
    public let useBias: Bool
    /// GRU only: separate input and recurrent biases.
    public let resetAfter: Bool
    /// cuDNN layers keep both biases for every gate.
    let cuDNN: Bool
    /// Keras 1 with `consume_less` cpu or mem stores one W, U, b triple per gate, LSTM in
    /// i, c, f, o order and GRU in z, r, h order (Keras 1.2.2 LSTM.build, GRU.build).
    let keras1GateNames: [String]?

    public init(config: LayerConfig, catalog: LayerCatalog) throws {
        units = try config.int("units", "output_dim")
        cuDNN = config.className.hasPrefix("CuDNN")
        switch config.className {
        case "LSTM", "CuDNNLSTM": gates = 4
        case "GRU", "CuDNNGRU": gates = 3
        default: gates = 1
        }
        returnSequences = config.bool("return_sequences", default: false)
        returnState = config.bool("return_state", default: false)
        useBias = config.bool("use_bias", default: true)
        resetAfter = gates == 3 && (cuDNN || config.bool("reset_after", default: false))
        if let consumeLess = config.optionalString("consume_less"), consumeLess != "gpu", gates > 1 {
            keras1GateNames = gates == 4 ? ["i", "c", "f", "o"] : ["z", "r", "h"]
        } else {
            keras1GateNames = nil
        }
        guard units > 0 else { throw LayerConfigError("units must be positive, got \(units)") }
    }

    /// States returned with `return_state`: LSTM has two (h and c), the others one.
    var stateCount: Int { gates == 4 ? 2 : 1 }

    public func outputShapes(for inputs: [TensorShape]) throws -> [TensorShape] {
        let input = try Self.single(inputs)
        guard input.rank == 3 else { throw LayerConfigError("expects (batch, time, features), got \(input)") }
        let batch = input.dims[0]
        let output = returnSequences ? TensorShape([batch, input.dims[1], units]) : TensorShape([batch, units])
        guard returnState else { return [output] }
        return [output] + Array(repeating: TensorShape([batch, units]), count: stateCount)
    }

    public func outputShape(for input: TensorShape) throws -> TensorShape {
        try outputShapes(for: [input])[0]
    }

    public func expectedWeights(for input: TensorShape) throws -> [WeightSpec] {
        let features = try LayerMath.lastDimension(input)
        if let keras1GateNames {
            return keras1GateNames.flatMap { gate in
                [WeightSpec("W_\(gate)", [features, units]), WeightSpec("U_\(gate)", [units, units]),
                 WeightSpec("b_\(gate)", [units])]
            }
        }
        let width = gates * units
        var weights = [WeightSpec("kernel", [features, width]), WeightSpec("recurrent_kernel", [units, width])]
        if cuDNN {
            weights.append(WeightSpec("bias", [2 * width]))
        } else if useBias {
            weights.append(WeightSpec("bias", resetAfter ? [2, width] : [width]))
        }
        return weights
    }

    /// Per time step, every gate multiplies the input and the previous state by its kernels.
    public func multiplyAccumulates(inputs: [TensorShape], outputs: [TensorShape]) -> Int? {
        guard let input = inputs.first, input.rank == 3, let batch = input.dims[0], let steps = input.dims[1],
              let features = input.dims[2] else { return nil }
        return batch * steps * gates * units * (features + units)
    }

    public func parameterFormula(for inputs: [TensorShape]) -> String? {
        guard let features = try? LayerMath.lastDimension(Self.single(inputs)) else { return nil }
        let gateText = gates == 1 ? "" : "\(gates) gates × "
        let biasText = !useBias && !cuDNN ? "" : (resetAfter ? " + 2 biases" : " + 1 bias")
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
