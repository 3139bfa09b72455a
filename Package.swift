// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kerasinspect",
    products: [
        .library(name: "KerasInspect", targets: ["KerasInspect"]),
        .executable(name: "kerasinspect", targets: ["kerasinspect"]),
    ],
    targets: [
        // libhdf5 from Debian's libhdf5-dev; pkg-config supplies the serial include/lib paths.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // zlib inflates deflated zip members (.keras archives written by other tools).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // OpenBLAS (Debian's libopenblas-dev) does the matrix products of inference.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "KerasInspect",
            dependencies: ["CHDF5", "CZlib", "COpenBLAS"],
            // Rounding and math functions come from libm, which nothing else pulls in without Foundation.
            linkerSettings: [.linkedLibrary("m")]
        ),
        // The command line lives in a library so tests can run it in-process.
        .target(name: "KerasInspectCLI", dependencies: ["KerasInspect"]),
        .executableTarget(name: "kerasinspect", dependencies: ["KerasInspectCLI"]),
        .testTarget(
            name: "KerasInspectTests",
            dependencies: ["KerasInspect", "KerasInspectCLI"]
        ),
    ]
)
