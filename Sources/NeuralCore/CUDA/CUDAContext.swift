import Foundation

/// One CUDA device ready for work: the driver, its primary context, a compute stream and a copy stream, cuBLAS,
/// and the kernel module compiled by NVRTC for the device's own architecture (CUBIN, so no JIT at launch).
///
///     let gpu = try CUDAContext.shared()
///     let x = try gpu.upload([1, 2, 3])
///     try gpu.launch("re_axpby", grid: 1, block: 256, .pointer(x.address), .pointer(x.address),
///                    .int64(3), .float(2), .float(0))
///     let doubled = try gpu.download(x)   // [2, 4, 6]
public final class CUDAContext: @unchecked Sendable {
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

    /// Launches `kernel` on `stream` (the compute stream by default) with a 1-D grid.
    public func launch(
        _ kernel: String, grid: Int, block: Int, sharedBytes: Int = 0, on launchStream: OpaquePointer? = nil,
        _ arguments: KernelArgument...
    ) throws {
        try launch(kernel, grid: grid, block: block, sharedBytes: sharedBytes, on: launchStream,
                   arguments: arguments)
    }

    /// Launches `kernel` with an argument array (see the variadic form).
    public func launch(
        _ kernel: String, grid: Int, block: Int, sharedBytes: Int = 0, on launchStream: OpaquePointer? = nil,
        arguments: [KernelArgument]
    ) throws {
        let function = try function(kernel)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(arguments.count, 1), alignment: 8)
        defer { storage.deallocate() }
        var pointers = [UnsafeMutableRawPointer?]()
        for (index, argument) in arguments.enumerated() {
            let slot = storage + 8 * index
            argument.store(at: slot)
            pointers.append(slot)
        }
        let target = launchStream ?? stream
        let result = pointers.withUnsafeMutableBufferPointer { buffer in
            driver.cuLaunchKernel(
                function, UInt32(max(grid, 1)), 1, 1, UInt32(block), 1, 1, UInt32(sharedBytes), target,
                buffer.baseAddress, nil)
        }
        try driver.check(result, "cuLaunchKernel(\(kernel), grid \(grid), block \(block), shared \(sharedBytes))")
    }

    /// Blocks until all work queued on the compute stream is done.
    public func synchronize() throws {
        try driver.check(driver.cuStreamSynchronize(stream), "cuStreamSynchronize")
    }

    /// A device buffer of `count` floats (uninitialised).
    public func allocate(_ count: Int) throws -> CUDABuffer {
        try CUDABuffer(context: self, count: count)
    }

    /// A device buffer holding `values`.
    public func upload(_ values: [Float]) throws -> CUDABuffer {
        let buffer = try allocate(values.count)
        try buffer.copy(from: values)
        return buffer
    }

    /// The contents of `buffer` (waits for the compute stream first).
    public func download(_ buffer: CUDABuffer) throws -> [Float] {
        try synchronize()
        return try buffer.values()
    }
}

/// One argument of a kernel launch, stored by value in an 8-byte slot.
public enum KernelArgument: Sendable {
    /// A device address (CUdeviceptr); 0 passes a null pointer.
    case pointer(UInt64)
    case int32(Int32)
    case int64(Int64)
    case uint32(UInt32)
    case float(Float)

    func store(at slot: UnsafeMutableRawPointer) {
        switch self {
        case let .pointer(value): slot.storeBytes(of: value, as: UInt64.self)
        case let .int32(value): slot.storeBytes(of: value, as: Int32.self)
        case let .int64(value): slot.storeBytes(of: value, as: Int64.self)
        case let .uint32(value): slot.storeBytes(of: value, as: UInt32.self)
        case let .float(value): slot.storeBytes(of: value, as: Float.self)
        }
    }
}

/// Float32 device memory, freed when the last reference goes away.
public final class CUDABuffer: @unchecked Sendable {
    /// The device address (CUdeviceptr).
    public let address: UInt64
    /// Capacity in floats.
    public let count: Int
    private let context: CUDAContext

    init(context: CUDAContext, count: Int) throws {
        guard count >= 0 else { throw CUDAError.invalidArgument("cannot allocate \(count) floats") }
        self.context = context
        self.count = count
        var address: UInt64 = 0
        try context.makeCurrent()
        try context.driver.check(context.driver.cuMemAlloc(&address, max(count, 1) * 4),
                                 "cuMemAlloc(\(count * 4) bytes)")
        self.address = address
    }

    deinit { _ = context.driver.cuMemFree(address) }

    /// The address of element `offset`.
    public func address(at offset: Int) -> UInt64 { address + UInt64(offset * 4) }

    /// Copies `values` to the start of the buffer (synchronous).
    public func copy(from values: [Float]) throws {
        guard values.count <= count else {
            throw CUDAError.invalidArgument("\(values.count) floats do not fit a buffer of \(count)")
        }
        try context.makeCurrent()
        try values.withUnsafeBytes { raw in
            try context.driver.check(context.driver.cuMemcpyHtoD(address, raw.baseAddress, raw.count),
                                     "cuMemcpyHtoD(\(raw.count) bytes)")
        }
    }

    /// The first `prefix` floats (all by default), copied to the host (synchronous).
    public func values(prefix: Int? = nil) throws -> [Float] {
        let n = min(prefix ?? count, count)
        var result = [Float](repeating: 0, count: n)
        try context.makeCurrent()
        try result.withUnsafeMutableBytes { raw in
            try context.driver.check(context.driver.cuMemcpyDtoH(raw.baseAddress, address, raw.count),
                                     "cuMemcpyDtoH(\(raw.count) bytes)")
        }
        return result
    }
}
