// Raw OpenBLAS sgemm throughput, the ceiling for kerasinspect's matrix work.
// Built and run by bench/run.sh: swiftc -O -I Sources/COpenBLAS bench/sgemm.swift -lopenblas
import COpenBLAS
import Glibc

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func gflops(m: Int, n: Int, k: Int, threads: Int32) -> Double {
    openblas_set_num_threads(threads)
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    var best = Double.infinity
    for _ in 0..<7 {
        let start = seconds()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    1, a, blasint(k), b, blasint(n), 0, &c, blasint(n))
        best = min(best, seconds() - start)
    }
    return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
}

let cores = Int32(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
for (m, n, k, label) in [(1024, 1024, 1024, "1024³"), (3136, 64, 576, "3136×64×576 (a 56×56 3×3 conv)")] {
    let one = gflops(m: m, n: n, k: k, threads: 1), all = gflops(m: m, n: n, k: k, threads: cores)
    print("sgemm \(label): \(Int(one.rounded())) GFLOP/s on 1 thread, \(Int(all.rounded())) on \(cores)")
}
