import Foundation

/// The kernel's protective limits, read once from the environment (sizes in MB, 1 MB = 2^20 bytes).
///
/// | variable                     | default | what it bounds                                                  |
/// |------------------------------|---------|-----------------------------------------------------------------|
/// | `RAPIDEELS_MAX_MESSAGE_MB`   | 128     | one incoming ZeroMQ frame (ZMQ_MAXMSGSIZE), before any HMAC check |
/// | `RAPIDEELS_MAX_OUTPUT_MB`    | 32      | stream output (print, stdout/stderr) one request publishes       |
/// | `RAPIDEELS_IOPUB_BACKLOG_MB` | 64      | published bytes waiting for a slow iopub reader                  |
/// | `RAPIDEELS_HISTORY_MB`       | 16      | inputs kept for history_request (one input: at most 1/16 of it)  |
///
///     let limits = KernelLimits.fromEnvironment()
///     limits.maxOutputBytes   // 33554432
public struct KernelLimits: Equatable, Sendable {
    /// The largest frame accepted on any socket; larger ones are refused by libzmq without being buffered.
    public var maxMessageBytes: Int
    /// Stream bytes published per request; the rest is counted and reported in one line.
    public var maxOutputBytes: Int
    /// iopub bytes that may wait for a reader before stream output is dropped (and reported).
    public var maxBacklogBytes: Int
    /// Bytes of history inputs kept; the oldest are dropped first.
    public var maxHistoryBytes: Int
    /// Stream text is published at least this often while a request runs (ipykernel's flush interval).
    public var flushInterval: TimeInterval
    /// A stream message is published once it reaches this many bytes.
    public var maxChunkBytes: Int

    public init(maxMessageBytes: Int = 128 << 20, maxOutputBytes: Int = 32 << 20, maxBacklogBytes: Int = 64 << 20,
                maxHistoryBytes: Int = 16 << 20, flushInterval: TimeInterval = 0.05, maxChunkBytes: Int = 256 << 10) {
        self.maxMessageBytes = maxMessageBytes
        self.maxOutputBytes = maxOutputBytes
        self.maxBacklogBytes = maxBacklogBytes
        self.maxHistoryBytes = maxHistoryBytes
        self.flushInterval = flushInterval
        self.maxChunkBytes = maxChunkBytes
    }

    /// The defaults, overridden by the `RAPIDEELS_*_MB` variables that hold a positive number.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> KernelLimits
    {
        var limits = KernelLimits()
        func megabytes(_ name: String) -> Int? {
            guard let text = environment[name], let value = Double(text), value > 0, value < 1e7 else { return nil }
            return Int(value * 1_048_576)
        }
        if let v = megabytes("RAPIDEELS_MAX_MESSAGE_MB") { limits.maxMessageBytes = v }
        if let v = megabytes("RAPIDEELS_MAX_OUTPUT_MB") { limits.maxOutputBytes = v }
        if let v = megabytes("RAPIDEELS_IOPUB_BACKLOG_MB") { limits.maxBacklogBytes = v }
        if let v = megabytes("RAPIDEELS_HISTORY_MB") { limits.maxHistoryBytes = v }
        return limits
    }

    /// "32 MB", "1.5 MB", "200 KB": sizes in the kernel's messages.
    public static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 {
            let mb = Double(bytes) / 1_048_576
            return mb == mb.rounded() ? "\(Int(mb)) MB" : String(format: "%.1f MB", mb)
        }
        if bytes >= 1 << 10 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }
}
