import Foundation

/// Where a network should run: `.cpu`, `.cuda`, or `.auto` (CUDA when a usable NVIDIA GPU is found, else the CPU).
///
/// The workflow's `%device cuda|cpu|auto` and `device:` arguments map onto this.
///
///     let device = try ComputeDevice(parsing: "auto")
///     let backend = try device.makeBackend()   // CUDABackend on a GPU machine, CPUBackend elsewhere
///     net.backend = backend                     // the same weights run on either
public enum ComputeDevice: String, CaseIterable, Sendable {
    /// The CPU backend (OpenBLAS).
    case cpu
    /// The CUDA backend; fails with a clear error when no GPU/driver/NVRTC/cuBLAS is usable.
    case cuda
    /// CUDA when usable, otherwise the CPU: silently where there is no NVIDIA driver, else with one line saying
    /// why the GPU path is off.
    case auto

    /// Parses "cpu", "cuda" (or "gpu") and "auto", case-insensitively.
    /// - Throws: `CUDAError.invalidArgument` naming the accepted values.
    public init(parsing text: String) throws {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch word {
        case "cpu": self = .cpu
        case "cuda", "gpu": self = .cuda
        case "auto": self = .auto
        default:
            throw CUDAError.invalidArgument("unknown device \"\(text)\": use cpu, cuda or auto")
        }
    }

    /// The device named by the environment variable `RAPIDEELS_DEVICE`, or `.auto`.
    public static var fromEnvironment: ComputeDevice {
        guard let text = ProcessInfo.processInfo.environment["RAPIDEELS_DEVICE"] else { return .auto }
        return (try? ComputeDevice(parsing: text)) ?? .auto
    }

    /// Whether a CUDA GPU is usable in this process (loads the driver, NVRTC and cuBLAS once, then caches).
    public static var cudaIsAvailable: Bool { (try? CUDAContext.shared()) != nil }

    /// One line describing the GPU path: "GPU path on: NVIDIA H100 ... (sm_90, CUBIN for sm_90 by NVRTC 12.9)"
    /// or "GPU path off: <reason>; computing on the CPU".
    public static var cudaStatusLine: String {
        do {
            let gpu = try CUDAContext.shared()
            return "GPU path on: \(gpu.name) (sm_\(gpu.computeCapability), \(gpu.moduleDescription))"
        } catch {
            return "GPU path off: \(error); computing on the CPU"
        }
    }

    /// The backend for this device.
    ///
    /// - Parameter log: receives the one-line notice when `.auto` falls back to the CPU (printed by default,
    ///   once per process).
    /// - Throws: for `.cuda`, the `CUDAError` that makes the GPU unusable (no driver, no device, no NVRTC...).
    public func makeBackend(log: (String) -> Void = ComputeDevice.printOnce) throws -> ComputeBackend {
        switch self {
        case .cpu:
            return CPUBackend()
        case .cuda:
            return try CUDABackend(device: CUDAContext.shared())
        case .auto:
            do {
                return try CUDABackend(device: CUDAContext.shared())
            } catch {
                if let line = ComputeDevice.fallbackNotice(for: error), ComputeDevice.firstNotice() { log(line) }
                return CPUBackend()
            }
        }
    }

    nonisolated(unsafe) private static var noticed = false

    /// What `.auto` says when it falls back to the CPU: nothing on a machine without the NVIDIA driver (the
    /// ordinary CPU machine; `%device cuda` says why in full), else one short line (shown once per process).
    ///
    ///     ComputeDevice.fallbackNotice(for: CUDAError.noDevice)   // "GPU path off (the NVIDIA driver ...); ..."
    public static func fallbackNotice(for error: Error) -> String? {
        if case CUDAError.libraryNotFound(let name, _, _) = error, name.hasPrefix("libcuda") { return nil }
        let first = String(describing: error).split(separator: "\n").first.map(String.init) ?? ""
        return "GPU path off (\(first.count > 160 ? first.prefix(160) + "..." : first)); computing on the CPU"
    }

    /// True the first time it is called in this process.
    static func firstNotice() -> Bool {
        printLock.lock()
        defer { printLock.unlock() }
        defer { noticed = true }
        return !noticed
    }

    nonisolated(unsafe) private static var printed = false
    private static let printLock = NSLock()

    /// Prints `line` the first time it is called in this process (the fallback notice).
    public static func printOnce(_ line: String) {
        printLock.lock()
        defer { printLock.unlock() }
        guard !printed else { return }
        printed = true
        print(line)
    }
}
