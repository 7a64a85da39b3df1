import Foundation

/// The CUDA driver API (libcuda.so.1), resolved with `dlsym` into `@convention(c)` function pointers.
///
/// Handles are opaque pointers; device addresses are `UInt64` (CUdeviceptr); every call returns a CUresult
/// (0 = success) that `check` turns into a `CUDAError.driver` naming the call.
///
///     let api = try CUDADriverAPI.load()
///     try api.check(api.cuInit(0), "cuInit")
public struct CUDADriverAPI: @unchecked Sendable {
    public typealias Handle = OpaquePointer?
    public typealias HandleOut = UnsafeMutablePointer<OpaquePointer?>

    public typealias CuInit = @convention(c) (UInt32) -> Int32
    public typealias CuDriverGetVersion = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    public typealias CuDeviceGetCount = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    public typealias CuDeviceGet = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    public typealias CuDeviceGetName = @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32
    public typealias CuDeviceGetAttribute = @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32
    public typealias CuDeviceTotalMem = @convention(c) (UnsafeMutablePointer<Int>, Int32) -> Int32
    public typealias CuDevicePrimaryCtxRetain = @convention(c) (HandleOut, Int32) -> Int32
    public typealias CuDevicePrimaryCtxRelease = @convention(c) (Int32) -> Int32
    public typealias CuCtxSetCurrent = @convention(c) (Handle) -> Int32
    public typealias CuCtxSynchronize = @convention(c) () -> Int32
    public typealias CuMemAlloc = @convention(c) (UnsafeMutablePointer<UInt64>, Int) -> Int32
    public typealias CuMemFree = @convention(c) (UInt64) -> Int32
    public typealias CuMemAllocHost = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int) -> Int32
    public typealias CuMemFreeHost = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    public typealias CuMemcpyHtoD = @convention(c) (UInt64, UnsafeRawPointer?, Int) -> Int32
    public typealias CuMemcpyDtoH = @convention(c) (UnsafeMutableRawPointer?, UInt64, Int) -> Int32
    public typealias CuMemcpyDtoD = @convention(c) (UInt64, UInt64, Int) -> Int32
    public typealias CuMemcpyHtoDAsync = @convention(c) (UInt64, UnsafeRawPointer?, Int, Handle) -> Int32
    public typealias CuMemcpyDtoHAsync = @convention(c) (UnsafeMutableRawPointer?, UInt64, Int, Handle) -> Int32
    public typealias CuMemcpyDtoDAsync = @convention(c) (UInt64, UInt64, Int, Handle) -> Int32
    public typealias CuMemsetD32Async = @convention(c) (UInt64, UInt32, Int, Handle) -> Int32
    public typealias CuModuleLoadData = @convention(c) (HandleOut, UnsafeRawPointer?) -> Int32
    public typealias CuModuleUnload = @convention(c) (Handle) -> Int32
    public typealias CuModuleGetFunction = @convention(c) (HandleOut, Handle, UnsafePointer<CChar>) -> Int32
    public typealias CuFuncSetAttribute = @convention(c) (Handle, Int32, Int32) -> Int32
    public typealias CuLaunchKernel = @convention(c) (
        Handle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, Handle,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> Int32
    public typealias CuStreamCreate = @convention(c) (HandleOut, UInt32) -> Int32
    public typealias CuStreamDestroy = @convention(c) (Handle) -> Int32
    public typealias CuStreamSynchronize = @convention(c) (Handle) -> Int32
    public typealias CuStreamWaitEvent = @convention(c) (Handle, Handle, UInt32) -> Int32
    public typealias CuEventCreate = @convention(c) (HandleOut, UInt32) -> Int32
    public typealias CuEventDestroy = @convention(c) (Handle) -> Int32
    public typealias CuEventRecord = @convention(c) (Handle, Handle) -> Int32
    public typealias CuEventSynchronize = @convention(c) (Handle) -> Int32
    public typealias CuEventElapsedTime = @convention(c) (UnsafeMutablePointer<Float>, Handle, Handle) -> Int32
    public typealias CuStreamBeginCapture = @convention(c) (Handle, Int32) -> Int32
    public typealias CuStreamEndCapture = @convention(c) (Handle, HandleOut) -> Int32
    public typealias CuGraphInstantiateWithFlags = @convention(c) (HandleOut, Handle, UInt64) -> Int32
    public typealias CuGraphLaunch = @convention(c) (Handle, Handle) -> Int32
    public typealias CuGraphExecDestroy = @convention(c) (Handle) -> Int32
    public typealias CuGraphDestroy = @convention(c) (Handle) -> Int32
    public typealias CuGetErrorName = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32

    /// Device attributes used by the backend (values of CUdevice_attribute).
    public enum DeviceAttribute: Int32, Sendable {
        case multiprocessorCount = 16
        case computeCapabilityMajor = 75
        case computeCapabilityMinor = 76
        case maxSharedMemoryPerBlockOptin = 97
    }

    /// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: opt in to more than 48 KB of dynamic shared memory.
    public static let funcAttributeMaxDynamicSharedSizeBytes: Int32 = 8
    /// CU_STREAM_NON_BLOCKING.
    public static let streamNonBlocking: UInt32 = 1
    /// CU_STREAM_CAPTURE_MODE_THREAD_LOCAL.
    public static let captureModeThreadLocal: Int32 = 1

    /// The library that was opened.
    public let library: DynamicLibrary

    public let cuInit: CuInit
    public let cuDriverGetVersion: CuDriverGetVersion
    public let cuDeviceGetCount: CuDeviceGetCount
    public let cuDeviceGet: CuDeviceGet
    public let cuDeviceGetName: CuDeviceGetName
    public let cuDeviceGetAttribute: CuDeviceGetAttribute
    public let cuDeviceTotalMem: CuDeviceTotalMem
    public let cuDevicePrimaryCtxRetain: CuDevicePrimaryCtxRetain
    public let cuDevicePrimaryCtxRelease: CuDevicePrimaryCtxRelease
    public let cuCtxSetCurrent: CuCtxSetCurrent
    public let cuCtxSynchronize: CuCtxSynchronize
    public let cuMemAlloc: CuMemAlloc
    public let cuMemFree: CuMemFree
    public let cuMemAllocHost: CuMemAllocHost
    public let cuMemFreeHost: CuMemFreeHost
    public let cuMemcpyHtoD: CuMemcpyHtoD
    public let cuMemcpyDtoH: CuMemcpyDtoH
    public let cuMemcpyDtoD: CuMemcpyDtoD
    public let cuMemcpyHtoDAsync: CuMemcpyHtoDAsync
    public let cuMemcpyDtoHAsync: CuMemcpyDtoHAsync
    public let cuMemcpyDtoDAsync: CuMemcpyDtoDAsync
    public let cuMemsetD32Async: CuMemsetD32Async
    public let cuModuleLoadData: CuModuleLoadData
    public let cuModuleUnload: CuModuleUnload
    public let cuModuleGetFunction: CuModuleGetFunction
    public let cuFuncSetAttribute: CuFuncSetAttribute
    public let cuLaunchKernel: CuLaunchKernel
    public let cuStreamCreate: CuStreamCreate
    public let cuStreamDestroy: CuStreamDestroy
    public let cuStreamSynchronize: CuStreamSynchronize
    public let cuStreamWaitEvent: CuStreamWaitEvent
    public let cuEventCreate: CuEventCreate
    public let cuEventDestroy: CuEventDestroy
    public let cuEventRecord: CuEventRecord
    public let cuEventSynchronize: CuEventSynchronize
    public let cuEventElapsedTime: CuEventElapsedTime
    public let cuStreamBeginCapture: CuStreamBeginCapture
    public let cuStreamEndCapture: CuStreamEndCapture
    public let cuGraphInstantiateWithFlags: CuGraphInstantiateWithFlags
    public let cuGraphLaunch: CuGraphLaunch
    public let cuGraphExecDestroy: CuGraphExecDestroy
    public let cuGraphDestroy: CuGraphDestroy
    public let cuGetErrorName: CuGetErrorName

    /// Opens libcuda.so.1 and resolves every entry point (the `_v2` ABI where CUDA has one).
    ///
    /// - Throws: `CUDAError.libraryNotFound` without a driver; `.symbolMissing` for a driver older than CUDA 11.4.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> CUDADriverAPI {
        let candidates = CUDALibrarySearch.candidates(for: .driver, environment: environment)
        let lib = try DynamicLibrary.open(name: "libcuda.so.1 (the NVIDIA driver)", candidates: candidates)
        return try CUDADriverAPI(library: lib)
    }

    private init(library lib: DynamicLibrary) throws {
        library = lib
        cuInit = try lib.function("cuInit", as: CuInit.self)
        cuDriverGetVersion = try lib.function("cuDriverGetVersion", as: CuDriverGetVersion.self)
        cuDeviceGetCount = try lib.function("cuDeviceGetCount", as: CuDeviceGetCount.self)
        cuDeviceGet = try lib.function("cuDeviceGet", as: CuDeviceGet.self)
        cuDeviceGetName = try lib.function("cuDeviceGetName", as: CuDeviceGetName.self)
        cuDeviceGetAttribute = try lib.function("cuDeviceGetAttribute", as: CuDeviceGetAttribute.self)
        cuDeviceTotalMem = try lib.function("cuDeviceTotalMem_v2", as: CuDeviceTotalMem.self)
        cuDevicePrimaryCtxRetain = try lib.function("cuDevicePrimaryCtxRetain", as: CuDevicePrimaryCtxRetain.self)
        cuDevicePrimaryCtxRelease = try lib.function(
            "cuDevicePrimaryCtxRelease_v2", as: CuDevicePrimaryCtxRelease.self)
        cuCtxSetCurrent = try lib.function("cuCtxSetCurrent", as: CuCtxSetCurrent.self)
        cuCtxSynchronize = try lib.function("cuCtxSynchronize", as: CuCtxSynchronize.self)
        cuMemAlloc = try lib.function("cuMemAlloc_v2", as: CuMemAlloc.self)
        cuMemFree = try lib.function("cuMemFree_v2", as: CuMemFree.self)
        cuMemAllocHost = try lib.function("cuMemAllocHost_v2", as: CuMemAllocHost.self)
        cuMemFreeHost = try lib.function("cuMemFreeHost", as: CuMemFreeHost.self)
        cuMemcpyHtoD = try lib.function("cuMemcpyHtoD_v2", as: CuMemcpyHtoD.self)
        cuMemcpyDtoH = try lib.function("cuMemcpyDtoH_v2", as: CuMemcpyDtoH.self)
        cuMemcpyDtoD = try lib.function("cuMemcpyDtoD_v2", as: CuMemcpyDtoD.self)
        cuMemcpyHtoDAsync = try lib.function("cuMemcpyHtoDAsync_v2", as: CuMemcpyHtoDAsync.self)
        cuMemcpyDtoHAsync = try lib.function("cuMemcpyDtoHAsync_v2", as: CuMemcpyDtoHAsync.self)
        cuMemcpyDtoDAsync = try lib.function("cuMemcpyDtoDAsync_v2", as: CuMemcpyDtoDAsync.self)
        cuMemsetD32Async = try lib.function("cuMemsetD32Async", as: CuMemsetD32Async.self)
        cuModuleLoadData = try lib.function("cuModuleLoadData", as: CuModuleLoadData.self)
        cuModuleUnload = try lib.function("cuModuleUnload", as: CuModuleUnload.self)
        cuModuleGetFunction = try lib.function("cuModuleGetFunction", as: CuModuleGetFunction.self)
        cuFuncSetAttribute = try lib.function("cuFuncSetAttribute", as: CuFuncSetAttribute.self)
        cuLaunchKernel = try lib.function("cuLaunchKernel", as: CuLaunchKernel.self)
        cuStreamCreate = try lib.function("cuStreamCreate", as: CuStreamCreate.self)
        cuStreamDestroy = try lib.function("cuStreamDestroy_v2", as: CuStreamDestroy.self)
        cuStreamSynchronize = try lib.function("cuStreamSynchronize", as: CuStreamSynchronize.self)
        cuStreamWaitEvent = try lib.function("cuStreamWaitEvent", as: CuStreamWaitEvent.self)
        cuEventCreate = try lib.function("cuEventCreate", as: CuEventCreate.self)
        cuEventDestroy = try lib.function("cuEventDestroy_v2", as: CuEventDestroy.self)
        cuEventRecord = try lib.function("cuEventRecord", as: CuEventRecord.self)
        cuEventSynchronize = try lib.function("cuEventSynchronize", as: CuEventSynchronize.self)
        cuEventElapsedTime = try lib.function("cuEventElapsedTime", as: CuEventElapsedTime.self)
        cuStreamBeginCapture = try lib.function("cuStreamBeginCapture_v2", as: CuStreamBeginCapture.self)
        cuStreamEndCapture = try lib.function("cuStreamEndCapture", as: CuStreamEndCapture.self)
        cuGraphInstantiateWithFlags = try lib.function(
            "cuGraphInstantiateWithFlags", as: CuGraphInstantiateWithFlags.self)
        cuGraphLaunch = try lib.function("cuGraphLaunch", as: CuGraphLaunch.self)
        cuGraphExecDestroy = try lib.function("cuGraphExecDestroy", as: CuGraphExecDestroy.self)
        cuGraphDestroy = try lib.function("cuGraphDestroy", as: CuGraphDestroy.self)
        cuGetErrorName = try lib.function("cuGetErrorName", as: CuGetErrorName.self)
    }

    /// Throws `CUDAError.driver` naming `call` and the CUresult's name when `result` is not CUDA_SUCCESS.
    public func check(_ result: Int32, _ call: @autoclosure () -> String) throws {
        guard result != 0 else { return }
        var namePointer: UnsafePointer<CChar>?
        let name = cuGetErrorName(result, &namePointer) == 0 && namePointer != nil
            ? String(cString: namePointer!) : "CUDA error"
        throw CUDAError.driver(call: call(), code: result, name: name)
    }
}
