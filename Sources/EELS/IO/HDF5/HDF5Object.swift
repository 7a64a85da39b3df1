import CHDF5
import Foundation

/// An HDF5 identifier that is closed when the last reference goes away.
final class HDF5Object {
    let id: hid_t
    private let closer: (hid_t) -> herr_t

    /// Wraps `id`, or throws `EELSError.file` naming `what` failed when libhdf5 returned a negative identifier.
    init(_ id: hid_t, closer: @escaping (hid_t) -> herr_t, path: String, what: @autoclosure () -> String) throws {
        guard id >= 0 else { throw EELSError.file(path: path, detail: "HDF5: \(what())") }
        self.id = id
        self.closer = closer
    }

    deinit { _ = closer(id) }
}

/// libhdf5 set-up shared by every call: error-stack printing off (errors come back as negative return values
/// and become `EELSError.file`), and one lock, since Debian's serial libhdf5 is not thread-safe.
enum HDF5Library {
    private static let ready: Bool = {
        _ = H5open()
        chdf5_silence_errors()
        return true
    }()
    private static let lock = NSRecursiveLock()
    /// True in the child process `HDF5Isolation` forks (set right after the fork, before any HDF5 call).
    nonisolated(unsafe) static var inCheckProcess = false

    /// Runs `body` with the library initialised, holding the library lock.
    static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        _ = ready
        if inCheckProcess {  // a forked child has one thread, and the lock it inherited is held by its parent
            chdf5_silence_errors()
            return try body()
        }
        lock.lock()
        defer { lock.unlock() }
        chdf5_silence_errors()  // per thread in a thread-safe libhdf5 build, so on every call
        return try body()
    }

    /// The first eight bytes of every HDF5 file (at offset 0 when there is no user block).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
}

/// A value of an HDF5 attribute as .hspy files use them.
///
///     HDF5Attribute.string("EELS"), .double(0.25), .int(2048), .bool(true)
public enum HDF5Attribute: Equatable, Sendable {
    case string(String)
    case double(Double)
    case int(Int)
    case bool(Bool)
    /// Arrays of numbers or strings (read only).
    case numbers([Double])
    case strings([String])

    /// The value as text (numbers without a trailing ".0" when integral).
    public var text: String {
        switch self {
        case .string(let s): return s
        case .double(let d): return HDF5Attribute.format(d)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .numbers(let v): return "[" + v.map(HDF5Attribute.format).joined(separator: ", ") + "]"
        case .strings(let v): return "[" + v.joined(separator: ", ") + "]"
        }
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        case .numbers(let v) where v.count == 1: return v[0]
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    static func format(_ d: Double) -> String {
        d.isFinite && d == d.rounded() && Swift.abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
