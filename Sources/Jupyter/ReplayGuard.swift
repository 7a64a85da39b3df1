import Foundation

/// Remembers the signatures of accepted messages and refuses one seen before, as jupyter_client's `Session`
/// does (its digest_history): a captured, validly signed request cannot be sent again within the session.
///
/// Memory is bounded: the newest `capacity` signatures are kept (2^16 by default, about 4 MB), the oldest forgotten.
///
///     var guard = ReplayGuard()
///     guard.accept(signatureFrame)   // true the first time, false for a repeat
public struct ReplayGuard: Sendable {
    /// A 32-byte HMAC-SHA256 digest (64 hex digits in the frame) as four words.
    private struct Digest: Hashable, Sendable { var a: UInt64, b: UInt64, c: UInt64, d: UInt64 }

    public let capacity: Int
    private var seen: Set<Digest> = []
    private var order: [Digest] = []
    private var next = 0

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(1, capacity)
    }

    /// Whether `signature` (the hex frame, as received) is new; records it. Empty signatures (no key) pass.
    public mutating func accept(_ signature: Data) -> Bool {
        guard !signature.isEmpty else { return true }
        let digest = Self.digest(signature)
        guard !seen.contains(digest) else { return false }
        seen.insert(digest)
        if order.count < capacity {
            order.append(digest)
        } else {
            seen.remove(order[next])
            order[next] = digest
            next = (next + 1) % capacity
        }
        return true
    }

    /// Folds the frame into four words (exact for 64 hex digits; other lengths are hashed, which is enough
    /// since such a frame never passed the signature check).
    private static func digest(_ frame: Data) -> Digest {
        var words: [UInt64] = [0, 0, 0, 0]
        if frame.count == 64 {
            for (i, byte) in frame.enumerated() {
                let nibble: UInt64
                switch byte {
                case 48...57: nibble = UInt64(byte - 48)
                case 97...102: nibble = UInt64(byte - 87)
                case 65...70: nibble = UInt64(byte - 55)
                default: nibble = UInt64(byte)
                }
                words[i / 16] = words[i / 16] << 4 | nibble
            }
        } else {
            var hasher = Hasher()
            hasher.combine(frame)
            words[0] = UInt64(bitPattern: Int64(hasher.finalize()))
            words[1] = UInt64(frame.count)
        }
        return Digest(a: words[0], b: words[1], c: words[2], d: words[3])
    }
}

/// Log lines that an attacker or a broken client can provoke, at most one per `interval` for each kind; the
/// next line says how many were left out.
///
///     let log = ThrottledLog()
///     log.write("invalid HMAC signature", "dropped a message on shell: invalid HMAC signature")
final class ThrottledLog: @unchecked Sendable {
    private let interval: TimeInterval
    private let lock = NSLock()
    private var last: [String: (time: Date, suppressed: Int)] = [:]

    init(interval: TimeInterval = 5) {
        self.interval = interval
    }

    /// Writes `line` unless a line of `kind` was written less than `interval` ago (then it is only counted).
    func write(_ kind: String, _ line: String) {
        lock.lock()
        let now = Date()
        if let entry = last[kind], now.timeIntervalSince(entry.time) < interval {
            last[kind] = (entry.time, entry.suppressed + 1)
            lock.unlock()
            return
        }
        let suppressed = last[kind]?.suppressed ?? 0
        if last.count > 64 { last.removeAll() }
        last[kind] = (now, 0)
        lock.unlock()
        KernelLog.write(suppressed > 0 ? "\(line) (and \(suppressed) more like it since the last such line)" : line)
    }
}
