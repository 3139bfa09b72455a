// Raw OpenBLAS sgemm throughput: the ceiling for kerasinspect's matrix work (Dense, im2col
// convolutions, recurrent projections). Built and run by bench/run.sh:
//   swiftc -O -I Sources/COpenBLAS bench/sgemm.swift -lopenblas
import COpenBLAS
import Glibc

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Best of several runs, in GFLOP/s: the best run is the one the machine did not disturb.
func gflops(m: Int, n: Int, k: Int, threads: Int32) -> Double {
    openblas_set_num_threads(threads)
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
    var c = [Float](repeating: 0, count: m * n)
    let flops = 2 * Double(m) * Double(n) * Double(k)
    // About half a second per size and thread count, at least 5 runs.
    let runs = max(5, min(200, Int(0.5 / (flops / 100e9))))
    var best = Double.infinity
    for _ in 0...runs {  // the first run warms up caches and OpenBLAS' thread pool
        let start = seconds()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    1, a, blasint(k), b, blasint(n), 0, &c, blasint(n))
        best = min(best, seconds() - start)
    }
    return flops / best / 1e9
}

let cores = Int32(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
let sizes = [
    (1024, 1024, 1024, "1024×1024×1024"),
    (3136, 64, 576, "3136×64×576 (ResNet50 56×56 3×3 conv, batch 1)"),
    (196, 256, 2304, "196×256×2304 (ResNet50 14×14 3×3 conv, batch 1)"),
    (25088, 64, 576, "25088×64×576 (ResNet50 56×56 3×3 conv, batch 8)"),
]
print("| sgemm M×N×K | GFLOP/s, 1 thread | GFLOP/s, \(cores) threads |")
print("|---|---|---|")
for (m, n, k, label) in sizes {
    let one = gflops(m: m, n: n, k: k, threads: 1), all = gflops(m: m, n: n, k: k, threads: cores)
    print("| \(label) | \(Int(one.rounded())) | \(Int(all.rounded())) |")
}
