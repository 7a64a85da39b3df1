/// A parsed cell: its statements, and whether a trailing `;` suppresses the result.
struct Program {
    var statements: [Stmt]
    var suppressResult: Bool
}

/// Recursive-descent parser for RapidEELS Script (a Swift subset). A cell is parsed whole before anything runs.
struct Parser {
    private var tokens: [Token]
    private var position = 0
    private var dollarHigh: [Int] = []        // per open closure: highest $n + 1
    private var noTrailingClosure = 0         // > 0 while parsing if/while/for headers
    /// The module names `import` accepts (the interpreter's `importableModules`).
    private let modules: [String]

    static let unsupportedKeywords: Set<String> = [
        "struct", "class", "enum", "protocol", "extension", "actor", "typealias", "init", "inout", "catch", "do",
        "throw", "guard", "switch", "case", "repeat", "defer", "static",
    ]
    static let operatorFunctions: Set<String> = ["+", "-", "*", "/", "<", ">", "<=", ">=", "==", "!="]
    static let supportedSummary = "RapidEELS Script supports let/var, func, closures, if/else, for-in, while, "
        + "break/continue/return, arrays, dictionaries, ranges and the installed commands"

    init(tokens: [Token], modules: [String] = ["Foundation", "Swift"]) {
        self.tokens = tokens
        self.modules = modules
    }

    static func parse(_ source: String) throws -> Program {
        var lexer = Lexer(source)
        var parser = Parser(tokens: try lexer.tokenize())
        return try parser.program()
    }

    // MARK: - Token helpers

