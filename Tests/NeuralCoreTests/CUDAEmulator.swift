import Foundation
import NeuralCore
import XCTest

/// Runs `CUDAKernelSource.module` on the CPU: the same CUDA C text compiled as C++ (clang++ or g++) with a small
/// header that maps threadIdx/blockIdx to thread-locals, `__shared__` to statics and `__syncthreads` to a barrier.
/// Kernels without barriers run their threads one after another; the others get one OS thread per block thread.
/// Device addresses are host addresses; GEMMs use OpenBLAS. This checks the kernels' math and the CUDA engine's
/// sequence of launches without a GPU (it says nothing about GPU-specific behaviour such as timing).
final class CUDAEmulator: KernelDevice {
    let deviceName = "CPU emulation of the CUDA kernels"
    let multiprocessorCount = 1
    let maxSharedMemoryPerBlock = 232_448
    private let library: UnsafeMutableRawPointer
    private var launchers: [String: Launcher] = [:]
    private let blas = CPUBackend(threads: 1)
    typealias Launcher = @convention(c) (UInt32, UInt32, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>)
        -> Void

    nonisolated(unsafe) private static var shared: Result<CUDAEmulator, Error>?

    /// The emulator, compiled once per test process; skips when no C++ compiler is installed.
    static func make() throws -> CUDAEmulator {
        if let shared { return try shared.get() }
        let result = Result { try CUDAEmulator() }
        shared = result
        return try result.get()
    }

