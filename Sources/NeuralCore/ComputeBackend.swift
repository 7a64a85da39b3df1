import COpenBLAS
import Dispatch
import Foundation

/// Where a network runs. The CPU backend is built in; a GPU backend (loaded at run time) plugs in by
/// returning its own `NetworkEngine` from `makeEngine(for:)` with weights and optimizer state on the device.
///
///     let cpu = CPUBackend(threads: 2)
///     let engine = cpu.makeEngine(for: network)
public protocol ComputeBackend: AnyObject {
    /// A short name for messages, e.g. "cpu (2 threads)".
    var name: String { get }
    /// Creates the object that runs `network`'s forward, backward and optimizer steps on this backend.
    func makeEngine(for network: Sequential) -> NetworkEngine
    /// Row-major single-precision GEMM on host memory: C = alpha * op(A) * op(B) + beta * C.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)
    /// sums[c] += column sums of a row-major rows x columns host matrix (bias gradients).
    func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>)
    /// Whether layers may run their convolutions with the register-blocked host kernels (`NeuralKernels`)
    /// instead of im2col + `gemm` + col2im.
    var usesVectorKernels: Bool { get }
}

extension ComputeBackend {
    /// Backends that run layers on device memory use `gemm` only.
    public var usesVectorKernels: Bool { false }
}

/// What a backend does with a network: inference, and one training step (forward, loss, backward, Adam).
///
/// Host parameters (`Parameter.pointer`) are the source of truth between calls: an engine that keeps its own
/// copy (a GPU) must read them in `parametersDidChange()` and write them back in `synchronizeParameters()`.
public protocol NetworkEngine: AnyObject {
    /// Runs layers `layers` on `count` samples; `output` receives [count, layers.last.outputShape...].
    func predict(_ inputs: UnsafePointer<Float>, count: Int, layers: Range<Int>, output: UnsafeMutablePointer<Float>)
    /// One optimizer step on the samples `indices` of the data set; returns the batch's mean loss.
    func trainStep(_ step: TrainingStep) -> Double
    /// Host parameters were changed (loaded or reset): refresh any copy.
    func parametersDidChange()
    /// Make the host parameters current (after training on a device).
    func synchronizeParameters()
}

/// One training step's inputs for `NetworkEngine.trainStep`.
public struct TrainingStep {
    /// The whole data set's inputs, [samples, inputShape...].
    public var inputs: UnsafePointer<Float>
    /// The whole data set's targets, [samples, outputShape...].
    public var targets: UnsafePointer<Float>
    /// Rows of this batch.
    public var indices: UnsafeBufferPointer<Int>
    /// The loss to minimise.
    public var loss: Loss
    /// The optimizer (its step counter advances by one).
    public var optimizer: Adam
    /// Layers before this index are frozen (no gradients, no updates).
    public var firstTrainableLayer: Int
    /// Seed of this step's dropout masks.
    public var randomStream: UInt64
}

/// The CPU backend: OpenBLAS sgemm, batches split into chunks that run on `threads` worker threads.
///
/// With `threads > 1` OpenBLAS is set to one thread (our workers own the cores); with one worker
/// OpenBLAS may use `blasThreads` threads.
///
///     let backend = CPUBackend(threads: 2, chunkSize: 16)
public final class CPUBackend: ComputeBackend {
    /// Worker threads over chunks of a batch.
    public let threads: Int
    /// Samples per chunk (activations of a chunk stay in cache).
    public let chunkSize: Int
    /// OpenBLAS threads used inside each gemm.
    public let blasThreads: Int

    /// Convolutions run with the register-blocked kernels (requested, and the processor has AVX2 and FMA on
    /// x86-64); otherwise with im2col + sgemm + col2im.
    public let usesVectorKernels: Bool

    /// Creates a CPU backend. `threads` defaults to the number of active processors (at most 8);
    /// `vectorKernels: false` forces the sgemm path everywhere (for comparisons and tests).
    public init(threads: Int? = nil, chunkSize: Int = 16, blasThreads: Int = 1, vectorKernels: Bool = true) {
        let cores = ProcessInfoCores.active
        self.threads = Swift.max(1, threads ?? Swift.min(cores, 8))
        self.chunkSize = Swift.max(1, chunkSize)
        self.blasThreads = Swift.max(1, blasThreads)
        usesVectorKernels = vectorKernels && CPUFeatures.vectorKernels
        pool = WorkerPool(threads: self.threads)
    }

    public var name: String { "cpu (\(threads) worker\(threads == 1 ? "" : "s"), openblas \(blasThreads))" }

    public func makeEngine(for network: Sequential) -> NetworkEngine {
        openblas_set_num_threads(Int32(blasThreads))
        return CPUEngine(network: network, backend: self)
    }

    @inline(__always)
    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var beta = beta
        if beta == 0, ldc == n {
            // OpenBLAS's beta pass is slow for narrow row-major outputs; a flat memset is not.
            c.update(repeating: 0, count: m * n)
            beta = 1
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// sums[c] += column sums of a row-major rows x columns matrix (bias gradients), as one sgemv.
    @inline(__always)
    public func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int,
                              into sums: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < rows {
            let block = Swift.min(rows - start, Ones.count)
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(block), Int32(columns), 1, matrix + start * columns,
                        Int32(columns), Ones.pointer, 1, 1, sums, 1)
            start += block
        }
    }

    /// Our worker threads (created on first parallel use).
    private let pool: WorkerPool

    /// Runs `body(worker)` for worker in 0..<count, in parallel when count > 1.
    func parallel(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { body(0) } else { pool.run(count, body) }
    }
}

/// A shared read-only vector of ones (for column sums as matrix-vector products).
enum Ones {
    static let count = 1 << 15
    nonisolated(unsafe) static let pointer: UnsafeMutablePointer<Float> = {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        pointer.initialize(repeating: 1, count: count)
        return pointer
    }()
}

/// What the processor offers the vector kernels.
enum CPUFeatures {
    /// True where `NeuralKernels` (built for AVX2 + FMA on x86-64) may run: on x86-64 Linux when
    /// /proc/cpuinfo lists avx2 and fma; on other architectures always (no special instructions).
    static let vectorKernels: Bool = {
        #if arch(x86_64)
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(separator: " "))
        return flags.contains("avx2") && flags.contains("fma")
        #else
        return false
        #endif
        #else
        return true
        #endif
    }()
}

/// The number of processors available to this process.
enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
#if canImport(Glibc)
import Glibc
#endif
