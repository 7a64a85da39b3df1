import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened at run time with `dlopen`, whose symbols become Swift C function pointers.
///
/// Nothing in NeuralCore links against CUDA: the same binary runs with or without a GPU.
///
///     let lib = try DynamicLibrary.open(name: "libcuda.so.1", candidates: ["libcuda.so.1"])
///     let cuInit = try lib.function("cuInit", as: CUDADriverAPI.CuInit.self)
public final class DynamicLibrary: @unchecked Sendable {
    /// The path (or bare name) that `dlopen` accepted.
    public let path: String
    private let handle: UnsafeMutableRawPointer

    private init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    /// Opens the first candidate that `dlopen` accepts (RTLD_NOW | RTLD_GLOBAL).
    ///
    /// - Parameters:
    ///   - name: the library's name for messages ("libcuda.so.1", "NVRTC").
    ///   - candidates: absolute paths or bare sonames, tried in order.
    /// - Throws: `CUDAError.libraryNotFound` naming every place that was tried and the last `dlerror`.
    public static func open(name: String, candidates: [String]) throws -> DynamicLibrary {
        var lastError = "no candidates"
        for candidate in candidates {
            if candidate.hasPrefix("/") && !FileManager.default.fileExists(atPath: candidate) { continue }
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL) {
                return DynamicLibrary(path: candidate, handle: handle)
            }
            if let message = dlerror() { lastError = String(cString: message) }
        }
        throw CUDAError.libraryNotFound(name: name, searched: candidates, reason: lastError)
    }

    /// The C function `symbol`, cast to the `@convention(c)` type `type`.
    ///
    /// - Throws: `CUDAError.symbolMissing` when the library does not export `symbol` (too old a version).
    public func function<T>(_ symbol: String, as type: T.Type) throws -> T {
        guard let address = dlsym(handle, symbol) else {
            throw CUDAError.symbolMissing(symbol: symbol, library: path)
        }
        return unsafeBitCast(address, to: T.self)
    }

    /// The C function `symbol` when the library exports it, otherwise nil.
    public func optionalFunction<T>(_ symbol: String, as type: T.Type) -> T? {
        guard let address = dlsym(handle, symbol) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
