import COpenBLAS

/// The CUDA backend: weights, Adam state and activations live on the GPU; every non-GEMM operation is one of
/// `CUDAKernelSource`'s kernels, GEMMs go to cuBLAS, and a training step is replayed as one CUDA graph.
///
/// Nothing is linked: the driver, NVRTC and cuBLAS are opened at run time (see `ComputeDevice`), so the same
/// binary runs on machines without a GPU, where `ComputeDevice.auto` picks `CPUBackend` instead.
///
///     let backend = try CUDABackend(device: CUDAContext.shared())
///     net.backend = backend          // the same weights now run on the GPU
///     try net.fit(inputs: x, targets: y, count: n, options: TrainingOptions(epochs: 500))
public final class CUDABackend: ComputeBackend {
    /// The device this backend runs on (a `CUDAContext`, or a CPU emulation of the kernels in tests).
    public let device: KernelDevice
    /// Replay training steps as CUDA graphs (on by default; off when `RAPIDEELS_CUDA_GRAPHS=0`).
    public var usesGraphs: Bool
    /// Use the fused whole-network kernel for inference of the paper autoencoder.
    public var usesFusedInference: Bool
    /// Why engines of this backend fell back to the CPU (empty while everything ran on the device).
    public internal(set) var fallbackReasons: [String] = []

    /// Creates the backend on `device`.
    public init(device: KernelDevice) {
        self.device = device
        let environment = ProcessInfo.processInfo.environment
        usesGraphs = environment["RAPIDEELS_CUDA_GRAPHS"] != "0"
        usesFusedInference = environment["RAPIDEELS_CUDA_FUSED"] != "0"
    }

    public var name: String {
        if let gpu = device as? CUDAContext { return "cuda (\(gpu.name), sm_\(gpu.computeCapability))" }
        return "cuda (\(device.deviceName))"
    }

    public func makeEngine(for network: Sequential) -> NetworkEngine {
        CUDAEngine(network: network, backend: self)
    }

    /// Host-memory GEMM (OpenBLAS), for code that calls a backend on host buffers; the engine itself uses cuBLAS.
    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Host-memory column sums (delegated to the CPU backend's implementation).
    public func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int,
                              into sums: UnsafeMutablePointer<Float>) {
        hostBackend.addColumnSums(matrix, rows: rows, columns: columns, into: sums)
    }

    private let hostBackend = CPUBackend(threads: 1)
}

import Foundation
