import Foundation

/// One CUDA device ready for work: the driver, its primary context, a compute stream and a copy stream, cuBLAS,
/// and the kernel module compiled by NVRTC for the device's own architecture (CUBIN, so no JIT at launch).
///
///     let gpu = try CUDAContext.shared()
///     let x = try gpu.upload([1, 2, 3])
///     try gpu.launch("re_axpby", grid: 1, block: 256, .pointer(x.address), .pointer(x.address),
///                    .int64(3), .float(2), .float(0))
///     let doubled = try gpu.download(x)   // [2, 4, 6]
public final class CUDAContext: KernelDevice, @unchecked Sendable {
    /// The driver API entry points.
    public let driver: CUDADriverAPI
    /// The device's name, e.g. "NVIDIA H100 80GB HBM3".
    public let name: String
    /// Compute capability as 10 * major + minor (90 for H100, 80 for A100).
    public let computeCapability: Int
    /// Streaming multiprocessors.
    public let multiprocessorCount: Int
    /// The most dynamic shared memory one block may opt in to, in bytes.
    public let maxSharedMemoryPerBlock: Int
    /// The stream every kernel and GEMM runs on.
    public let stream: OpaquePointer?
    /// A second stream for host-to-device copies that overlap compute.
    public let copyStream: OpaquePointer?
    /// cuBLAS bound to `stream`.
    public let blas: CuBLAS
    /// How the kernel module was built, e.g. "CUBIN for sm_90 by NVRTC 12.9".
    public let moduleDescription: String

    private let device: Int32
    private let blasWorkspace: UInt64
    private let context: OpaquePointer?
    private let module: OpaquePointer?
    private var functions: [String: OpaquePointer?] = [:]
    private let lock = NSLock()

    nonisolated(unsafe) private static var cached: Result<CUDAContext, Error>?
    private static let cacheLock = NSLock()

    /// The process-wide context on device 0, created on first use; later calls return it (or the same error).
    public static func shared() throws -> CUDAContext {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached { return try cached.get() }
        let result = Result { try CUDAContext(ordinal: 0) }
        cached = result
        return try result.get()
    }

