// swift-tools-version:5.9
// The Swift side of bench/analysis.sh: the EELS analysis code (linked to the main package's sources) and a driver.
import PackageDescription

let package = Package(
    name: "AnalysisBench",
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        // Only the files the analysis code needs, so the bench builds fast and independently of the rest of EELS.
        .target(name: "EELS", dependencies: ["COpenBLAS"], path: "Sources/EELS",
                sources: ["EELSError.swift", "UniformAxis.swift", "UniformAxis+Channel.swift", "IO/Image2D.swift", "Spectrum.swift", "SpectrumImage.swift",
                          "Preprocessing/SeededGenerator.swift", "Analysis"]),
        .executableTarget(name: "analysis-bench", dependencies: ["EELS"], path: "Sources/analysis-bench"),
    ]
)
