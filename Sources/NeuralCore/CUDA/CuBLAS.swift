import Foundation

/// cuBLAS (libcublas), opened with `dlopen`: single-precision GEMMs on device memory.
///
/// cuBLAS is column-major; `gemmRowMajor` computes the row-major product the backend needs by swapping operands
/// (C^T = B^T A^T), so callers think in [rows, columns] row-major matrices throughout.
///
///     let blas = try CuBLAS.load(stream: stream)
///     try blas.gemmRowMajor(m: 512, n: 8, k: 7, a: cols, b: weights, c: output)   // C = A * B
public final class CuBLAS: @unchecked Sendable {
    typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias Destroy = @convention(c) (OpaquePointer?) -> Int32
    typealias SetStream = @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32
    typealias SetMathMode = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias SetWorkspace = @convention(c) (OpaquePointer?, UInt64, Int) -> Int32
    typealias Sgemm = @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>,
        UInt64, Int32, UInt64, Int32, UnsafePointer<Float>, UInt64, Int32
    ) -> Int32
    typealias SgemmStridedBatched = @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>,
        UInt64, Int32, Int64, UInt64, Int32, Int64, UnsafePointer<Float>, UInt64, Int32, Int64, Int32
    ) -> Int32

    /// The library that was opened.
    public let library: DynamicLibrary
    private let destroy: Destroy
    private let setStreamFunction: SetStream
    private let sgemm: Sgemm
    private let sgemmStridedBatched: SgemmStridedBatched
    private var handle: OpaquePointer?

    /// Opens libcublas (preloading libcublasLt from the same folder when it sits beside it) and creates a handle
    /// bound to `stream`. Needs a current CUDA context.
    public static func load(
        stream: OpaquePointer?, workspace: (address: UInt64, bytes: Int)? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CuBLAS {
        let candidates = CUDALibrarySearch.candidates(for: .cublas, environment: environment)
        for path in candidates where path.hasPrefix("/") && FileManager.default.fileExists(atPath: path) {
            let folder = (path as NSString).deletingLastPathComponent
            let soname = (path as NSString).lastPathComponent
            let lt = folder + "/" + soname.replacingOccurrences(of: "libcublas", with: "libcublasLt")
            _ = try? DynamicLibrary.open(name: "cuBLASLt", candidates: [lt])
            break
        }
        let lib = try DynamicLibrary.open(name: "cuBLAS (libcublas)", candidates: candidates)
        return try CuBLAS(library: lib, stream: stream, workspace: workspace)
    }

    private init(library lib: DynamicLibrary, stream: OpaquePointer?, workspace: (address: UInt64, bytes: Int)?) throws {
        library = lib
        let create = try lib.function("cublasCreate_v2", as: Create.self)
        destroy = try lib.function("cublasDestroy_v2", as: Destroy.self)
        setStreamFunction = try lib.function("cublasSetStream_v2", as: SetStream.self)
        sgemm = try lib.function("cublasSgemm_v2", as: Sgemm.self)
        sgemmStridedBatched = try lib.function("cublasSgemmStridedBatched", as: SgemmStridedBatched.self)
        try check(create(&handle), "cublasCreate")
        try setStream(stream)
        // Plain FP32 (CUBLAS_DEFAULT_MATH): no TF32, so results match the CPU backend within 1e-4.
        if let setMathMode = lib.optionalFunction("cublasSetMathMode", as: SetMathMode.self) {
            try check(setMathMode(handle, 0), "cublasSetMathMode")
        }
        // A fixed workspace keeps cuBLAS from allocating while a CUDA graph is being captured.
        if let workspace, let setWorkspace = lib.optionalFunction("cublasSetWorkspace_v2", as: SetWorkspace.self) {
            try check(setWorkspace(handle, workspace.address, workspace.bytes), "cublasSetWorkspace")
        }
    }

    deinit { _ = destroy(handle) }

    /// Makes later calls run on `stream`.
    public func setStream(_ stream: OpaquePointer?) throws {
        try check(setStreamFunction(handle, stream), "cublasSetStream")
    }

    /// Row-major C[m, n] = alpha * op(A) op(B) + beta * C with op(A) [m, k] and op(B) [k, n];
    /// A is stored [m, k] (or [k, m] when `transposeA`), B is stored [k, n] (or [n, k] when `transposeB`).
    public func gemmRowMajor(
        m: Int, n: Int, k: Int, a: UInt64, transposeA: Bool = false, b: UInt64, transposeB: Bool = false,
        c: UInt64, alpha: Float = 1, beta: Float = 0
    ) throws {
        var alpha = alpha
        var beta = beta
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        // Column-major view: C^T[n, m] = op(B)^T op(A)^T.
        try check(
            sgemm(
                handle, transposeB ? 1 : 0, transposeA ? 1 : 0, Int32(n), Int32(m), Int32(k), &alpha,
                b, Int32(ldb), a, Int32(lda), &beta, c, Int32(n)),
            "cublasSgemm(m: \(m), n: \(n), k: \(k))")
    }

    /// `batch` independent row-major products C_i = op(A_i) op(B_i), matrices `strideA/B/C` floats apart.
    public func gemmStridedBatchedRowMajor(
        m: Int, n: Int, k: Int, a: UInt64, strideA: Int, transposeA: Bool = false,
        b: UInt64, strideB: Int, transposeB: Bool = false, c: UInt64, strideC: Int, batch: Int,
        alpha: Float = 1, beta: Float = 0
    ) throws {
        var alpha = alpha
        var beta = beta
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        try check(
            sgemmStridedBatched(
                handle, transposeB ? 1 : 0, transposeA ? 1 : 0, Int32(n), Int32(m), Int32(k), &alpha,
                b, Int32(ldb), Int64(strideB), a, Int32(lda), Int64(strideA), &beta, c, Int32(n), Int64(strideC),
                Int32(batch)),
            "cublasSgemmStridedBatched(m: \(m), n: \(n), k: \(k), batch: \(batch))")
    }

    private func check(_ status: Int32, _ call: @autoclosure () -> String) throws {
        guard status != 0 else { return }
        throw CUDAError.cublas(call: call(), status: status)
    }
}
