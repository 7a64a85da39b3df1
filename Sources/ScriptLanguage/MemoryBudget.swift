import Foundation

/// One memory budget for the kernel's values: before an operation makes a large value (a string, a dictionary,
/// formatted text), it asks whether the process can take it without passing `limitBytes`; if not, the cell
/// ends with a MemoryError and every variable keeps its value. Without the check, Swift aborts the process
/// when an allocation fails ("failed to allocate 5385486272 bytes") and all variables are lost.
///
/// The limit comes from `RAPIDEELS_MEMORY_LIMIT_MB` or `%memory N` (in MB); by default it is half of the
/// machine's memory (or of the cgroup's limit, where one is set).
///
///     var budget = MemoryBudget(limitBytes: 256 << 20)
///     try budget.check(adding: 5 << 30, for: "this string")   // throws MemoryError
public struct MemoryBudget: Sendable {
    /// The most memory the process may use for values (resident bytes), in bytes.
    public var limitBytes: Int
    /// Allocations below this size are not checked (reading the resident size costs a system call).
    public static let checkedSize = 1 << 20

    public init(limitBytes: Int) {
        self.limitBytes = max(16 << 20, limitBytes)
    }

    /// The budget set by `RAPIDEELS_MEMORY_LIMIT_MB`, or half of the available memory.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> MemoryBudget
    {
        if let text = environment["RAPIDEELS_MEMORY_LIMIT_MB"], let mb = Double(text), mb > 0, mb < 1e9 {
            return MemoryBudget(limitBytes: Int(mb * 1_048_576))
        }
        return MemoryBudget(limitBytes: availableMemory() / 2)
    }

    /// Throws a MemoryError when making `bytes` more (a value described by `what`) would pass the budget.
    public func check(adding bytes: Int, for what: @autoclosure () -> String,
                      at location: SourceLocation? = nil) throws {
        guard bytes >= Self.checkedSize else { return }
        let used = Self.residentBytes()
        guard bytes > limitBytes - used else { return }
        throw ScriptError(kind: .memory, message: "\(what()) would need \(Self.describe(bytes)), and the "
            + "kernel already uses \(Self.describe(used)) of its \(Self.describe(limitBytes)) memory budget "
            + "(%memory N or RAPIDEELS_MEMORY_LIMIT_MB sets it, in MB); nothing was changed", location: location)
    }

    /// The process's resident memory in bytes (0 where /proc/self/statm cannot be read).
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Physical memory, or the cgroup v2 limit when that is lower.
    static func availableMemory() -> Int {
        var total = Int(ProcessInfo.processInfo.physicalMemory)
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
            total = min(total, limit)
        }
        return max(total, 64 << 20)
    }

    /// "5.0 GB", "256 MB".
    static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30))
            : "\(bytes >> 20) MB"
    }
}

extension Value {
    /// About how many bytes `description` (or the text/plain display) of the value takes: exact for strings,
    /// an upper estimate for collections; counting stops once it passes `cap`, so a huge array costs little.
    public func textSize(cap: Int = Int.max / 4) -> Int {
        switch self {
        case .string(let s): return s.utf8.count + 2
        case .array(let items):
            var total = 2
            for item in items {
                total += item.textSize(cap: cap) + 2
                if total > cap { return total }
            }
            return total
        case .dictionary(let d):
            var total = 2
            for entry in d.entries {
                total += entry.key.textSize(cap: cap) + entry.value.textSize(cap: cap) + 4
                if total > cap { return total }
            }
            return total
        case .object(let o): return o.summary.utf8.count
        default: return 32
        }
    }
}
