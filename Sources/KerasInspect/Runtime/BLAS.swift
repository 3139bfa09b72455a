import COpenBLAS

/// Matrix products through OpenBLAS. Every layer that multiplies matrices (Dense, convolutions
/// as GEMM, recurrent kernels, attention) comes through here, so one place decides threading.
public enum BLAS {
    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major. `op` transposes when asked:
    /// A is m×k (or k×m when `transposeA`), B is k×n (or n×k when `transposeB`).
    public static func gemm(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        _ c: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty inner dimension contributes nothing; BLAS would still scale C by beta.
            for index in 0..<(m * n) { c[index] = beta == 0 ? 0 : c[index] * beta }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(transposeA ? m : k),
                    b, blasint(transposeB ? k : n),
                    beta, c, blasint(n))
    }

    /// `gemm` on sub-matrices of wider row-major arrays: `lda`, `ldb`, `ldc` are the row
    /// lengths of the arrays A, B and C live in (grouped convolutions multiply column slices).
    public static func gemm(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        _ c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Array form of `gemm` for callers that hold `[Float]`s: returns C = op(A) · op(B).
    public static func multiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                                transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
        precondition(a.count >= m * k && b.count >= k * n, "matrix sizes do not fit")
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(m: m, n: n, k: k, pa.baseAddress!, transposeA: transposeA,
                         pb.baseAddress!, transposeB: transposeB, pc.baseAddress!)
                }
            }
        }
        return c
    }

    /// Worker threads OpenBLAS uses (one per core unless OPENBLAS_NUM_THREADS says otherwise).
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
