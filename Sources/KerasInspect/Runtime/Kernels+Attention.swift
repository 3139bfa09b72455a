import Glibc

/// Attention products shared by Attention, MultiHeadAttention and GroupQueryAttention.
extension Kernels {
    /// Keras pushes masked scores down by 1e9 before the softmax (every generation, with
    /// `where` or by adding; both leave a float32 score of about -1e9). A row with every key
    /// masked therefore averages all values evenly, as Keras' output does.
    static let maskedScore: Float = -1e9

    /// Softmax over each of `rows` rows of `width` scores, in place; `allowed` (rows × width,
    /// optional) marks the scores that take part. `zeroMasked` then sets the masked
    /// probabilities to 0, as Keras 3's Softmax layer does (a fully masked row becomes zeros).
    static func maskedSoftmaxRows(_ scores: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                                  allowed: UnsafePointer<Bool>?, zeroMasked: Bool = false) {
        for row in 0..<rows {
            let line = scores + row * width
            if let allowed {
                let flags = allowed + row * width
                for j in 0..<width where !flags[j] { line[j] = maskedScore }
            }
            var largest = -Float.infinity
            for j in 0..<width { largest = max(largest, line[j]) }
            var sum: Float = 0
            for j in 0..<width {
                line[j] = expf(line[j] - largest)
                sum += line[j]
            }
            let inverse = 1 / sum
            for j in 0..<width { line[j] *= inverse }
            if zeroMasked, let allowed {
                let flags = allowed + row * width
                for j in 0..<width where !flags[j] { line[j] = 0 }
            }
        }
    }

    /// One scaled dot-product attention problem:
    /// `output (Tq × dv) = softmax(scale · Q Kᵀ, allowed) · V`, where Q is Tq × depth, K is
    /// Tk × depth and V is Tk × dv, each a row-major block whose rows are `ldq`, `ldk`, `ldv`
    /// apart (so one head of a (time, heads, depth) array is read in place). `scores` is
    /// scratch space of Tq × Tk values.
    static func attend(query: UnsafePointer<Float>, ldq: Int, key: UnsafePointer<Float>, ldk: Int,
                       value: UnsafePointer<Float>, ldv: Int, output: UnsafeMutablePointer<Float>, ldo: Int,
                       queryLength: Int, keyLength: Int, depth: Int, valueDepth: Int, scale: Float,
                       allowed: UnsafePointer<Bool>?, zeroMasked: Bool = false, scores: UnsafeMutablePointer<Float>) {
        BLAS.gemm(m: queryLength, n: keyLength, k: depth, query, lda: ldq, key, ldb: ldk, transposeB: true,
                  scores, ldc: keyLength, alpha: scale)
        maskedSoftmaxRows(scores, rows: queryLength, width: keyLength, allowed: allowed, zeroMasked: zeroMasked)
        BLAS.gemm(m: queryLength, n: valueDepth, k: keyLength, scores, lda: keyLength, value, ldb: ldv,
                  output, ldc: ldo)
    }

    /// The (query position × key position) mask Keras' MultiHeadAttention and
    /// GroupQueryAttention build for one call (`_compute_attention_mask`): query mask rows,
    /// value and key mask columns, the causal triangle and a sliding window |i − j| < w, all
    /// ANDed; `nil` when nothing is masked. Laid out batch × Tq × Tk.
    static func attentionMask(batch: Int, queryLength: Int, keyLength: Int, queryMask: [Bool]?,
                              valueMask: [Bool]?, keyMask: [Bool]?, causal: Bool = false,
                              slidingWindow: Int? = nil) throws -> [Bool]? {
        guard queryMask != nil || valueMask != nil || keyMask != nil || causal || slidingWindow != nil else { return nil }
        if let queryMask, queryMask.count != batch * queryLength {
            throw RuntimeError("the query mask has \(queryMask.count) flags for \(batch) × \(queryLength) positions")
        }
        for mask in [valueMask, keyMask] {
            if let mask, mask.count != batch * keyLength {
                throw RuntimeError("a value or key mask has \(mask.count) flags for \(batch) × \(keyLength) positions")
            }
        }
        var allowed = [Bool](repeating: true, count: batch * queryLength * keyLength)
        for b in 0..<batch {
            for i in 0..<queryLength {
                let rowAllowed = queryMask?[b * queryLength + i] ?? true
                for j in 0..<keyLength {
                    var flag = rowAllowed
                    if let valueMask, !valueMask[b * keyLength + j] { flag = false }
                    if let keyMask, !keyMask[b * keyLength + j] { flag = false }
                    if causal, j > i { flag = false }
                    if let slidingWindow, abs(i - j) >= slidingWindow { flag = false }
                    allowed[(b * queryLength + i) * keyLength + j] = flag
                }
            }
        }
        return allowed
    }

    /// Runs `body` with a pointer to the flags, or nil without them.
    static func withFlags<R>(_ flags: [Bool]?, _ body: (UnsafePointer<Bool>?) throws -> R) rethrows -> R {
        guard let flags else { return try body(nil) }
        return try flags.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    /// `x · W + b` over the last axis: (rows × width) · (width × units), the projections of
    /// the attention layers.
    static func project(_ x: Tensor, kernel: Tensor, bias: Tensor?) throws -> [Float] {
        let width = x.lastDimension, rows = x.count / max(width, 1)
        let units = kernel.count / max(width, 1)
        guard units * width == kernel.count, kernel.shape.first == width else {
            throw RuntimeError("kernel \(kernel.shape) does not fit inputs of width \(width)")
        }
        var output = BLAS.multiply(x.values, kernel.values, m: rows, n: units, k: width)
        if let bias { addBias(bias.values, to: &output) }
        return output
    }
}
