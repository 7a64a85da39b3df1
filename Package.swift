// swift-tools-version:5.9
// RapidEELS: a Jupyter kernel for rapid-acquisition EELS, written in Swift.
// Dependencies point one way: rapideels-kernel -> Script (the RapidEELS bridge) -> {ScriptLanguage, RapidEELS};
// RapidEELS -> {EELS, NeuralCore, SVGPlot}. ScriptLanguage (the cell language) and Jupyter (the protocol) import
// none of our other modules; Jupyter is used only by rapideels-kernel. See ../shared/DESIGN.md.
import PackageDescription

#if arch(x86_64)
let vectorKernelFlags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"])]
#else
let vectorKernelFlags: [SwiftSetting] = []
#endif

let package = Package(
    name: "RapidEELS",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rapideels-kernel", targets: ["rapideels-kernel"]),
        .library(name: "RapidEELS", targets: ["RapidEELS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries (module.modulemap + shim.h only)
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // libhdf5 for HyperSpy's .hspy (Debian libhdf5-dev: headers in /usr/include/hdf5/serial via pkg-config).
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        // MARK: - The Jupyter protocol (knows nothing of EELS)
        .target(name: "Jupyter", dependencies: ["CZeroMQ", "COpenSSL"]),

        // MARK: - Numerics, data and figures
        .target(name: "NeuralCore", dependencies: ["COpenBLAS", "NeuralKernels"]),
        // Register-blocked convolution kernels and dropout masks, built for AVX2 + FMA on x86-64; NeuralCore
        // calls them only after checking the processor (CPUFeatures).
        .target(name: "NeuralKernels", swiftSettings: vectorKernelFlags),
        .target(name: "EELS", dependencies: ["COpenBLAS", "CHDF5"]),
        .target(name: "SVGPlot"),

        // MARK: - The cell language (knows nothing of EELS)
        .target(name: "ScriptLanguage"),

        // MARK: - The paper's method and its commands in the cell language
        .target(name: "RapidEELS", dependencies: ["EELS", "NeuralCore", "SVGPlot", "COpenSSL"]),
        .target(name: "Script", dependencies: ["ScriptLanguage", "RapidEELS"]),

        // MARK: - The executable
        .executableTarget(
            name: "rapideels-kernel",
            dependencies: [
                "Jupyter", "Script", "ScriptLanguage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Benchmarks (bench/aec_keras.py runs this against Keras)
        .executableTarget(name: "aec-bench", dependencies: ["NeuralCore", "RapidEELS"], path: "bench/aec_keras_bench"),
        // bench/calibration.sh: the simulator's calibration against the paper's accuracies (issue 6).
        .executableTarget(name: "calibration-bench", dependencies: ["EELS", "NeuralCore", "RapidEELS"], path: "bench/calibration_bench"),
        .executableTarget(name: "io-preprocess-bench", dependencies: ["EELS"], path: "bench/io_preprocess_bench"),
        // bench/gpu.sh runs this on the GPU machine against PyTorch (built here by bench/gpu-build.sh).
        .executableTarget(name: "rapideels-gpu-bench", dependencies: ["NeuralCore"], path: "bench/gpu/swift"),

        // MARK: - Tests
        .target(name: "TestSupport", path: "Sources/TestSupport"),
        // integration/test_execution.py: the Jupyter module serving a test double instead of the language.
        .executableTarget(name: "protocol-probe-kernel", dependencies: ["Jupyter"], path: "Tests/ProtocolProbeKernel"),
        .testTarget(name: "JupyterTests", dependencies: ["Jupyter", "TestSupport"]),
        .testTarget(name: "ScriptTests", dependencies: ["Script", "ScriptLanguage", "TestSupport"]),
        // The language core with a second command set (a test double) and no RapidEELS.
        .testTarget(name: "ScriptLanguageTests", dependencies: ["ScriptLanguage"]),
        .testTarget(name: "NeuralCoreTests", dependencies: ["NeuralCore", "TestSupport"]),
        .testTarget(name: "EELSTests", dependencies: ["EELS", "TestSupport"]),
        .testTarget(name: "SVGPlotTests", dependencies: ["SVGPlot", "TestSupport"]),
        .testTarget(name: "RapidEELSTests", dependencies: ["RapidEELS", "TestSupport"]),
    ]
)
