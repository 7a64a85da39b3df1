import Foundation

/// NVRTC, the CUDA run-time compiler (libnvrtc), opened with `dlopen`: CUDA C source to PTX or CUBIN.
///
/// Works without a GPU or driver, so kernel sources can be compile-checked anywhere NVRTC is installed
/// (`pip install nvidia-cuda-nvrtc-cu12` provides it).
///
///     let nvrtc = try NVRTC.load()
///     let cubin = try nvrtc.compile(CUDAKernelSource.module, name: "rapideels.cu", target: .cubin(sm: 90))
public final class NVRTC: @unchecked Sendable {
    typealias Program = OpaquePointer?
    typealias GetErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias Version = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    typealias CreateProgram = @convention(c) (
        UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
    ) -> Int32
    typealias DestroyProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias CompileProgram = @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias GetSize = @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    typealias GetBytes = @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32

    /// What to produce.
    public enum Target: Equatable, Sendable, CustomStringConvertible {
        /// PTX for the virtual architecture compute_XY (`sm` = 10 * major + minor), JIT-compiled by the driver.
        case ptx(sm: Int)
        /// A CUBIN for the real architecture sm_XY, loaded as is.
        case cubin(sm: Int)

        /// The `--gpu-architecture` option.
        public var architectureOption: String {
            switch self {
            case let .ptx(sm): return "--gpu-architecture=compute_\(sm)"
            case let .cubin(sm): return "--gpu-architecture=sm_\(sm)"
            }
        }

        public var description: String {
            switch self {
            case let .ptx(sm): return "PTX for compute_\(sm)"
            case let .cubin(sm): return "CUBIN for sm_\(sm)"
            }
        }
    }

    /// The library that was opened.
    public let library: DynamicLibrary
    private let getErrorString: GetErrorString
    private let versionFunction: Version
    private let createProgram: CreateProgram
    private let destroyProgram: DestroyProgram
    private let compileProgram: CompileProgram
    private let getLogSize: GetSize
    private let getLog: GetBytes
    private let getPTXSize: GetSize
    private let getPTX: GetBytes
    private let getCUBINSize: GetSize
    private let getCUBIN: GetBytes

    /// Opens libnvrtc from the places `CUDALibrarySearch` lists.
    ///
    /// - Throws: `CUDAError.libraryNotFound` naming where it looked.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> NVRTC {
        let candidates = CUDALibrarySearch.candidates(for: .nvrtc, environment: environment)
        return try NVRTC(library: DynamicLibrary.open(name: "NVRTC (libnvrtc)", candidates: candidates))
    }

    private init(library lib: DynamicLibrary) throws {
        library = lib
        getErrorString = try lib.function("nvrtcGetErrorString", as: GetErrorString.self)
        versionFunction = try lib.function("nvrtcVersion", as: Version.self)
        createProgram = try lib.function("nvrtcCreateProgram", as: CreateProgram.self)
        destroyProgram = try lib.function("nvrtcDestroyProgram", as: DestroyProgram.self)
        compileProgram = try lib.function("nvrtcCompileProgram", as: CompileProgram.self)
        getLogSize = try lib.function("nvrtcGetProgramLogSize", as: GetSize.self)
        getLog = try lib.function("nvrtcGetProgramLog", as: GetBytes.self)
        getPTXSize = try lib.function("nvrtcGetPTXSize", as: GetSize.self)
        getPTX = try lib.function("nvrtcGetPTX", as: GetBytes.self)
        getCUBINSize = try lib.function("nvrtcGetCUBINSize", as: GetSize.self)
        getCUBIN = try lib.function("nvrtcGetCUBIN", as: GetBytes.self)
    }

    /// NVRTC's version as (major, minor), e.g. (12, 9).
    public var version: (major: Int, minor: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        _ = versionFunction(&major, &minor)
        return (Int(major), Int(minor))
    }

    /// Compiles CUDA C `source` to `target`; the result is PTX text (NUL-terminated) or CUBIN bytes.
    ///
    /// - Parameters:
    ///   - source: CUDA C++ source without #include of system headers.
    ///   - name: the file name used in diagnostics.
    ///   - options: extra NVRTC options (the architecture option is added from `target`).
    /// - Throws: `CUDAError.nvrtc` with the compiler log when compilation fails.
    public func compile(
        _ source: String, name: String, target: Target, options: [String] = ["--std=c++17", "-default-device"]
    ) throws -> [UInt8] {
        var program: OpaquePointer?
        try check(createProgram(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = destroyProgram(&program) }
        let allOptions = [target.architectureOption] + options
        let cOptions = allOptions.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        let status = cOptions.map { UnsafePointer($0) }.withUnsafeBufferPointer { pointers in
            compileProgram(program, Int32(pointers.count), pointers.baseAddress)
        }
        if status != 0 {
            throw CUDAError.nvrtc(
                call: "nvrtcCompileProgram(\(name), \(target))", code: status,
                message: errorString(status), log: log(program))
        }
        switch target {
        case .ptx: return try bytes(program, size: getPTXSize, get: getPTX, call: "nvrtcGetPTX")
        case .cubin: return try bytes(program, size: getCUBINSize, get: getCUBIN, call: "nvrtcGetCUBIN")
        }
    }

    private func bytes(_ program: Program, size: GetSize, get: GetBytes, call: String) throws -> [UInt8] {
        var count = 0
        try check(size(program, &count), call + "Size")
        guard count > 0 else { throw CUDAError.nvrtc(call: call, code: 0, message: "empty output", log: "") }
        var buffer = [UInt8](repeating: 0, count: count)
        try buffer.withUnsafeMutableBytes { raw in
            try check(get(program, raw.baseAddress!.assumingMemoryBound(to: CChar.self)), call)
        }
        return buffer
    }

    private func log(_ program: Program) -> String {
        var count = 0
        guard getLogSize(program, &count) == 0, count > 1 else { return "" }
        var buffer = [CChar](repeating: 0, count: count)
        guard getLog(program, &buffer) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func errorString(_ code: Int32) -> String {
        getErrorString(code).map { String(cString: $0) } ?? "NVRTC error"
    }

    private func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        throw CUDAError.nvrtc(call: call, code: code, message: errorString(code), log: "")
    }
}
