/// The time loop shared by SimpleRNN, LSTM and GRU (alone, stacked in an RNN, or wrapped in
/// Bidirectional): the input projection for every step as one matrix product, then one
/// product with the recurrent kernel per step, in buffers allocated once.
struct RecurrentRun {
    /// 1 (SimpleRNN), 3 (GRU: z, r, h) or 4 (LSTM: i, f, c, o), Keras 2/3's gate order.
    let gates: Int
    let units: Int
    /// GRU: apply the reset gate after the recurrent product (separate input and recurrent biases).
    let resetAfter: Bool
    let activation: @Sendable (Float) -> Float
    let recurrentActivation: @Sendable (Float) -> Float

    /// `input` (batch, time, features); `weights` kernel (features, gates·units), recurrent
    /// kernel (units, gates·units), optional bias (gates·units, or 2 × gates·units with
    /// `resetAfter`). Returns every step's output (in processing order) and the final states.
    /// Masked steps keep the previous state and repeat the previous output (zeros at first),
    /// or give zeros when `zeroMaskedOutputs`.
    func run(_ input: Tensor, weights: [Tensor], goBackwards: Bool,
             zeroMaskedOutputs: Bool = false) throws -> (sequence: Tensor, last: Tensor, states: [Tensor]) {
        guard input.rank == 3 else { throw RuntimeError("expects (batch, time, features), got \(input.shape)") }
        let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
        let width = gates * units
        guard weights.count >= 2, weights[0].count == features * width, weights[1].count == units * width else {
            throw RuntimeError("kernels do not fit \(features) features and \(units) units")
        }
        // x·W (+ input bias) for every step at once: (batch·time) × width.
        var projected = BLAS.multiply(input.values, weights[0].values, m: batch * steps, n: width, k: features)
        var recurrentBias = [Float](repeating: 0, count: width)
        if weights.count > 2 {
            let bias = weights[2].values
            if bias.count == 2 * width {
                Kernels.addBias(Array(bias[0..<width]), to: &projected)
                recurrentBias = Array(bias[width..<(2 * width)])
                if !resetAfter {  // cuDNN LSTM keeps two biases that simply add up
                    Kernels.addBias(recurrentBias, to: &projected)
                    recurrentBias = [Float](repeating: 0, count: width)
                }
            } else {
                Kernels.addBias(bias, to: &projected)
            }
        }
        let recurrent = weights[1].values
        var state = [Float](repeating: 0, count: batch * units)
        var cell = [Float](repeating: 0, count: gates == 4 ? batch * units : 0)
        var inner = [Float](repeating: 0, count: batch * width)
        var previousOutput = [Float](repeating: 0, count: batch * units)
        var sequence = [Float](repeating: 0, count: batch * steps * units)
        var gated = [Float](repeating: 0, count: batch * units)  // GRU reset_after=False: r·h
        let mask = input.mask
        for step in 0..<steps {
            let t = goBackwards ? steps - 1 - step : step
            // h·U, or for GRU without reset_after only the z and r columns first.
            if gates == 3 && !resetAfter {
                recurrent.withUnsafeBufferPointer { u in
                    state.withUnsafeBufferPointer { h in
                        inner.withUnsafeMutableBufferPointer { out in
                            BLAS.gemm(m: batch, n: 2 * units, k: units, h.baseAddress!, lda: units,
                                      u.baseAddress!, ldb: width, out.baseAddress!, ldc: width)
                        }
                    }
                }
            } else {
                recurrent.withUnsafeBufferPointer { u in
                    state.withUnsafeBufferPointer { h in
                        inner.withUnsafeMutableBufferPointer { out in
                            BLAS.gemm(m: batch, n: width, k: units, h.baseAddress!, lda: units,
                                      u.baseAddress!, ldb: width, out.baseAddress!, ldc: width)
                        }
                    }
                }
                if resetAfter { Kernels.addBias(recurrentBias, to: &inner) }
            }
            var newState = state
            var newCell = cell
            for b in 0..<batch {
                let x = (b * steps + t) * width, r = b * width, s = b * units
                switch gates {
                case 4:
                    for j in 0..<units {
                        let i = recurrentActivation(projected[x + j] + inner[r + j])
                        let f = recurrentActivation(projected[x + units + j] + inner[r + units + j])
                        let c = activation(projected[x + 2 * units + j] + inner[r + 2 * units + j])
                        let o = recurrentActivation(projected[x + 3 * units + j] + inner[r + 3 * units + j])
                        newCell[s + j] = f * cell[s + j] + i * c
                        newState[s + j] = o * activation(newCell[s + j])
                    }
                case 3:
                    if resetAfter {
                        for j in 0..<units {
                            let z = recurrentActivation(projected[x + j] + inner[r + j])
                            let reset = recurrentActivation(projected[x + units + j] + inner[r + units + j])
                            let candidate = activation(projected[x + 2 * units + j] + reset * inner[r + 2 * units + j])
                            newState[s + j] = z * state[s + j] + (1 - z) * candidate
                        }
                    } else {
                        for j in 0..<units {
                            let reset = recurrentActivation(projected[x + units + j] + inner[r + units + j])
                            gated[s + j] = reset * state[s + j]
                        }
                    }
                default:
                    for j in 0..<units { newState[s + j] = activation(projected[x + j] + inner[r + j]) }
                }
            }
            if gates == 3 && !resetAfter {
                // (r·h)·U_h for the candidate, then the update.
                var candidateInner = [Float](repeating: 0, count: batch * units)
                recurrent.withUnsafeBufferPointer { u in
                    gated.withUnsafeBufferPointer { g in
                        candidateInner.withUnsafeMutableBufferPointer { out in
                            BLAS.gemm(m: batch, n: units, k: units, g.baseAddress!, lda: units,
                                      u.baseAddress! + 2 * units, ldb: width, out.baseAddress!, ldc: units)
                        }
                    }
                }
                for b in 0..<batch {
                    let x = (b * steps + t) * width, r = b * width, s = b * units
                    for j in 0..<units {
                        let z = recurrentActivation(projected[x + j] + inner[r + j])
                        let candidate = activation(projected[x + 2 * units + j] + candidateInner[s + j])
                        newState[s + j] = z * state[s + j] + (1 - z) * candidate
                    }
                }
            }
            for b in 0..<batch {
                let s = b * units, out = (b * steps + step) * units
                if let mask, !mask[b * steps + t] {
                    for j in 0..<units { sequence[out + j] = zeroMaskedOutputs ? 0 : previousOutput[s + j] }
                    continue
                }
                for j in 0..<units {
                    state[s + j] = newState[s + j]
                    if gates == 4 { cell[s + j] = newCell[s + j] }
                    sequence[out + j] = newState[s + j]
                    previousOutput[s + j] = newState[s + j]
                }
            }
        }
        var states = [Tensor(shape: [batch, units], values: state)]
        if gates == 4 { states.append(Tensor(shape: [batch, units], values: cell)) }
        return (Tensor(shape: [batch, steps, units], values: sequence),
                Tensor(shape: [batch, units], values: previousOutput), states)
    }
}

extension Kernels {
    /// A (batch, time, features) tensor with its time axis reversed (its mask too).
    static func reverseTime(_ tensor: Tensor) -> Tensor {
        let (batch, steps) = (tensor.shape[0], tensor.shape[1])
        let width = tensor.count / max(batch * steps, 1)
        var values = [Float](repeating: 0, count: tensor.count)
        for b in 0..<batch {
            for t in 0..<steps {
                let from = (b * steps + steps - 1 - t) * width, to = (b * steps + t) * width
                for j in 0..<width { values[to + j] = tensor.values[from + j] }
            }
        }
        let mask = tensor.mask.map { mask in (0..<mask.count).map { mask[($0 / steps) * steps + steps - 1 - $0 % steps] } }
        return Tensor(shape: tensor.shape, values: values, mask: mask)
    }
}
