import Foundation

/// Jupyter counts cursor positions in Unicode scalars; these helpers convert once, in one place.
enum CursorText {
    /// The text before `cursor` (Unicode scalars), clamped to the code.
    static func prefix(_ code: String, _ cursor: Int) -> [Unicode.Scalar] {
        Array(code.unicodeScalars.prefix(max(0, min(cursor, code.unicodeScalars.count))))
    }

    static func isIdentifier(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c)
    }
}

extension Interpreter {
    /// Completions at `cursor` (Unicode scalars): commands, variables, keywords, members after `.` using the value's
    /// type, argument labels inside a call, file paths inside the string argument of `load(`.
    public func complete(_ code: String, cursor: Int) -> Completion {
        let before = CursorText.prefix(code, cursor)
        let end = before.count
        // inside a string literal of load("...") -> file paths
        if let quote = openStringStart(before) {
            let callee = identifierBefore(before, at: quote)
            let typed = String(String.UnicodeScalarView(before[(quote + 1)...]))
            if pathArgumentCommands.contains(callee) || typed.contains("/") {
                return Completion(matches: pathCompletions(typed), cursorStart: quote + 1, cursorEnd: end)
            }
            return Completion(matches: [], cursorStart: end, cursorEnd: end)
        }
        var start = end
        while start > 0, CursorText.isIdentifier(before[start - 1]) { start -= 1 }
        let word = String(String.UnicodeScalarView(before[start..<end]))
        var candidates: [String] = []
        if start > 0, before[start - 1] == "." {
            let chainEnd = start - 1
            var chainStart = chainEnd
            while chainStart > 0, CursorText.isIdentifier(before[chainStart - 1]) || before[chainStart - 1] == "." {
                chainStart -= 1
            }
            let chain = String(String.UnicodeScalarView(before[chainStart..<chainEnd]))
            if let value = valueOfChain(chain) {
                candidates = Builtins.memberNames(of: value)
            }
        } else {
            if let callee = enclosingCall(before, upTo: start), let command = commandNamed(callee) {
                candidates += command.parameters.compactMap { $0.label.map { $0 + ":" } }
            }
            let labels = Set(candidates)
            var names = Set(registry.order).union(globals.bindings.keys).union(keywords.filter {
                !Parser.unsupportedKeywords.contains($0)
            }).union(["String", "Int", "Double", "Array"])
            names.subtract(labels)
            candidates += names.sorted()
        }
        let lower = word.lowercased()
        var seen = Set<String>()
        let matches = candidates.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }
        return Completion(matches: matches, cursorStart: start, cursorEnd: end)
    }

    /// The command a call names: a registered command, or a method of the receiver's value.
    private func commandNamed(_ callee: String) -> Command? {
        if let c = registry[callee] { return c }
        let parts = callee.split(separator: ".").map(String.init)
        guard parts.count >= 2, let base = valueOfChain(parts.dropLast().joined(separator: ".")),
              case .object(let o) = base else { return nil }
        return o.method(parts.last!)
    }

    /// Evaluates `a.b.c` (names and properties only; nothing is called).
    func valueOfChain(_ chain: String) -> Value? {
        let parts = chain.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, !first.isEmpty, let b = globals.lookup(first), b.initialized else {
            if let first = parts.first, first.first?.isNumber ?? false { return .int(0) }
            return nil
        }
        var value = b.value
        for name in parts.dropFirst() {
            guard !name.isEmpty else { return nil }
            if case .object(let o) = value {
                guard let v = try? o.member(name) else { return nil }
                value = v
            } else {
                guard let v = try? Builtins.property(self, value, name, at: SourceLocation(line: 1, column: 1)) else {
                    return nil
                }
                value = v
            }
        }
        return value
    }

    private func openStringStart(_ s: [Unicode.Scalar]) -> Int? {
        var open: Int?
        var i = 0
        while i < s.count {
            if s[i] == "\\" { i += 2; continue }
            if s[i] == "\"" { open = open == nil ? i : nil }
            if s[i] == "\n" { open = nil }
            i += 1
        }
        return open
    }

    private func identifierBefore(_ s: [Unicode.Scalar], at index: Int) -> String {
        var j = index
        while j > 0, s[j - 1] == " " { j -= 1 }
        guard j > 0, s[j - 1] == "(" || s[j - 1] == ":" || s[j - 1] == "," else { return "" }
        var k = j - 1
        // skip back to the call's opening parenthesis
        var depth = 0
        while k >= 0 {
            if s[k] == ")" { depth += 1 }
            if s[k] == "(" { if depth == 0 { break }; depth -= 1 }
            k -= 1
        }
        guard k > 0 else { return "" }
        var start = k
        while start > 0, CursorText.isIdentifier(s[start - 1]) { start -= 1 }
        return String(String.UnicodeScalarView(s[start..<k]))
    }

    /// The callee of the innermost unclosed `(` before `index` ("denoise", or "si.crop" for methods).
    private func enclosingCall(_ s: [Unicode.Scalar], upTo index: Int) -> String? {
        var depth = 0
        var k = index - 1
        while k >= 0 {
            let c = s[k]
            if c == ")" || c == "]" { depth += 1 }
            if c == "[" { if depth == 0 { return nil }; depth -= 1 }
            if c == "(" {
                if depth == 0 {
                    var start = k
                    while start > 0, CursorText.isIdentifier(s[start - 1]) || s[start - 1] == "." { start -= 1 }
                    let name = String(String.UnicodeScalarView(s[start..<k]))
                    return name.isEmpty ? nil : name
                }
                depth -= 1
            }
            k -= 1
        }
        return nil
    }

    /// Files and folders whose names continue `typed` (a path as typed so far; `~` is the home folder).
    /// Plain string splitting on "/": Foundation's path helpers trap on some malformed input.
    private func pathCompletions(_ typed: String) -> [String] {
        guard !typed.contains("\0"), typed.utf8.count < 4096 else { return [] }
        var expanded = typed
        if typed == "~" || typed.hasPrefix("~/") {
            expanded = (ProcessInfo.processInfo.environment["HOME"] ?? "") + typed.dropFirst()
        }
        let directory: String, namePrefix: String
        if let slash = expanded.lastIndex(of: "/") {
            directory = String(expanded[...slash])
            namePrefix = String(expanded[expanded.index(after: slash)...])
        } else {
            directory = ""
            namePrefix = expanded
        }
        let typedDirectory = String(typed.dropLast(namePrefix.count))
        let listed = directory.isEmpty ? "." : directory
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: listed) else { return [] }
        return entries.filter { $0.hasPrefix(namePrefix) && (!$0.hasPrefix(".") || namePrefix.hasPrefix(".")) }
            .sorted().map { name in
                var isDirectory: ObjCBool = false
                let full = listed.hasSuffix("/") ? listed + name : listed + "/" + name
                FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory)
                return typedDirectory + name + (isDirectory.boolValue ? "/" : "")
            }
    }

    /// Inspection at `cursor`: a command's signature, doc and example, or a variable's type and summary.
    public func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle? {
        let scalars = Array(code.unicodeScalars)
        var position = max(0, min(cursor, scalars.count))
        if position == scalars.count || !CursorText.isIdentifier(scalars[position]) {
            // on "name(" or just after a name
            if position > 0, scalars[position - 1] == "(" { position -= 1 }
        }
        var start = position, end = position
        while start > 0, CursorText.isIdentifier(scalars[start - 1]) || scalars[start - 1] == "." { start -= 1 }
        while end < scalars.count, CursorText.isIdentifier(scalars[end]) { end += 1 }
        let chain = String(String.UnicodeScalarView(scalars[start..<end]))
        guard !chain.isEmpty else { return nil }
        let parts = chain.split(separator: ".").map(String.init)
        if parts.count == 1, let c = registry[parts[0]] {
            return ["text/plain": c.helpText]
        }
        if parts.count >= 2, let base = valueOfChain(parts.dropLast().joined(separator: ".")),
           case .object(let o) = base, let m = o.method(parts.last!) {
            return ["text/plain": m.helpText]
        }
        if let value = valueOfChain(chain) {
            return ["text/plain": helpText(for: value)]
        }
        return nil
    }

    /// The deepest indent is_complete suggests, in levels of four spaces.
    public static let maxIndentLevels = 16

    /// Whether the code is ready to run: open brackets, strings and comments, or a trailing operator, mean more
    /// is coming.
    public func isComplete(_ code: String) -> CompletenessStatus {
        var lexer = Lexer(code)
        let tokens: [Token]
        do { tokens = try lexer.tokenize() } catch let error as ScriptError {
            return error.message.hasPrefix("unterminated") ? .incomplete(indent: "") : .invalid
        } catch { return .invalid }
        var depth = 0
        for t in tokens {
            if case .symbol(let s) = t.kind {
                if s == "(" || s == "[" || s == "{" { depth += 1 }
                if s == ")" || s == "]" || s == "}" { depth -= 1 }
                if depth < 0 { return .invalid }
            }
        }
        // The indent follows the depth up to `maxIndentLevels` (200,000 open brackets must not become 800 KB).
        if depth > 0 { return .incomplete(indent: String(repeating: "    ", count: min(depth, Self.maxIndentLevels))) }
        if let last = tokens.last(where: { $0.kind != .newline && $0.kind != .eof }),
           case .symbol(let s) = last.kind,
           ["+", "-", "*", "/", "%", "=", "==", "!=", "<", "<=", ">", ">=", "&&", "||", ",", ".", "...", "..<",
            "+=", "-=", "*=", "/=", "->", "?", ":"].contains(s) {
            return .incomplete(indent: "")
        }
        if code.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("%") }) {
            return .complete
        }
        var parser = Parser(tokens: tokens, modules: importableModules)
        do { _ = try parser.program() } catch { return .invalid }
        return .complete
    }
}
