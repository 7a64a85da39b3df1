/// What the CUDA engine needs from a device: memory, copies, kernel launches by name, GEMMs, graphs.
///
/// `CUDAContext` is the real GPU. The protocol exists so that the engine's whole sequence of kernels can also be
/// run by a CPU emulation of the same kernel sources (the tests do this on machines without a GPU).
///
///     let backend = CUDABackend(device: try CUDAContext.shared())
public protocol KernelDevice: AnyObject {
    /// A name for messages, e.g. "NVIDIA H100 80GB HBM3".
    var deviceName: String { get }
    /// Streaming multiprocessors (sizes grids).
    var multiprocessorCount: Int { get }
    /// The most dynamic shared memory one block may opt in to, in bytes.
    var maxSharedMemoryPerBlock: Int { get }
    /// Makes the device current on the calling thread.
    func makeCurrent() throws
    /// Device memory for `count` floats.
    func allocate(_ count: Int) throws -> CUDABuffer
    /// Page-locked host memory for `count` floats.
    func allocateHost(_ count: Int) throws -> CUDAHostBuffer
    /// Queues kernel `kernel` of `CUDAKernelSource.module` with a 1-D grid.
    func launch(_ kernel: String, grid: Int, block: Int, sharedBytes: Int, arguments: [KernelArgument]) throws
    /// Lets `kernel` use `bytes` of dynamic shared memory.
    func allowSharedMemory(_ kernel: String, bytes: Int) throws
    /// Queues row-major C[m, n] = alpha op(A) op(B) + beta C on device memory (see `CuBLAS.gemmRowMajor`).
    func gemmRowMajor(m: Int, n: Int, k: Int, a: UInt64, transposeA: Bool, b: UInt64, transposeB: Bool,
                      c: UInt64, alpha: Float, beta: Float) throws
    /// Queues a host-to-device copy.
    func copyToDevice(_ address: UInt64, from source: UnsafeRawPointer, bytes: Int) throws
    /// Queues a device-to-host copy.
    func copyToHost(_ target: UnsafeMutableRawPointer, from address: UInt64, bytes: Int) throws
    /// Queues zeroing `count` floats at `address`.
    func fillZero(_ address: UInt64, count: Int) throws
    /// Waits for all queued work.
    func synchronize() throws
    /// Captures the work `body` queues into a replayable graph; nil when the device has no graphs.
    func captureGraph(_ body: () throws -> Void) throws -> (() throws -> Void)?
}

extension KernelDevice {
    /// Launches `kernel` with the given arguments (variadic form).
    public func launch(_ kernel: String, grid: Int, block: Int, sharedBytes: Int = 0,
                       _ arguments: KernelArgument...) throws {
        try launch(kernel, grid: grid, block: block, sharedBytes: sharedBytes, arguments: arguments)
    }

    /// Row-major GEMM with defaults: no transposes, alpha 1, beta 0.
    public func gemmRowMajor(m: Int, n: Int, k: Int, a: UInt64, transposeA: Bool = false, b: UInt64,
                             transposeB: Bool = false, c: UInt64, beta: Float = 0) throws {
        try gemmRowMajor(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
                         alpha: 1, beta: beta)
    }

    /// A device buffer holding `values`.
    public func upload(_ values: [Float]) throws -> CUDABuffer {
        let buffer = try allocate(values.count)
        try buffer.copy(from: values)
        return buffer
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

    /// Writes the value at the start of an 8-byte `slot` (what cuLaunchKernel's kernelParams point to).
    public func store(at slot: UnsafeMutableRawPointer) {
        switch self {
        case let .pointer(value): slot.storeBytes(of: value, as: UInt64.self)
        case let .int32(value): slot.storeBytes(of: value, as: Int32.self)
        case let .int64(value): slot.storeBytes(of: value, as: Int64.self)
        case let .uint32(value): slot.storeBytes(of: value, as: UInt32.self)
        case let .float(value): slot.storeBytes(of: value, as: Float.self)
        }
    }
}

/// Float32 device memory, released (by the device that made it) when the last reference goes away.
public final class CUDABuffer: @unchecked Sendable {
    /// The device address (CUdeviceptr).
    public let address: UInt64
    /// Capacity in floats.
    public let count: Int
    private let device: KernelDevice
    private let release: () -> Void

    /// Wraps memory at `address` that `release` frees.
    public init(address: UInt64, count: Int, device: KernelDevice, release: @escaping () -> Void) {
        self.address = address
        self.count = count
        self.device = device
        self.release = release
    }

    deinit { release() }

    /// The address of element `offset`.
    public func address(at offset: Int) -> UInt64 { address + UInt64(offset * 4) }

    /// Copies `values` to the start of the buffer and waits.
    public func copy(from values: [Float]) throws {
        guard values.count <= count else {
            throw CUDAError.invalidArgument("\(values.count) floats do not fit a buffer of \(count)")
        }
        try device.makeCurrent()
        try values.withUnsafeBytes { raw in
            if let base = raw.baseAddress { try device.copyToDevice(address, from: base, bytes: raw.count) }
        }
        try device.synchronize()
    }

    /// The first `prefix` floats (all by default), after all queued work.
    public func values(prefix: Int? = nil) throws -> [Float] {
        let n = min(prefix ?? count, count)
        var result = [Float](repeating: 0, count: n)
        try device.makeCurrent()
        try result.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { try device.copyToHost(base, from: address, bytes: raw.count) }
        }
        try device.synchronize()
        return result
    }
}

/// Page-locked host memory: the staging area for batches in and results out, so that copies are DMA transfers
/// that a captured graph can replay.
public final class CUDAHostBuffer {
    /// The host address.
    public let pointer: UnsafeMutablePointer<Float>
    /// Capacity in floats.
    public let count: Int
    private let release: () -> Void

    /// Wraps host memory that `release` frees.
    public init(pointer: UnsafeMutablePointer<Float>, count: Int, release: @escaping () -> Void) {
        self.pointer = pointer
        self.count = count
        self.release = release
    }

    deinit { release() }
}