    private var current: Token { tokens[position] }
    private func peekKind(_ ahead: Int = 1) -> TokenKind {
        position + ahead < tokens.count ? tokens[position + ahead].kind : .eof
    }
    private mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }
    private func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }
    private func isKeyword(_ s: String) -> Bool { current.kind == .keyword(s) }
    private mutating func skipNewlines() { while current.kind == .newline { _ = advance() } }

    private mutating func expectSymbol(_ s: String, _ context: String) throws {
        guard isSymbol(s) else { throw ScriptError.syntax("expected '\(s)' \(context)", at: current.location) }
        _ = advance()
    }

    private mutating func identifier(_ context: String) throws -> String {
        if case .identifier(let name) = current.kind { _ = advance(); return name }
        if case .keyword(let k) = current.kind {
            throw ScriptError.syntax("keyword '\(k)' cannot be used as \(context)", at: current.location)
        }
        throw ScriptError.syntax("expected \(context)", at: current.location)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .identifier(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k)'"
        case .int(let v): return "'\(v)'"
        case .double(let v): return "'\(v)'"
        case .string: return "string literal"
        case .dollar(let n): return "'$\(n)'"
        case .symbol(let s): return "'\(s)'"
        case .newline: return "end of line"
        case .eof: return "end of cell"
        }
    }

    // MARK: - Statements

    mutating func program() throws -> Program {
        var statements: [Stmt] = []
        var suppress = false
        skipSeparators()
        while current.kind != .eof {
            statements.append(try statement())
            suppress = false
            guard current.kind == .newline || isSymbol(";") || current.kind == .eof else {
                throw ScriptError.syntax("consecutive statements on a line must be separated by ';'",
                                         at: current.location)
            }
            while current.kind == .newline || isSymbol(";") {
                if isSymbol(";") { suppress = true }
                _ = advance()
            }
        }
        return Program(statements: statements, suppressResult: suppress)
    }

    private mutating func skipSeparators() {
        while current.kind == .newline || isSymbol(";") { _ = advance() }
    }

    private mutating func block(_ context: String) throws -> [Stmt] {
        skipNewlines()
        guard isSymbol("{") else { throw ScriptError.syntax("expected '{' \(context)", at: current.location) }
        _ = advance()
        let saved = noTrailingClosure
        noTrailingClosure = 0
        defer { noTrailingClosure = saved }
        var body: [Stmt] = []
        skipSeparators()
        while !isSymbol("}") {
            if current.kind == .eof {
                throw ScriptError.syntax("expected '}' to close the block \(context)", at: current.location)
            }
            body.append(try statement())
            guard current.kind == .newline || isSymbol(";") || isSymbol("}") else {
                throw ScriptError.syntax("consecutive statements on a line must be separated by ';'",
                                         at: current.location)
            }
            skipSeparators()
        }
        _ = advance()
        return body
    }

    private mutating func statement() throws -> Stmt {
        let location = current.location
        if case .keyword(let k) = current.kind {
            if Parser.unsupportedKeywords.contains(k) {
                throw ScriptError.syntax("'\(k)' is not supported; \(Parser.supportedSummary)", at: location)
            }
            switch k {
            case "let", "var": return try declaration()
            case "func": return try function()
            case "if": return try ifStatement()
            case "for": return try forStatement()
            case "while":
                _ = advance()
                noTrailingClosure += 1
                let condition = try expression()
                noTrailingClosure -= 1
                return .whileLoop(condition: condition, body: try block("after the while condition"), location)
            case "break": _ = advance(); return .breakStatement(location)
            case "continue": _ = advance(); return .continueStatement(location)
            case "return":
                _ = advance()
                if current.kind == .newline || isSymbol("}") || isSymbol(";") || current.kind == .eof {
                    return .returnStatement(nil, location)
                }
                return .returnStatement(try expression(), location)
            case "import":
                _ = advance()
                let module = try identifier("a module name after 'import'")
                guard modules.contains(module) else {
                    let named = modules.filter { $0 != "Swift" }
                    let list = named.count > 1 ? named.dropLast().joined(separator: ", ") + " and " + named.last!
                        : named.first ?? "Swift"
                    throw ScriptError(kind: .import, message: "no module named '\(module)'; \(list) "
                        + "\(named.count > 1 ? "are" : "is") available (and already loaded)", location: location)
                }
                return .importStatement(module, location)
            default: break
            }
        }
        let target = try expression()
        if case .symbol(let op) = current.kind, ["=", "+=", "-=", "*=", "/=", "%="].contains(op) {
            let opLocation = current.location
            _ = advance()
            skipNewlines()
            switch target {
            case .name, .member, .subscriptAccess: break
            default: throw ScriptError.syntax("cannot assign to this expression", at: opLocation)
            }
            return .assignment(target: target, op: op, value: try expression(), location)
        }
        return .expression(target)
    }

    private mutating func declaration() throws -> Stmt {
        let location = current.location
        let isLet = advance().kind == .keyword("let")
        let name = try identifier("a variable name")
        var type: String?
        if isSymbol(":") { _ = advance(); type = try typeName() }
        var value: Expr?
        if isSymbol("=") {
            _ = advance()
            skipNewlines()
            value = try expression()
        } else if isLet && type == nil {
            throw ScriptError.syntax("'let \(name)' needs a value: write 'let \(name) = ...'", at: current.location)
        }
        return .declaration(isLet: isLet, name: name, type: type, value: value, location)
    }

    /// A type written after ':' — kept as text and checked at run time ("Int", "[Double]", "[String: Int]", "T?").
    private mutating func typeName() throws -> String {
        var text: String
        if isSymbol("[") {
            _ = advance()
            let element = try typeName()
            if isSymbol(":") {
                _ = advance()
                let valueType = try typeName()
                text = "[\(element): \(valueType)]"
            } else {
                text = "[\(element)]"
            }
            try expectSymbol("]", "to close the type")
        } else if isSymbol("(") {
            _ = advance()
            var parts: [String] = []
            while !isSymbol(")") {
                parts.append(try typeName())
                if isSymbol(",") { _ = advance() } else { break }
            }
            try expectSymbol(")", "to close the type")
            text = "(" + parts.joined(separator: ", ") + ")"
            if isSymbol("->") { _ = advance(); text += " -> " + (try typeName()) }
        } else {
            text = try identifier("a type name")
            if isSymbol("<") {
                throw ScriptError.syntax("generic types are not supported; \(Parser.supportedSummary)",
                                         at: current.location)
            }
        }
        while isSymbol("?") || isSymbol("!") { _ = advance(); text += "?" }
        return text
    }

    private mutating func function() throws -> Stmt {
        let location = current.location
        _ = advance()
        let name = try identifier("a function name after 'func'")
        if isSymbol("<") {
            throw ScriptError.syntax("generic functions are not supported; \(Parser.supportedSummary)",
                                     at: current.location)
        }
        try expectSymbol("(", "after the function name")
        var parameters: [ParameterDecl] = []
        skipNewlines()
        while !isSymbol(")") {
            let first: String
            if case .identifier(let n) = current.kind { first = n; _ = advance() }
            else if case .keyword(let k) = current.kind, k == "inout" {
                throw ScriptError.syntax("'inout' is not supported; return a new value instead", at: current.location)
            } else { throw ScriptError.syntax("expected a parameter name", at: current.location) }
            var label: String? = first == "_" ? nil : first
            var inner = first
            if case .identifier(let second) = current.kind { inner = second; _ = advance() }
            else if first == "_" { throw ScriptError.syntax("expected a parameter name after '_'", at: current.location) }
            if inner == first { label = first }
            try expectSymbol(":", "and a type after the parameter name '\(inner)'")
            if isKeyword("inout") {
                throw ScriptError.syntax("'inout' is not supported; return a new value instead", at: current.location)
            }
            let type = try typeName()
            var defaultValue: Expr?
            if isSymbol("=") { _ = advance(); defaultValue = try expression() }
            parameters.append(ParameterDecl(label: label, name: inner, type: type, defaultValue: defaultValue))
            skipNewlines()
            if isSymbol(",") { _ = advance(); skipNewlines() } else { break }
        }
        try expectSymbol(")", "to close the parameter list")
        if isKeyword("throws") || current.kind == .identifier("throws") { _ = advance() }
        if isSymbol("->") { _ = advance(); _ = try typeName() }
        dollarHigh.append(0)
        let body = try block("for the body of func \(name)")
        dollarHigh.removeLast()
        return .function(ClosureDecl(parameters: parameters, body: body, usesDollar: 0, name: name), location)
    }

    private mutating func ifStatement() throws -> Stmt {
        let location = current.location
        _ = advance()
        noTrailingClosure += 1
        let condition = try expression()
        noTrailingClosure -= 1
        let then = try block("after the if condition")
        var otherwise: [Stmt]?
        let save = position
        skipNewlines()
        if isKeyword("else") {
            _ = advance()
            if isKeyword("if") { otherwise = [try ifStatement()] } else { otherwise = try block("after 'else'") }
        } else {
            position = save
        }
        return .ifStatement(condition: condition, then: then, otherwise: otherwise, location)
    }

    private mutating func forStatement() throws -> Stmt {
        let location = current.location
        _ = advance()
        var name: String, second: String?
        if isSymbol("(") {
            _ = advance()
            name = try identifier("a loop variable")
            try expectSymbol(",", "between the two loop variables")
            second = try identifier("a second loop variable")
            try expectSymbol(")", "after the loop variables")
        } else {
            name = try identifier("a loop variable after 'for'")
        }
        guard isKeyword("in") else { throw ScriptError.syntax("expected 'in' after the loop variable", at: current.location) }
        _ = advance()
        noTrailingClosure += 1
        let sequence = try expression()
        noTrailingClosure -= 1
        return .forIn(name: name, second: second, sequence: sequence, body: try block("for the loop body"), location)
    }

    // MARK: - Expressions (Swift precedence: ternary < || < && < comparison < range < + < * < prefix < postfix)

    mutating func expression() throws -> Expr {
        if isKeyword("try") {
            _ = advance()
            if isSymbol("?") || isSymbol("!") {
                throw ScriptError.syntax("'try?' and 'try!' are not supported; errors stop the cell and are shown",
                                         at: current.location)
            }
        }
        return try ternary()
    }

    private mutating func ternary() throws -> Expr {
        let condition = try binary(level: 0)
        guard isSymbol("?"), current.spaceBefore else { return condition }
        let location = current.location
        _ = advance()
        skipNewlines()
        let yes = try ternary()
        skipNewlines()
        try expectSymbol(":", "in the ternary expression")
        skipNewlines()
        let no = try ternary()
        return .ternary(condition, yes, no, location)
    }

    private static let levels: [[String]] = [
        ["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">="], ["...", "..<"], ["+", "-"], ["*", "/", "%"],
    ]

    private mutating func binary(level: Int) throws -> Expr {
        if level == Parser.levels.count { return try prefix() }
        var left = try binary(level: level + 1)
        while true {
            // an operator at the start of the next line continues the expression
            var look = position
            while tokens[look].kind == .newline { look += 1 }
            guard case .symbol(let op) = tokens[look].kind, Parser.levels[level].contains(op) else { return left }
            if look != position && !tokens[look].spaceBefore { return left }
            position = look
            let location = current.location
            _ = advance()
            skipNewlines()
            let right = try binary(level: level + 1)
            if level == 2, case .binary(let inner, _, _, _) = left, Parser.levels[2].contains(inner) {
                throw ScriptError.syntax("comparisons cannot be chained; combine them with '&&'", at: location)
            }
            left = .binary(op, left, right, location)
            if level == 3 { return left }
        }
    }

    private mutating func prefix() throws -> Expr {
        if case .symbol(let op) = current.kind, op == "-" || op == "!" || op == "+" {
            let location = current.location
            _ = advance()
            let operand = try prefix()
            if op == "+" { return operand }
            if op == "-", case .literal(.int(let v), _) = operand { return .literal(.int(-v), location) }
            if op == "-", case .literal(.double(let v), _) = operand { return .literal(.double(-v), location) }
            return .unary(op, operand, location)
        }
        return try postfix(try primary())
    }

    private mutating func arguments(closing: String) throws -> [Argument] {
        var args: [Argument] = []
        skipNewlines()
        let saved = noTrailingClosure
        noTrailingClosure = 0
        defer { noTrailingClosure = saved }
        while !isSymbol(closing) {
            let location = current.location
            var label: String?
            if case .identifier(let n) = current.kind, peekKind() == .symbol(":") {
                label = n
                _ = advance(); _ = advance()
            } else if case .keyword(let k) = current.kind, peekKind() == .symbol(":") {
                label = k
                _ = advance(); _ = advance()
            }
            skipNewlines()
            if case .symbol(let op) = current.kind, Parser.operatorFunctions.contains(op),
               peekKind() == .symbol(",") || peekKind() == .symbol(closing) {
                // an operator passed as a function: reduce(0, +), sorted(by: >)
                _ = advance()
                args.append(Argument(label: label, value: .name("operator " + op, location), location: location))
            } else {
                args.append(Argument(label: label, value: try expression(), location: location))
            }
            skipNewlines()
            if isSymbol(",") { _ = advance(); skipNewlines() } else { break }
        }
        guard isSymbol(closing) else {
            throw ScriptError.syntax("expected ',' or '\(closing)' in the argument list, found \(describe(current))",
                                     at: current.location)
        }
        _ = advance()
        return args
    }

    private mutating func postfix(_ start: Expr) throws -> Expr {
        var expr = start
        while true {
            if isSymbol("("), !current.spaceBefore {
                let location = current.location
                _ = advance()
                var args = try arguments(closing: ")")
                if noTrailingClosure == 0, isSymbol("{") {
                    let closureLocation = current.location
                    args.append(Argument(label: nil, value: try closure(), location: closureLocation))
                }
                expr = .call(expr, args, location)
            } else if isSymbol("["), !current.spaceBefore {
                let location = current.location
                _ = advance()
                expr = .subscriptAccess(expr, try arguments(closing: "]"), location)
            } else if isSymbol(".") || (current.kind == .newline && nextIsChainedMember()) {
                skipNewlines()
                _ = advance()
                let location = current.location
                let name: String
                switch current.kind {
                case .identifier(let n): name = n
                case .keyword(let k): name = k
                case .int(let i): name = String(i)
                default: throw ScriptError.syntax("expected a member name after '.'", at: location)
                }
                _ = advance()
                expr = .member(expr, name, location)
            } else if isSymbol("{"), noTrailingClosure == 0 {
                let location = current.location
                expr = .call(expr, [Argument(label: nil, value: try closure(), location: location)], location)
            } else if (isSymbol("!") || isSymbol("?")) && !current.spaceBefore {
                _ = advance()   // optional unwrapping is a no-op: nil surfaces as an error when used
            } else {
                return expr
            }
        }
    }

    private func nextIsChainedMember() -> Bool {
        var look = position
        while tokens[look].kind == .newline { look += 1 }
        return tokens[look].kind == .symbol(".")
    }

    private mutating func primary() throws -> Expr {
        let token = current
        let location = token.location
        switch token.kind {
        case .int(let v): _ = advance(); return .literal(.int(v), location)
        case .double(let v): _ = advance(); return .literal(.double(v), location)
        case .keyword("true"): _ = advance(); return .literal(.bool(true), location)
        case .keyword("false"): _ = advance(); return .literal(.bool(false), location)
        case .keyword("nil"): _ = advance(); return .literal(.none, location)
        case .string(let parts):
            _ = advance()
            if parts.count == 1, case .text(let s) = parts[0] { return .literal(.string(s), location) }
            var out: [InterpolatedPart] = []
            for part in parts {
                switch part {
                case .text(let s): out.append(.text(s))
                case .code(let code, let at):
                    var lexer = Lexer(code, lineOffset: at.line - 1, columnOffset: at.column - 1)
                    var inner = Parser(tokens: try lexer.tokenize(), modules: modules)
                    let e = try inner.expression()
                    guard inner.current.kind == .eof else {
                        throw ScriptError.syntax("unexpected \(inner.describe(inner.current)) in interpolation",
                                                 at: inner.current.location)
                    }
                    out.append(.expr(e))
                }
            }
            return .interpolated(out, location)
        case .identifier(let name): _ = advance(); return .name(name, location)
        case .dollar(let n):
            _ = advance()
            guard !dollarHigh.isEmpty else {
                throw ScriptError.syntax("anonymous closure argument '$\(n)' outside a closure", at: location)
            }
            dollarHigh[dollarHigh.count - 1] = max(dollarHigh[dollarHigh.count - 1], n + 1)
            return .dollar(n, location)
        case .symbol("("):
            _ = advance()
            skipNewlines()
            let saved = noTrailingClosure
            noTrailingClosure = 0
            let e = try expression()
            noTrailingClosure = saved
            skipNewlines()
            if isSymbol(",") {
                throw ScriptError.syntax("tuples are not supported; use an array", at: current.location)
            }
            try expectSymbol(")", "to close '('")
            return e
        case .symbol("["): return try collectionLiteral()
        case .symbol("{"): return try closure()
        case .symbol("."):
            _ = advance()
            let name = try identifier("a member name after '.'")
            return .implicitMember(name, location)
        case .keyword(let k) where Parser.unsupportedKeywords.contains(k):
            throw ScriptError.syntax("'\(k)' is not supported; \(Parser.supportedSummary)", at: location)
        case .eof:
            throw ScriptError.syntax("expected an expression, found the end of the cell", at: location)
        default:
            throw ScriptError.syntax("expected an expression, found \(describe(token))", at: location)
        }
    }

    private mutating func collectionLiteral() throws -> Expr {
        let location = current.location
        _ = advance()
        skipNewlines()
        let saved = noTrailingClosure
        noTrailingClosure = 0
        defer { noTrailingClosure = saved }
        if isSymbol(":") {
            _ = advance(); skipNewlines()
            try expectSymbol("]", "after '[:' in an empty dictionary")
            return .dictionary([], location)
        }
        if isSymbol("]") { _ = advance(); return .array([], location) }
        let first = try expression()
        skipNewlines()
        if isSymbol(":") {
            _ = advance(); skipNewlines()
            var pairs = [(first, try expression())]
            skipNewlines()
            while isSymbol(",") {
                _ = advance(); skipNewlines()
                if isSymbol("]") { break }
                let key = try expression()
                skipNewlines()
                try expectSymbol(":", "between a dictionary key and its value")
                skipNewlines()
                pairs.append((key, try expression()))
                skipNewlines()
            }
            try expectSymbol("]", "to close the dictionary literal")
            return .dictionary(pairs, location)
        }
        var items = [first]
        while isSymbol(",") {
            _ = advance(); skipNewlines()
            if isSymbol("]") { break }
            items.append(try expression())
            skipNewlines()
        }
        try expectSymbol("]", "to close the array literal")
        return .array(items, location)
    }

    private mutating func closure() throws -> Expr {
        let location = current.location
        try expectSymbol("{", "to open a closure")
        var parameters: [ParameterDecl] = []
        // look ahead for `params in`
        var look = position
        while tokens[look].kind == .newline { look += 1 }
        var scan = look
        var names: [String] = []
        var typed = false
        var ok = false
        if tokens[scan].kind == .symbol("(") {
            scan += 1
            while true {
                if case .identifier(let n) = tokens[scan].kind { names.append(n); scan += 1 } else { break }
                if tokens[scan].kind == .symbol(":") {
                    typed = true
                    scan += 1
                    var depth = 0
                    while true {
                        let k = tokens[scan].kind
                        if k == .eof { break }
                        if k == .symbol("(") || k == .symbol("[") { depth += 1 }
                        if k == .symbol(")") || k == .symbol("]") { if depth == 0 { break }; depth -= 1 }
                        if k == .symbol(","), depth == 0 { break }
                        scan += 1
                    }
                }
                if tokens[scan].kind == .symbol(",") { scan += 1; continue }
                break
            }
            if tokens[scan].kind == .symbol(")") {
                scan += 1
                if tokens[scan].kind == .symbol("->") {
                    scan += 1
                    while tokens[scan].kind != .keyword("in") && tokens[scan].kind != .eof
                        && tokens[scan].kind != .newline { scan += 1 }
                }
                ok = tokens[scan].kind == .keyword("in")
            }
        } else {
            while case .identifier(let n) = tokens[scan].kind {
                names.append(n)
                scan += 1
                if tokens[scan].kind == .symbol(",") { scan += 1 } else { break }
            }
            ok = !names.isEmpty && tokens[scan].kind == .keyword("in")
        }
        _ = typed
        if ok {
            parameters = names.map { ParameterDecl(label: nil, name: $0, type: nil, defaultValue: nil) }
            position = scan + 1
        }
        dollarHigh.append(0)
        var body: [Stmt] = []
        let saved = noTrailingClosure
        noTrailingClosure = 0
        skipSeparators()
        while !isSymbol("}") {
            if current.kind == .eof { throw ScriptError.syntax("expected '}' to close the closure", at: current.location) }
            body.append(try statement())
            guard current.kind == .newline || isSymbol(";") || isSymbol("}") else {
                throw ScriptError.syntax("consecutive statements on a line must be separated by ';'",
                                         at: current.location)
            }
            skipSeparators()
        }
        _ = advance()
        noTrailingClosure = saved
        let dollars = dollarHigh.removeLast()
        if dollars > 0 && !parameters.isEmpty {
            throw ScriptError.syntax("anonymous closure arguments cannot be used in a closure with named parameters",
                                     at: location)
        }
        return .closure(ClosureDecl(parameters: parameters, body: body, usesDollar: dollars, name: "closure"), location)
    }
}