    /// Opens the driver, retains device `ordinal`'s primary context, creates the streams and cuBLAS, and compiles
    /// the kernel module.
    public init(ordinal: Int32) throws {
        let api = try CUDADriverAPI.load()
        driver = api
        try api.check(api.cuInit(0), "cuInit")
        var count: Int32 = 0
        try api.check(api.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard count > ordinal else { throw CUDAError.noDevice }
        var dev: Int32 = 0
        try api.check(api.cuDeviceGet(&dev, ordinal), "cuDeviceGet")
        device = dev
        var nameBytes = [CChar](repeating: 0, count: 256)
        try api.check(api.cuDeviceGetName(&nameBytes, 256, dev), "cuDeviceGetName")
        name = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func attribute(_ a: CUDADriverAPI.DeviceAttribute) throws -> Int {
            var value: Int32 = 0
            try api.check(api.cuDeviceGetAttribute(&value, a.rawValue, dev), "cuDeviceGetAttribute(\(a))")
            return Int(value)
        }
        computeCapability = try 10 * attribute(.computeCapabilityMajor) + attribute(.computeCapabilityMinor)
        multiprocessorCount = try attribute(.multiprocessorCount)
        maxSharedMemoryPerBlock = try attribute(.maxSharedMemoryPerBlockOptin)
        var ctx: OpaquePointer?
        try api.check(api.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain")
        context = ctx
        try api.check(api.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
        var computeStream: OpaquePointer?
        var transferStream: OpaquePointer?
        try api.check(api.cuStreamCreate(&computeStream, CUDADriverAPI.streamNonBlocking), "cuStreamCreate")
        try api.check(api.cuStreamCreate(&transferStream, CUDADriverAPI.streamNonBlocking), "cuStreamCreate")
        stream = computeStream
        copyStream = transferStream
        let workspaceBytes = 32 << 20
        var workspace: UInt64 = 0
        try api.check(api.cuMemAlloc(&workspace, workspaceBytes), "cuMemAlloc(cuBLAS workspace)")
        blasWorkspace = workspace
        blas = try CuBLAS.load(stream: computeStream, workspace: (workspace, workspaceBytes))
        let (image, description) = try Self.compileModule(computeCapability: computeCapability)
        var loaded: OpaquePointer?
        try image.withUnsafeBytes { raw in
            try api.check(api.cuModuleLoadData(&loaded, raw.baseAddress), "cuModuleLoadData(\(description))")
        }
        module = loaded
        moduleDescription = description
    }

    deinit {
        _ = driver.cuCtxSetCurrent(context)
        _ = driver.cuModuleUnload(module)
        _ = driver.cuStreamDestroy(stream)
        _ = driver.cuStreamDestroy(copyStream)
        _ = driver.cuMemFree(blasWorkspace)
        _ = driver.cuDevicePrimaryCtxRelease(device)
    }

    /// Compiles `CUDAKernelSource.module` to a CUBIN for `sm_<computeCapability>`, or to PTX for the newest
    /// architecture NVRTC knows when it does not know this one.
    static func compileModule(computeCapability sm: Int) throws -> (image: [UInt8], description: String) {
        let nvrtc = try NVRTC.load()
        let version = "NVRTC \(nvrtc.version.major).\(nvrtc.version.minor)"
        var firstError: Error?
        for target in [NVRTC.Target.cubin(sm: sm), .ptx(sm: min(sm, 90)), .ptx(sm: 80)] {
            do {
                var image = try nvrtc.compile(CUDAKernelSource.module, name: "rapideels.cu", target: target)
                if case .ptx = target, image.last != 0 { image.append(0) }
                return (image, "\(target) by \(version)")
            } catch {
                firstError = firstError ?? error
            }
        }
        throw firstError!
    }

    /// Makes this context current on the calling thread (every public method does this itself).
    public func makeCurrent() throws {
        try driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    /// The kernel `name` (an `re_` entry point of `CUDAKernelSource.module`).
    public func function(_ name: String) throws -> OpaquePointer? {
        lock.lock()
        defer { lock.unlock() }
        if let known = functions[name] { return known }
        var function: OpaquePointer?
        try driver.check(driver.cuModuleGetFunction(&function, module, name), "cuModuleGetFunction(\(name))")
        functions[name] = function
        return function
    }

    /// Allows `kernel` to use `bytes` of dynamic shared memory (needed above 48 KiB).
    public func allowSharedMemory(_ kernel: String, bytes: Int) throws {
        guard bytes <= maxSharedMemoryPerBlock else {
            throw CUDAError.invalidArgument(
                "\(kernel) needs \(bytes) bytes of shared memory; \(name) allows \(maxSharedMemoryPerBlock)")
        }
        try driver.check(
            driver.cuFuncSetAttribute(try function(kernel), CUDADriverAPI.funcAttributeMaxDynamicSharedSizeBytes,
                                      Int32(bytes)),
            "cuFuncSetAttribute(\(kernel), MAX_DYNAMIC_SHARED_SIZE_BYTES, \(bytes))")
    }

    /// Launches `kernel` on the compute stream with a 1-D grid.
    public func launch(_ kernel: String, grid: Int, block: Int, sharedBytes: Int, arguments: [KernelArgument])
        throws {
        let function = try function(kernel)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(arguments.count, 1), alignment: 8)
        defer { storage.deallocate() }
        var pointers = [UnsafeMutableRawPointer?]()
        for (index, argument) in arguments.enumerated() {
            let slot = storage + 8 * index
            argument.store(at: slot)
            pointers.append(slot)
        }
        let target = stream
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            driver.cuLaunchKernel(
                function, UInt32(max(grid, 1)), 1, 1, UInt32(block), 1, 1, UInt32(sharedBytes), target,
                buffer.baseAddress, nil)
        }
        try driver.check(result, "cuLaunchKernel(\(kernel), grid \(grid), block \(block), shared \(sharedBytes))")
    }

    /// The device's name.
    public var deviceName: String { name }

    /// Blocks until all work queued on the compute stream is done.
    public func synchronize() throws {
        try driver.check(driver.cuStreamSynchronize(stream), "cuStreamSynchronize")
    }

    /// A device buffer of `count` floats (uninitialised), freed with cuMemFree.
    public func allocate(_ count: Int) throws -> CUDABuffer {
        guard count >= 0 else { throw CUDAError.invalidArgument("cannot allocate \(count) floats") }
        var address: UInt64 = 0
        try makeCurrent()
        try driver.check(driver.cuMemAlloc(&address, max(count, 1) * 4), "cuMemAlloc(\(count * 4) bytes)")
        let api = driver
        return CUDABuffer(address: address, count: count, device: self) { _ = api.cuMemFree(address) }
    }

    /// Page-locked host memory (cuMemAllocHost) for `count` floats.
    public func allocateHost(_ count: Int) throws -> CUDAHostBuffer {
        var raw: UnsafeMutableRawPointer?
        try makeCurrent()
        try driver.check(driver.cuMemAllocHost(&raw, max(count, 1) * 4), "cuMemAllocHost(\(count * 4) bytes)")
        let api = driver
        return CUDAHostBuffer(pointer: raw!.bindMemory(to: Float.self, capacity: max(count, 1)), count: count) {
            _ = api.cuMemFreeHost(raw)
        }
    }

    public func gemmRowMajor(m: Int, n: Int, k: Int, a: UInt64, transposeA: Bool, b: UInt64, transposeB: Bool,
                             c: UInt64, alpha: Float, beta: Float) throws {
        try blas.gemmRowMajor(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
                              alpha: alpha, beta: beta)
    }

    public func copyToDevice(_ address: UInt64, from source: UnsafeRawPointer, bytes: Int) throws {
        try driver.check(driver.cuMemcpyHtoDAsync(address, source, bytes, stream), "cuMemcpyHtoDAsync(\(bytes) bytes)")
    }

    public func copyToHost(_ target: UnsafeMutableRawPointer, from address: UInt64, bytes: Int) throws {
        try driver.check(driver.cuMemcpyDtoHAsync(target, address, bytes, stream), "cuMemcpyDtoHAsync(\(bytes) bytes)")
    }

    public func fillZero(_ address: UInt64, count: Int) throws {
        try driver.check(driver.cuMemsetD32Async(address, 0, count, stream), "cuMemsetD32Async(\(count) floats)")
    }

    public func captureGraph(_ body: () throws -> Void) throws -> (() throws -> Void)? {
        let graph = try CUDAGraph(capturing: self, body)
        return { try graph.launch() }
    }

    /// The contents of `buffer` (after all queued work).
    public func download(_ buffer: CUDABuffer) throws -> [Float] {
        try buffer.values()
    }
}
