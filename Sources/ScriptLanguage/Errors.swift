extension ScriptError {
    /// An error at a place in the cell (the traceback is rendered when the cell's source is known).
    init(kind: ErrorKind, message: String, location: SourceLocation?) {
        self.init(kind: kind, message: message)
        self.location = location
    }

    static func syntax(_ message: String, at location: SourceLocation) -> ScriptError {
        ScriptError(kind: .syntax, message: message, location: location)
    }

    /// Renders the traceback: "Kind: message", the cell line with a caret under the column, the call chain.
    mutating func render(source: String) {
        var lines = ["\u{1B}[0;31m\(kind)\u{1B}[0m: \(message)"]
        if let location {
            let cellLines = source.split(separator: "\n", omittingEmptySubsequences: false)
            if location.line >= 1, location.line <= cellLines.count {
                let text = String(cellLines[location.line - 1])
                let gutter = "\(location.line) | "
                lines.append("  --> cell line \(location.line), column \(location.column)")
                lines.append(gutter + text)
                let prefix = text.unicodeScalars.prefix(max(location.column - 1, 0))
                    .map { $0 == "\t" ? "\t" : " " }.joined()
                lines.append(String(repeating: " ", count: gutter.count) + prefix + "\u{1B}[1;31m^\u{1B}[0m")
            }
        }
        for frame in callChain { lines.append("  in \(frame)") }
        if let hint { lines.append(hint) }
        traceback = lines
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var row = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        row[0] = i
        for j in 1...y.count {
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &row)
    }
    return previous[y.count]
}

/// The nearest candidates to a misspelt name (at most three), best first.
func suggestions(for name: String, among candidates: [String]) -> [String] {
    let limit = max(1, min(3, name.count / 3 + 1))
    let scored = Set(candidates).map { ($0, editDistance(name, $0)) }
        .filter { $0.1 <= limit || ($0.0.lowercased().hasPrefix(name.lowercased()) && name.count >= 3) }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    return scored.prefix(3).map { $0.0 }
}

/// A hint naming up to three candidates close to `name`, or nil when none is close.
///
///     didYouMean("coutn", ["count", "first"])   // "did you mean `count`?"
public func didYouMean(_ name: String, _ candidates: [String]) -> String? {
    let s = suggestions(for: name, among: candidates)
    guard !s.isEmpty else { return nil }
    return "did you mean " + s.map { "`\($0)`" }.joined(separator: " or ") + "?"
}
