import Foundation

/// Why the CUDA path could not do something; every case names the call or the library involved.
///
///     do { _ = try CUDAContext.shared() } catch { print(error) }
///     // "GPU path off: libcuda.so.1 (the NVIDIA driver) was not found ..."
public enum CUDAError: Error, CustomStringConvertible, Equatable {
    /// No candidate path of a library could be opened.
    case libraryNotFound(name: String, searched: [String], reason: String)
    /// The library was opened but lacks a symbol the backend needs.
    case symbolMissing(symbol: String, library: String)
    /// A driver API call returned an error code.
    case driver(call: String, code: Int32, name: String)
    /// The driver loaded but reports no CUDA device.
    case noDevice
    /// NVRTC failed; `log` is the compiler's own log.
    case nvrtc(call: String, code: Int32, message: String, log: String)
    /// A cuBLAS call returned a non-zero status.
    case cublas(call: String, status: Int32)
    /// A request the backend cannot serve (wrong sizes, unsupported architecture).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .libraryNotFound(name, searched, reason):
            let shown = searched.count > 6 ? Array(searched.prefix(6)) + ["... (\(searched.count) places)"] : searched
            return "\(name) was not found (tried \(shown.joined(separator: ", "))): \(reason)"
        case let .symbolMissing(symbol, library):
            return "\(library) does not export \(symbol) (too old a version?)"
        case let .driver(call, code, name):
            return "\(call) failed with \(name) (\(code))"
        case .noDevice:
            return "the NVIDIA driver is loaded but reports no CUDA device"
        case let .nvrtc(call, code, message, log):
            let trimmed = log.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(call) failed with \(message) (\(code))" + (trimmed.isEmpty ? "" : ":\n" + trimmed)
        case let .cublas(call, status):
            return "\(call) failed with cuBLAS status \(status)"
        case let .invalidArgument(message):
            return message
        }
    }
}
