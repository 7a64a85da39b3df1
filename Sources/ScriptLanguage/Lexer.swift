/// A position in a cell: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Equatable, Sendable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) { self.line = line; self.column = column }
}

/// Token kinds of RapidEELS Script.
enum TokenKind: Equatable {
    case identifier(String)
    case keyword(String)
    case int(Int)
    case double(Double)
    /// A string literal split into literal text and interpolated source segments.
    case string([StringPart])
    case dollar(Int)          // $0, $1
    case symbol(String)       // operators and punctuation
    case newline
    case eof
}

enum StringPart: Equatable {
    case text(String)
    case code(String, SourceLocation)
}

struct Token {
    var kind: TokenKind
    var location: SourceLocation
    /// Whether whitespace or a newline precedes the token (for `.member` vs implicit member, prefix/postfix ops).
    var spaceBefore: Bool
}

let keywords: Set<String> = [
    "let", "var", "func", "if", "else", "for", "in", "while", "break", "continue", "return", "true", "false", "nil",
    "import", "struct", "class", "enum", "protocol", "extension", "inout", "try", "catch", "do", "throw", "guard",
    "switch", "case", "repeat", "defer", "where", "static", "actor", "typealias", "init",
]

/// Turns cell text into tokens. Comments (`//`, nested `/* */`) are skipped; newlines are kept as separators.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    private let lineOffset: Int

    init(_ source: String, lineOffset: Int = 0, columnOffset: Int = 0) {
        scalars = Array(source.unicodeScalars)
        self.lineOffset = lineOffset
        line = 1 + lineOffset
        column = 1 + columnOffset
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private mutating func advance() -> Unicode.Scalar {
        let c = scalars[index]
        index += 1
        if c == "\n" { line += 1; column = 1 } else { column += 1 }
        return c
    }

    private var here: SourceLocation { SourceLocation(line: line, column: column) }

    mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        var space = true
        while true {
            // whitespace and comments
            while let c = peek() {
                if c == " " || c == "\t" || c == "\r" { _ = advance(); space = true; continue }
                if c == "/" && peek(1) == "/" {
                    while let d = peek(), d != "\n" { _ = advance() }
                    space = true
                    continue
                }
                if c == "/" && peek(1) == "*" {
                    let start = here
                    _ = advance(); _ = advance()
                    var depth = 1
                    while depth > 0 {
                        guard let d = peek() else {
                            throw ScriptError.syntax("unterminated '/*' comment", at: start)
                        }
                        if d == "/" && peek(1) == "*" { _ = advance(); _ = advance(); depth += 1 }
                        else if d == "*" && peek(1) == "/" { _ = advance(); _ = advance(); depth -= 1 }
                        else { _ = advance() }
                    }
                    space = true
                    continue
                }
                break
            }
            let start = here
            guard let c = peek() else {
                tokens.append(Token(kind: .eof, location: start, spaceBefore: true))
                return tokens
            }
            if c == "\n" {
                _ = advance()
                tokens.append(Token(kind: .newline, location: start, spaceBefore: space))
                space = true
                continue
            }
            let kind: TokenKind
            if c.properties.isAlphabetic || c == "_" {
                var name = ""
                while let d = peek(), d.properties.isAlphabetic || d == "_" || ("0"..."9").contains(d) {
                    name.unicodeScalars.append(advance())
                }
                kind = keywords.contains(name) ? .keyword(name) : .identifier(name)
            } else if ("0"..."9").contains(c) {
                kind = try number(start)
            } else if c == "$" {
                _ = advance()
                var digits = ""
                while let d = peek(), ("0"..."9").contains(d) { digits.unicodeScalars.append(advance()) }
                guard let n = Int(digits) else { throw ScriptError.syntax("expected a digit after '$'", at: start) }
                guard n < 256 else {
                    throw ScriptError.syntax("anonymous closure argument '$\(digits)' is out of range", at: start)
                }
                kind = .dollar(n)
            } else if c == "\"" {
                kind = .string(try string(start))
            } else {
                kind = .symbol(try symbol(start))
            }
            tokens.append(Token(kind: kind, location: start, spaceBefore: space))
            space = false
        }
    }

    private mutating func number(_ start: SourceLocation) throws -> TokenKind {
        var text = ""
        var isDouble = false
        func digits(_ lexer: inout Lexer, into text: inout String) {
            while let d = lexer.peek(), ("0"..."9").contains(d) || d == "_" {
                let s = lexer.advance()
                if s != "_" { text.unicodeScalars.append(s) }
            }
        }
        if peek() == "0", let x = peek(1), x == "x" || x == "b" || x == "o" {
            _ = advance(); _ = advance()
            var body = ""
            while let d = peek(), d.properties.isASCIIHexDigit || d == "_" {
                let s = advance()
                if s != "_" { body.unicodeScalars.append(s) }
            }
            let radix = x == "x" ? 16 : x == "b" ? 2 : 8
            guard let v = Int(body, radix: radix) else {
                throw ScriptError.syntax("invalid integer literal '0\(x)\(body)'", at: start)
            }
            return .int(v)
        }
        digits(&self, into: &text)
        if peek() == ".", let n = peek(1), ("0"..."9").contains(n) {
            isDouble = true
            text.unicodeScalars.append(advance())
            digits(&self, into: &text)
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1)
            if let s = sign, ("0"..."9").contains(s) || ((s == "-" || s == "+") && (peek(2).map { ("0"..."9").contains($0) } ?? false)) {
                isDouble = true
                text.unicodeScalars.append(advance())
                if s == "-" || s == "+" { text.unicodeScalars.append(advance()) }
                digits(&self, into: &text)
            }
        }
        if isDouble {
            guard let v = Double(text) else { throw ScriptError.syntax("invalid number '\(text)'", at: start) }
            return .double(v)
        }
        guard let v = Int(text) else {
            throw ScriptError.syntax("integer literal '\(text)' overflows Int", at: start)
        }
        return .int(v)
    }

    private mutating func string(_ start: SourceLocation) throws -> [StringPart] {
        let multiline = peek(1) == "\"" && peek(2) == "\""
        _ = advance()
        if multiline {
            _ = advance(); _ = advance()
            if peek() == "\n" { _ = advance() }
        }
        var parts: [StringPart] = []
        var text = ""
        while true {
            guard let c = peek() else {
                throw ScriptError.syntax("unterminated string literal", at: start)
            }
            if multiline {
                if c == "\"" && peek(1) == "\"" && peek(2) == "\"" {
                    _ = advance(); _ = advance(); _ = advance()
                    // Swift strips the final newline and the closing delimiter's indentation.
                    if let nl = text.lastIndex(of: "\n") {
                        let indent = text[text.index(after: nl)...]
                        if indent.allSatisfy({ $0 == " " || $0 == "\t" }) {
                            let prefix = String(indent)
                            text = String(text[..<nl])
                            if !prefix.isEmpty {
                                text = text.split(separator: "\n", omittingEmptySubsequences: false)
                                    .map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : String($0) }
                                    .joined(separator: "\n")
                            }
                        }
                    }
                    break
                }
            } else {
                if c == "\"" { _ = advance(); break }
                if c == "\n" { throw ScriptError.syntax("unterminated string literal", at: start) }
            }
            if c == "\\" {
                let escapeAt = here
                _ = advance()
                guard let e = peek() else { throw ScriptError.syntax("unterminated string literal", at: start) }
                _ = advance()
                switch e {
                case "n": text += "\n"
                case "t": text += "\t"
                case "r": text += "\r"
                case "0": text += "\0"
                case "\\": text += "\\"
                case "\"": text += "\""
                case "'": text += "'"
                case "(":
                    if !text.isEmpty { parts.append(.text(text)); text = "" }
                    let codeStart = here
                    var depth = 1
                    var code = ""
                    while true {
                        guard let d = peek(), d != "\n" || multiline else {
                            throw ScriptError.syntax("unterminated interpolation '\\('", at: escapeAt)
                        }
                        if d == "(" { depth += 1 }
                        if d == ")" { depth -= 1; if depth == 0 { _ = advance(); break } }
                        if d == "\"" {
                            // a nested string literal inside the interpolation
                            code.unicodeScalars.append(advance())
                            while let q = peek(), q != "\"" {
                                if q == "\\" { code.unicodeScalars.append(advance()) }
                                if peek() != nil { code.unicodeScalars.append(advance()) }
                            }
                            if peek() != nil { code.unicodeScalars.append(advance()) }
                            continue
                        }
                        code.unicodeScalars.append(advance())
                    }
                    parts.append(.code(code, codeStart))
                case "u":
                    guard peek() == "{" else { throw ScriptError.syntax("expected '{' after \\u", at: escapeAt) }
                    _ = advance()
                    var hex = ""
                    while let d = peek(), d != "}" { hex.unicodeScalars.append(advance()) }
                    if peek() == "}" { _ = advance() }
                    guard let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else {
                        throw ScriptError.syntax("invalid unicode escape \\u{\(hex)}", at: escapeAt)
                    }
                    text.unicodeScalars.append(s)
                default:
                    throw ScriptError.syntax("invalid escape sequence '\\\(e)' in string", at: escapeAt)
                }
                continue
            }
            text.unicodeScalars.append(advance())
        }
        if !text.isEmpty || parts.isEmpty { parts.append(.text(text)) }
        return parts
    }

    private static let symbols3 = ["...", "..<", "===", "!=="]
    private static let symbols2 = ["==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "->", "??"]
    private static let symbols1 = Set("+-*/%=<>!&|^~?:;,.()[]{}@#".unicodeScalars)

    private mutating func symbol(_ start: SourceLocation) throws -> String {
        func matches(_ s: String) -> Bool {
            for (i, ch) in s.unicodeScalars.enumerated() where peek(i) != ch { return false }
            return true
        }
        for s in Lexer.symbols3 + Lexer.symbols2 where matches(s) {
            for _ in s.unicodeScalars { _ = advance() }
            return s
        }
        let c = advance()
        guard Lexer.symbols1.contains(c) else {
            throw ScriptError.syntax("unexpected character '\(c)'", at: start)
        }
        return String(c)
    }
}
