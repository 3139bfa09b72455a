import COpenBLAS
import Glibc

/// The time loop shared by SimpleRNN, LSTM and GRU (alone, stacked in an RNN, or wrapped in
/// Bidirectional): the input projection of every step as one matrix product
/// (batch·time × gates·units), then per step one product of the state with the recurrent
/// kernel, accumulated into that step's rows of the projection, and the gate arithmetic. Every
/// buffer is allocated once per call, none per step.
struct RecurrentRun {
    /// 1 (SimpleRNN), 3 (GRU: z, r, h) or 4 (LSTM: i, f, c, o), Keras 2/3's gate order.
    let gates: Int
    let units: Int
    /// GRU: apply the reset gate after the recurrent product (separate input and recurrent biases).
    let resetAfter: Bool
    let activation: @Sendable (Float) -> Float
    let recurrentActivation: @Sendable (Float) -> Float

    /// States carried between steps: LSTM h and c, the others h.
    var stateCount: Int { gates == 4 ? 2 : 1 }

    /// Runs over `input` (batch, time, features) with `weights` kernel (features, gates·units),
    /// recurrent kernel (units, gates·units) and an optional bias (gates·units, or 2 × gates·units:
    /// GRU `reset_after` keeps an input and a recurrent bias, cuDNN LSTM two that add up).
    ///
    /// `mask` has one flag per (batch, time) in the input's time order. Like Keras' `rnn`, a
    /// masked step keeps the states and outputs the previous output (zeros before the first
    /// real step), or zeros when `zeroMaskedOutputs` (`zero_output_for_mask`, which
    /// Bidirectional sets when it returns sequences). `initialStates` default to zeros.
    ///
    /// Returns the outputs of every step in processing order (reversed with `goBackwards`, as
    /// Keras returns them), the output of the last processed step, and the final states.
    func run(_ input: Tensor, weights: [Tensor], mask: [Bool]?, goBackwards: Bool, zeroMaskedOutputs: Bool,
             initialStates: [Tensor] = []) throws -> (sequence: Tensor, last: Tensor, states: [Tensor]) {
        guard input.rank == 3 else { throw RuntimeError("expects (batch, time, features), got \(input.shape)") }
        let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
        let width = gates * units
        guard weights.count >= 2, weights[0].count == features * width, weights[1].count == units * width else {
            throw RuntimeError("kernels do not fit \(features) features and \(units) units")
        }
        if let mask, mask.count != batch * steps {
            throw RuntimeError("the mask has \(mask.count) flags for \(batch) × \(steps) steps")
        }
        guard initialStates.isEmpty || initialStates.count == stateCount else {
            throw RuntimeError("expects \(stateCount) initial state(s), got \(initialStates.count)")
        }
        for state in initialStates where state.count != batch * units {
            throw RuntimeError("an initial state of shape \(state.shape) does not fit (\(batch), \(units))")
        }

        guard batch > 0, steps > 0 else {
            let zeros = Tensor(zeros: [batch, units])
            let states = initialStates.isEmpty ? Array(repeating: zeros, count: stateCount) : initialStates
            return (Tensor(zeros: [batch, steps, units]), zeros, states)
        }

        // x·W + input bias for every step at once: row (b, t) of (batch·time) × width.
        var projected = BLAS.multiply(input.values, weights[0].values, m: batch * steps, n: width, k: features)
        var recurrentBias = [Float](repeating: 0, count: resetAfter ? width : 0)
        if weights.count > 2 {
            let bias = weights[2].values
            if bias.count == 2 * width {
                Kernels.addBias(Array(bias[0..<width]), to: &projected)
                if resetAfter {
                    recurrentBias = Array(bias[width...])
                } else {
                    Kernels.addBias(Array(bias[width...]), to: &projected)
                }
            } else if bias.count == width {
                Kernels.addBias(bias, to: &projected)
            } else {
                throw RuntimeError("a bias of \(bias.count) values does not fit \(gates) gates of \(units) units")
            }
        }

        var state = initialStates.first?.values ?? [Float](repeating: 0, count: batch * units)
        var cell = gates == 4 ? (initialStates.count > 1 ? initialStates[1].values : [Float](repeating: 0, count: batch * units)) : []
        var next = [Float](repeating: 0, count: batch * units)
        var nextCell = [Float](repeating: 0, count: gates == 4 ? batch * units : 0)
        // GRU reset_after: h·U + recurrent bias, kept apart because r multiplies its candidate part.
        var inner = [Float](repeating: 0, count: gates == 3 && resetAfter ? batch * width : 0)
        // GRU with the reset before the product: r ⊙ h.
        var gated = [Float](repeating: 0, count: gates == 3 && !resetAfter ? batch * units : 0)
        var sequence = [Float](repeating: 0, count: batch * steps * units)
        let rowStride = steps * width

        let recurrent = weights[1].values
        let (activation, recurrentActivation, units, gates, resetAfter) =
            (self.activation, self.recurrentActivation, self.units, self.gates, self.resetAfter)
        recurrent.withUnsafeBufferPointer { recurrent in
            let u = recurrent.baseAddress!
            projected.withUnsafeMutableBufferPointer { projected in
            state.withUnsafeMutableBufferPointer { state in
            cell.withUnsafeMutableBufferPointer { cell in
            next.withUnsafeMutableBufferPointer { next in
            nextCell.withUnsafeMutableBufferPointer { nextCell in
            inner.withUnsafeMutableBufferPointer { inner in
            gated.withUnsafeMutableBufferPointer { gated in
            recurrentBias.withUnsafeBufferPointer { recurrentBias in
            sequence.withUnsafeMutableBufferPointer { sequence in
                let h = state.baseAddress!
                for step in 0..<steps {
                    let t = goBackwards ? steps - 1 - step : step
                    // This step's rows of the projection: row b starts at b · rowStride.
                    let x = projected.baseAddress! + t * width
                    switch gates {
                    case 4:
                        Self.recurrentProduct(batch: batch, n: width, k: units, h, lda: units, u, ldb: width, x, ldc: rowStride, beta: 1)
                        for b in 0..<batch {
                            let row = x + b * rowStride, s = b * units
                            for j in 0..<units {
                                let i = recurrentActivation(row[j])
                                let f = recurrentActivation(row[units + j])
                                let candidate = activation(row[2 * units + j])
                                let o = recurrentActivation(row[3 * units + j])
                                let c = f * cell[s + j] + i * candidate
                                nextCell[s + j] = c
                                next[s + j] = o * activation(c)
                            }
                        }
                    case 3 where resetAfter:
                        Self.recurrentProduct(batch: batch, n: width, k: units, h, lda: units, u, ldb: width, inner.baseAddress!, ldc: width, beta: 0)
                        for b in 0..<batch {
                            let row = x + b * rowStride, r = b * width, s = b * units
                            for j in 0..<units {
                                let z = recurrentActivation(row[j] + inner[r + j] + recurrentBias[j])
                                let reset = recurrentActivation(row[units + j] + inner[r + units + j] + recurrentBias[units + j])
                                let candidate = activation(row[2 * units + j]
                                                           + reset * (inner[r + 2 * units + j] + recurrentBias[2 * units + j]))
                                next[s + j] = z * h[s + j] + (1 - z) * candidate
                            }
                        }
                    case 3:
                        // z and r from h·U first, then (r ⊙ h)·U_h for the candidate.
                        Self.recurrentProduct(batch: batch, n: 2 * units, k: units, h, lda: units, u, ldb: width, x, ldc: rowStride, beta: 1)
                        for b in 0..<batch {
                            let row = x + b * rowStride, s = b * units
                            for j in 0..<units { gated[s + j] = recurrentActivation(row[units + j]) * h[s + j] }
                        }
                        Self.recurrentProduct(batch: batch, n: units, k: units, gated.baseAddress!, lda: units, u + 2 * units,
                                              ldb: width, x + 2 * units, ldc: rowStride, beta: 1)
                        for b in 0..<batch {
                            let row = x + b * rowStride, s = b * units
                            for j in 0..<units {
                                let z = recurrentActivation(row[j])
                                next[s + j] = z * h[s + j] + (1 - z) * activation(row[2 * units + j])
                            }
                        }
                    default:
                        Self.recurrentProduct(batch: batch, n: units, k: units, h, lda: units, u, ldb: units, x, ldc: rowStride, beta: 1)
                        for b in 0..<batch {
                            let row = x + b * rowStride, s = b * units
                            for j in 0..<units { next[s + j] = activation(row[j]) }
                        }
                    }
                    // Keep the new states where the step is real; write the step's output.
                    for b in 0..<batch {
                        let s = b * units
                        let output = sequence.baseAddress! + (b * steps + step) * units
                        if let mask, !mask[b * steps + t] {
                            if zeroMaskedOutputs || step == 0 {
                                output.update(repeating: 0, count: units)
                            } else {
                                output.update(from: output - units, count: units)
                            }
                            continue
                        }
                        (h + s).update(from: next.baseAddress! + s, count: units)
                        if gates == 4 { (cell.baseAddress! + s).update(from: nextCell.baseAddress! + s, count: units) }
                        output.update(from: h + s, count: units)
                    }
                }
            }}}}}}}}}
        }
        var last = [Float](repeating: 0, count: batch * units)
        if steps > 0 {
            for b in 0..<batch {
                let from = (b * steps + steps - 1) * units
                for j in 0..<units { last[b * units + j] = sequence[from + j] }
            }
        }
        var states = [Tensor(shape: [batch, units], values: state)]
        if gates == 4 { states.append(Tensor(shape: [batch, units], values: cell)) }
        return (Tensor(shape: [batch, steps, units], values: sequence), Tensor(shape: [batch, units], values: last), states)
    }
}

