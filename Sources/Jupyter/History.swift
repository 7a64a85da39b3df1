import Foundation

/// The inputs of this kernel session, for history_request (tail, range and search).
///
/// Entries are `(session, line, input)`; this kernel keeps one session, numbered 1, in memory, bounded by
/// `maxBytes`: one input keeps at most a sixteenth of it (the rest is replaced by a note), and the oldest
/// entries go first when the total is over it. Line numbers do not change when old entries go.
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
    /// The most bytes of inputs and outputs kept.
    public let maxBytes: Int
    public private(set) var entries: [Entry] = []
    /// The number of the last line stored (0 before the first).
    public private(set) var lastLine = 0
    private var bytes = 0

    public init(session: Int = 1, maxBytes: Int = 16 << 20) {
        self.session = session
        self.maxBytes = max(1024, maxBytes)
    }

    /// Stores `input` as the next line (numbered from 1).
    public mutating func append(_ input: String, output: String? = nil) {
        lastLine += 1
        let entry = Entry(session: session, line: lastLine, input: clip(input), output: output.map(clip))
        entries.append(entry)
        bytes += Self.size(entry)
        trim()
    }

    /// Records the text/plain output of line `line`.
    public mutating func setOutput(_ output: String, line: Int) {
        guard let first = entries.first?.line, line >= first && line <= lastLine else { return }
        let index = line - first
        bytes -= Self.size(entries[index])
        entries[index].output = clip(output)
        bytes += Self.size(entries[index])
        trim()
    }

    /// Text longer than a sixteenth of `maxBytes`, cut to it with a note saying how much was left out.
    private func clip(_ text: String) -> String {
        let limit = maxBytes / 16
        guard text.utf8.count > limit else { return text }
        let kept = StreamBatcher.utf8Prefix(text, maxBytes: limit)
        return kept + "\n// [history keeps the first \(limit) bytes of this \(text.utf8.count)-byte text]"
    }

    private mutating func trim() {
        var drop = 0
        while bytes > maxBytes && drop < entries.count - 1 {
            bytes -= Self.size(entries[drop])
            drop += 1
        }
        if drop > 0 { entries.removeFirst(drop) }
    }

    private static func size(_ entry: Entry) -> Int { entry.input.utf8.count + (entry.output?.utf8.count ?? 0) + 64 }

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
