import Foundation

/// The inputs of this kernel session, for history_request (tail, range and search).
///
/// Entries are `(session, line, input)`; this kernel keeps one session, numbered 1, in memory.
///
///     var history = History()
///     history.append("let x = 1")
///     history.search(pattern: "let*", n: 10, unique: true)   // [(1, 1, "let x = 1")]
public struct History: Sendable {
    /// One stored input.
    public struct Entry: Equatable, Sendable {
        public var session: Int
        public var line: Int
        public var input: String
        public var output: String?
    }

    /// The number of the current session.
    public let session: Int
    public private(set) var entries: [Entry] = []

    public init(session: Int = 1) {
        self.session = session
    }

    /// Stores `input` as the next line (numbered from 1).
    public mutating func append(_ input: String, output: String? = nil) {
        entries.append(Entry(session: session, line: entries.count + 1, input: input, output: output))
    }

    /// Records the text/plain output of line `line`.
    public mutating func setOutput(_ output: String, line: Int) {
        guard line >= 1 && line <= entries.count else { return }
        entries[line - 1].output = output
    }

    /// The last `n` entries, oldest first.
    public func tail(_ n: Int) -> [Entry] {
        Array(entries.suffix(max(0, n)))
    }

    /// Lines `start ..< stop` of `session` (0 or the current number: this session; negative: relative, which
    /// here means earlier sessions that this kernel does not keep). A `stop` of nil or <= 0 means to the end.
    public func range(session requested: Int, start: Int, stop: Int?) -> [Entry] {
        guard requested == 0 || requested == session else { return [] }
        let end = (stop ?? 0) > 0 ? stop! : Int.max
        return entries.filter { $0.line >= start && $0.line < end }
    }

    /// Entries whose whole input matches the glob `pattern` (`*`, `?`, `[...]`, as SQLite's GLOB and
    /// IPython do), the last `n` of them (all when nil), oldest first; `unique` keeps the last of duplicates.
    public func search(pattern: String, n: Int?, unique: Bool) -> [Entry] {
        var matches = entries.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var seen = Set<String>()
            var kept = [Entry]()
            for entry in matches.reversed() where seen.insert(entry.input).inserted { kept.append(entry) }
            matches = kept.reversed()
        }
        if let n, n > 0 { matches = Array(matches.suffix(n)) }
        return matches
    }
}