extension RecurrentRun {
    /// Batches up to this size multiply the state by the recurrent kernel one row at a time
    /// (sgemv): sgemm repacks the whole kernel at every call, which for a few rows costs more
    /// than the product itself.
    static let gemvBatchLimit = 4

    /// C (batch × n, rows `ldc` apart) = h·U + beta·C, with U (k × n, rows `ldb` apart).
    @inline(__always)
    static func recurrentProduct(batch: Int, n: Int, k: Int, _ h: UnsafePointer<Float>, lda: Int,
                                 _ u: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                                 beta: Float) {
        guard batch > gemvBatchLimit else {
            for row in 0..<batch {
                // Row-major U read transposed: y (n) = Uᵀ·h_row + beta·y.
                cblas_sgemv(CblasRowMajor, CblasTrans, blasint(k), blasint(n), 1, u, blasint(ldb),
                            h + row * lda, 1, beta, c + row * ldc, 1)
            }
            return
        }
        BLAS.gemm(m: batch, n: n, k: k, h, lda: lda, u, ldb: ldb, c, ldc: ldc, beta: beta)
    }
}

extension Kernels {
    /// tanh through `expf`: glibc's `tanhf` goes through its slow `expm1f` and took a fifth of
    /// an LSTM's time. Below 0.25 a Taylor polynomial (error under 1e-9 relative), above it
    /// (e^2a − 1)/(e^2a + 1), within about 4e-7 relative; ±1 past 9 (tanh(9) rounds to 1).
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let a = abs(x)
        if a < 0.25 {
            let x2 = x * x
            let p: Float = -1382 / 155925
            return x * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315 + x2 * (62 / 2835 + x2 * p)))))
        }
        if a > 9 { return x > 0 ? 1 : -1 }
        let e = expf(2 * a)
        let t = (e - 1) / (e + 1)
        return x < 0 ? -t : t
    }

    /// The scalar function a recurrent cell applies, with the faster `tanh` above.
    static func recurrentFunction(_ activation: Activation) throws -> @Sendable (Float) -> Float {
        if activation.canonical == "tanh" { return { Kernels.tanh($0) } }
        return try activation.elementwise()
    }

    /// A (batch, time, …) tensor with its time axis reversed (its mask too).
    static func reverseTime(_ tensor: Tensor) -> Tensor {
        let (batch, steps) = (tensor.shape[0], tensor.shape[1])
        let width = tensor.count / max(batch * steps, 1)
        var values = [Float](repeating: 0, count: tensor.count)
        tensor.values.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                for b in 0..<batch {
                    for t in 0..<steps {
                        let from = (b * steps + steps - 1 - t) * width, to = (b * steps + t) * width
                        for j in 0..<width { target[to + j] = source[from + j] }
                    }
                }
            }
        }
        return Tensor(shape: tensor.shape, values: values, mask: tensor.mask.map { reverseTime($0, steps: steps) })
    }

    /// Per-(batch, time) flags with the time axis reversed.
    static func reverseTime(_ mask: [Bool], steps: Int) -> [Bool] {
        guard steps > 0 else { return mask }
        return mask.indices.map { mask[($0 / steps) * steps + steps - 1 - $0 % steps] }
    }
}