    private init() throws {
        let compilers = ["clang++", "g++"].compactMap { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
                .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        guard let compiler = compilers.first else {
            throw XCTSkip("no C++ compiler (clang++ or g++) on PATH: the CUDA kernels' CPU emulation was not run")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rapideels-cuda-emu-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = folder.appendingPathComponent("kernels.cpp"), object = folder.appendingPathComponent("kernels.so")
        try (Self.header + CUDAKernelSource.module + Self.launchers()).write(to: source, atomically: true,
                                                                            encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        process.arguments = ["-std=c++17", "-O1", "-shared", "-fPIC", "-pthread", "-w", source.path, "-o", object.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CUDAError.invalidArgument("the kernels do not compile as C++ with \(compiler):\n\(log)")
        }
        guard let handle = dlopen(object.path, RTLD_NOW) else {
            throw CUDAError.invalidArgument("cannot load the emulation: \(String(cString: dlerror()))")
        }
        library = handle
    }

    /// The kernels whose bodies synchronise (directly or through re_block_sum).
    static var synchronisingKernels: Set<String> {
        Set(kernelSignatures().filter { $0.body.contains("__syncthreads") || $0.body.contains("re_block_sum")
            || $0.body.contains("re_fused_") }.map(\.name))
    }

    static func kernelSignatures() -> [(name: String, parameters: [String], body: String)] {
        let module = CUDAKernelSource.module
        var result: [(String, [String], String)] = []
        var rest = module[...]
        while let start = rest.range(of: "RE_KERNEL void ") {
            let afterName = rest[start.upperBound...]
            let open = afterName.firstIndex(of: "(")!, close = afterName.firstIndex(of: ")")!
            let name = String(afterName[..<open])
            let parameters = afterName[afterName.index(after: open)..<close].split(separator: ",").map {
                $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).dropLast().joined(separator: " ")
            }
            let next = afterName.range(of: "RE_KERNEL void ")?.lowerBound ?? afterName.endIndex
            result.append((name, parameters, String(afterName[close..<next])))
            rest = afterName[close...]
        }
        return result
    }

    static func launchers() -> String {
        let barrier = synchronisingKernels
        return kernelSignatures().map { kernel in
            let arguments = kernel.parameters.enumerated().map { "*(\($1)*)args[\($0)]" }.joined(separator: ", ")
            return """
            extern "C" void emu_\(kernel.name)(unsigned grid, unsigned block, unsigned shared, void** args) {
                re_launch(grid, block, shared, \(barrier.contains(kernel.name)), [=] { \(kernel.name)(\(arguments)); });
            }
            """
        }.joined(separator: "\n")
    }

    static let header = #"""
    #define RAPIDEELS_CPU_EMULATION 1
    #include <cmath>
    #include <functional>
    #include <pthread.h>
    #include <thread>
    #include <vector>
    struct re_dim3 { unsigned x, y, z; };
    static thread_local re_dim3 threadIdx, blockIdx;
    static re_dim3 blockDim, gridDim;
    static pthread_barrier_t re_barrier;
    static char* re_dynamic_shared;
    #define RE_KERNEL static
    #define RE_DEVICE static inline
    #define __shared__ static
    #define RE_DYNAMIC_SHARED(T, name) T* name = (T*)re_dynamic_shared
    static inline void __syncthreads() { pthread_barrier_wait(&re_barrier); }
    static void re_launch(unsigned grid, unsigned block, unsigned shared, bool barrier,
                          const std::function<void()>& body) {
        blockDim = {block, 1, 1};
        gridDim = {grid, 1, 1};
        std::vector<double> memory(shared / 8 + 2);
        re_dynamic_shared = (char*)memory.data();
        if (!barrier) {
            for (unsigned b = 0; b < grid; ++b)
                for (unsigned t = 0; t < block; ++t) { blockIdx = {b, 0, 0}; threadIdx = {t, 0, 0}; body(); }
            return;
        }
        pthread_barrier_init(&re_barrier, nullptr, block);
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; ++t)
            threads.emplace_back([&, t] {
                threadIdx = {t, 0, 0};
                for (unsigned b = 0; b < grid; ++b) { blockIdx = {b, 0, 0}; body(); __syncthreads(); }
            });
        for (auto& thread : threads) thread.join();
        pthread_barrier_destroy(&re_barrier);
    }

    """#

    // MARK: - KernelDevice

    func makeCurrent() throws {}
    func synchronize() throws {}
    func allowSharedMemory(_ kernel: String, bytes: Int) throws {}
    func captureGraph(_ body: () throws -> Void) throws -> (() throws -> Void)? { nil }

    func allocate(_ count: Int) throws -> CUDABuffer {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: .nan, count: max(count, 1))
        return CUDABuffer(address: UInt64(UInt(bitPattern: pointer)), count: count, device: self) {
            pointer.deallocate()
        }
    }

    func allocateHost(_ count: Int) throws -> CUDAHostBuffer {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return CUDAHostBuffer(pointer: pointer, count: count) { pointer.deallocate() }
    }

    func launch(_ kernel: String, grid: Int, block: Int, sharedBytes: Int, arguments: [KernelArgument]) throws {
        if launchers[kernel] == nil {
            guard let symbol = dlsym(library, "emu_" + kernel) else {
                throw CUDAError.invalidArgument("no kernel named \(kernel)")
            }
            launchers[kernel] = unsafeBitCast(symbol, to: Launcher.self)
        }
        let slots = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(arguments.count, 1), alignment: 8)
        defer { slots.deallocate() }
        var pointers: [UnsafeMutableRawPointer?] = []
        for (index, argument) in arguments.enumerated() {
            argument.store(at: slots + 8 * index)
            pointers.append(slots + 8 * index)
        }
        pointers.withUnsafeMutableBufferPointer { buffer in
            launchers[kernel]!(UInt32(grid), UInt32(block), UInt32(sharedBytes), buffer.baseAddress!)
        }
    }

    func gemmRowMajor(m: Int, n: Int, k: Int, a: UInt64, transposeA: Bool, b: UInt64, transposeB: Bool,
                      c: UInt64, alpha: Float, beta: Float) throws {
        blas.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                  a: Self.pointer(a), lda: transposeA ? m : k, b: Self.pointer(b), ldb: transposeB ? k : n,
                  beta: beta, c: Self.pointer(c), ldc: n)
    }

    func copyToDevice(_ address: UInt64, from source: UnsafeRawPointer, bytes: Int) throws {
        UnsafeMutableRawPointer(Self.pointer(address)).copyMemory(from: source, byteCount: bytes)
    }

    func copyToHost(_ target: UnsafeMutableRawPointer, from address: UInt64, bytes: Int) throws {
        target.copyMemory(from: Self.pointer(address), byteCount: bytes)
    }

    func fillZero(_ address: UInt64, count: Int) throws {
        Self.pointer(address).update(repeating: 0, count: count)
    }

    static func pointer(_ address: UInt64) -> UnsafeMutablePointer<Float> {
        UnsafeMutablePointer(bitPattern: UInt(address))!
    }
}
