import Foundation
import RapidEELS

/// The tree-walking evaluator. Errors carry the location of the node that failed.
extension Interpreter {
    static let maxCallDepth = 2_000
    static let maxCollection = 50_000_000

    func checkInterrupt(_ location: SourceLocation) throws {
        if cancellation.isCancelled {
            throw ScriptError(kind: "Interrupted", message: "interrupted by the user", location: location)
        }
    }

    // MARK: Statements

    func execute(_ statements: [Stmt], in env: Environment, topLevel: Bool = false) throws -> Flow {
        // functions are visible throughout their block (and may call each other)
        for case .function(let decl, let location) in statements {
            try declare(decl.name, .function(Function(.user(decl, env))), isLet: true, type: nil, in: env,
                        at: location, topLevel: topLevel)
        }
        for statement in statements {
            let flow = try execute(statement, in: env, topLevel: topLevel)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    func declare(_ name: String, _ value: Value, isLet: Bool, type: String?, in env: Environment,
                 at location: SourceLocation, topLevel: Bool, initialized: Bool = true) throws {
        if env.bindings[name] != nil {
            // a new cell may redefine a global (notebook semantics); within one cell or scope it is an error
            if !topLevel || cellDeclared.contains(name) {
                throw ScriptError(kind: "SyntaxError", message: "invalid redeclaration of '\(name)'", location: location)
            }
        }
        if topLevel { cellDeclared.insert(name) }
        let checked = try type.map { try conform(value, to: $0, at: location) } ?? value
        env.bindings[name] = Binding(value: checked, isLet: isLet, type: type, initialized: initialized)
    }

    func execute(_ statement: Stmt, in env: Environment, topLevel: Bool = false) throws -> Flow {
        switch statement {
        case .expression(let e):
            let v = try evaluate(e, in: env)
            if topLevel { lastValue = v }
            return .normal
        case .declaration(let isLet, let name, let type, let valueExpr, let location):
            if topLevel { lastValue = nil }
            if let valueExpr {
                var v = try evaluate(valueExpr, in: env)
                if case .function(let f) = v, case .user(let decl, let captured) = f.body, decl.name == "closure" {
                    let named = ClosureDecl(parameters: decl.parameters, body: decl.body, usesDollar: decl.usesDollar,
                                            name: name, isClosure: true)
                    v = .function(Function(.user(named, captured)))
                }
                try declare(name, v, isLet: isLet, type: type, in: env, at: location, topLevel: topLevel)
            } else {
                let initial: Value = (type?.hasSuffix("?") ?? false) ? .none : .none
                try declare(name, initial, isLet: isLet, type: nil, in: env, at: location, topLevel: topLevel,
                            initialized: type?.hasSuffix("?") ?? false)
                if let type { env.bindings[name] = Binding(value: initial, isLet: isLet, type: type,
                                                           initialized: type.hasSuffix("?")) }
            }
            return .normal
        case .assignment(let target, let op, let valueExpr, let location):
            if topLevel { lastValue = nil }
            var value = try evaluate(valueExpr, in: env)
            if op != "=" {
                let old = try evaluate(target, in: env)
                value = try binaryOperation(String(op.dropLast()), old, value, at: location)
            }
            try assign(target, value, in: env, at: location)
            return .normal
        case .function:
            if topLevel { lastValue = nil }
            return .normal   // declared when its block started
        case .ifStatement(let condition, let then, let otherwise, _):
            if topLevel { lastValue = nil }
            if try truth(condition, in: env) {
                return try execute(then, in: scope(for: then, in: env))
            } else if let otherwise {
                return try execute(otherwise, in: scope(for: otherwise, in: env))
            }
            return .normal
        case .whileLoop(let condition, let body, let location):
            if topLevel { lastValue = nil }
            var iteration = 0
            while try truth(condition, in: env) {
                iteration &+= 1
                if iteration & 63 == 0 { try checkInterrupt(location) }
                switch try execute(body, in: scope(for: body, in: env)) {
                case .breakLoop: return .normal
                case .returned(let v): return .returned(v)
                default: continue
                }
            }
            return .normal
        case .forIn(let name, let second, let sequenceExpr, let body, let location):
            if topLevel { lastValue = nil }
            let sequence = try evaluate(sequenceExpr, in: env)
            var iteration = 0
            func run(_ first: Value, _ secondValue: Value?) throws -> Flow {
                iteration &+= 1
                if iteration & 63 == 0 { try checkInterrupt(location) }
                let scope = Environment(parent: env)
                if name != "_" { scope.bindings[name] = Binding(value: first, isLet: true, type: nil) }
                if let second, second != "_" {
                    scope.bindings[second] = Binding(value: secondValue ?? .none, isLet: true, type: nil)
                }
                return try execute(body, in: scope)
            }
            func pair(_ v: Value) throws -> (Value, Value?) {
                guard second != nil else { return (v, nil) }
                if case .array(let items) = v, items.count == 2 { return (items[0], items[1]) }
                throw ScriptError(kind: "TypeError", message: "cannot destructure \(v.typeName) into two loop "
                    + "variables", location: location)
            }
            switch sequence {
            case .range(let a, let b):
                guard second == nil else {
                    throw ScriptError(kind: "TypeError", message: "a range yields one value per step; use one loop "
                        + "variable", location: location)
                }
                var i = a
                while i < b {
                    switch try run(.int(i), nil) {
                    case .breakLoop: return .normal
                    case .returned(let v): return .returned(v)
                    default: break
                    }
                    i += 1
                }
            case .dictionary(let d):
                for entry in d.entries {
                    let flow = second == nil ? try run(.array([entry.key, entry.value]), nil)
                        : try run(entry.key, entry.value)
                    if case .breakLoop = flow { return .normal }
                    if case .returned(let v) = flow { return .returned(v) }
                }
            default:
                let items = try elements(of: sequence, at: location)
                for item in items {
                    let (x, y) = try pair(item)
                    switch try run(x, y) {
                    case .breakLoop: return .normal
                    case .returned(let v): return .returned(v)
                    default: break
                    }
                }
            }
            return .normal
        case .breakStatement: return .breakLoop
        case .continueStatement: return .continueLoop
        case .returnStatement(let e, _):
            return .returned(try e.map { try evaluate($0, in: env) } ?? .none)
        case .importStatement:
            if topLevel { lastValue = nil }
            return .normal
        }
    }

    /// A new scope for a block only when it declares names (saves an allocation per loop iteration otherwise).
    func scope(for body: [Stmt], in env: Environment) -> Environment {
        for statement in body {
            switch statement {
            case .declaration, .function: return Environment(parent: env)
            default: continue
            }
        }
        return env
    }

    func truth(_ e: Expr, in env: Environment) throws -> Bool {
        let v = try evaluate(e, in: env)
        guard case .bool(let b) = v else {
            throw ScriptError(kind: "TypeError", message: "a condition must be a Bool, not \(v.typeName)",
                              location: e.location)
        }
        return b
    }

    /// The items of anything a `for` loop or `map` can walk.
    func elements(of v: Value, at location: SourceLocation) throws -> [Value] {
        switch v {
        case .array(let items): return items
        case .range(let a, let b):
            guard b - a <= Interpreter.maxCollection else {
                throw ScriptError(kind: "ValueError", message: "the range \(a)..<\(b) has \(b - a) elements; at most "
                    + "\(Interpreter.maxCollection) can be made into an array", location: location)
            }
            return a < b ? (a..<b).map { .int($0) } : []
        case .string(let s): return s.map { .string(String($0)) }
        case .dictionary(let d): return d.entries.map { .array([$0.key, $0.value]) }
        case .object(let o):
            if let items = try o.member("elements"), case .array(let a) = items { return a }
            fallthrough
        default:
            throw ScriptError(kind: "TypeError", message: "\(v.typeName) is not a sequence", location: location)
        }
    }

    // MARK: Assignment

    func assign(_ target: Expr, _ value: Value, in env: Environment, at location: SourceLocation) throws {
        switch target {
        case .name(let name, let nameLocation):
            guard let binding = env.lookup(name) else {
                throw nameError(name, env, at: nameLocation)
            }
            if binding.isLet && binding.initialized {
                throw ScriptError(kind: "TypeError", message: "cannot assign to '\(name)': it is a 'let' constant; "
                    + "declare it with 'var' to change it", location: nameLocation)
            }
            binding.value = try binding.type.map { try conform(value, to: $0, at: location) } ?? value
            binding.initialized = true
        case .subscriptAccess(let base, let args, let subLocation):
            var container = try evaluate(base, in: env)
            let keys = try args.map { try evaluate($0.value, in: env) }
            try setSubscript(&container, keys, value, at: subLocation)
            try assign(base, container, in: env, at: location)
        case .member(let base, let name, let memberLocation):
            let object = try evaluate(base, in: env)
            throw ScriptError(kind: "TypeError", message: "cannot assign to property '\(name)' of \(object.typeName)",
                              location: memberLocation)
        default:
            throw ScriptError(kind: "SyntaxError", message: "cannot assign to this expression", location: location)
        }
    }

    func setSubscript(_ container: inout Value, _ keys: [Value], _ value: Value, at location: SourceLocation) throws {
        switch container {
        case .array(var items):
            guard keys.count == 1, case .int(let i) = keys[0] else {
                throw ScriptError(kind: "TypeError", message: "an array index must be one Int", location: location)
            }
            guard i >= 0 && i < items.count else {
                throw ScriptError(kind: "IndexError", message: "index \(i) is out of range for an array of "
                    + "\(items.count) elements", location: location)
            }
            container = .none   // release the old storage so the write does not copy
            items[i] = value
            container = .array(items)
        case .dictionary(var d):
            guard keys.count == 1 else {
                throw ScriptError(kind: "TypeError", message: "a dictionary takes one key", location: location)
            }
            container = .none
            do { try d.set(keys[0], value) } catch var e as ScriptError { e.location = location; throw e }
            container = .dictionary(d)
        default:
            throw ScriptError(kind: "TypeError", message: "cannot assign through a subscript of \(container.typeName)",
                              location: location)
        }
    }

    // MARK: Expressions

    func nameError(_ name: String, _ env: Environment, at location: SourceLocation) -> ScriptError {
        var message = "cannot find '\(name)' in scope"
        if let hint = didYouMean(name, env.visibleNames + registry.order + Array(builtinValueNames)) {
            message += "; " + hint
        }
        return ScriptError(kind: "NameError", message: message, location: location)
    }

    func evaluate(_ expr: Expr, in env: Environment) throws -> Value {
        switch expr {
        case .literal(let v, _): return v
        case .interpolated(let parts, _):
            var s = ""
            for part in parts {
                switch part {
                case .text(let t): s += t
                case .expr(let e): s += try evaluate(e, in: env).description
                }
            }
            return .string(s)
        case .name(let name, let location):
            if let b = env.lookup(name) {
                guard b.initialized else {
                    throw ScriptError(kind: "NameError", message: "'\(name)' is used before it has a value",
                                      location: location)
                }
                return b.value
            }
            if let c = registry[name] { return .function(Function(.native(c, receiver: nil))) }
            if let v = builtinValue(name) { return v }
            throw nameError(name, env, at: location)
        case .dollar(let n, let location):
            guard let b = env.lookup("$\(n)") else {
                throw ScriptError(kind: "NameError", message: "'$\(n)' is not available here", location: location)
            }
            return b.value
        case .implicitMember(let name, _): return .symbol(name)
        case .array(let items, _): return .array(try items.map { try evaluate($0, in: env) })
        case .dictionary(let pairs, let location):
            var d = OrderedDictionary()
            for (k, v) in pairs {
                do { try d.set(try evaluate(k, in: env), try evaluate(v, in: env)) } catch var e as ScriptError {
                    if e.location == nil { e.location = location }
                    throw e
                }
            }
            return .dictionary(d)
        case .unary(let op, let operand, let location):
            let v = try evaluate(operand, in: env)
            switch (op, v) {
            case ("-", .int(let x)):
                guard x != Int.min else { throw overflow("-", location) }
                return .int(-x)
            case ("-", .double(let x)): return .double(-x)
            case ("!", .bool(let b)): return .bool(!b)
            default:
                throw ScriptError(kind: "TypeError", message: "unary '\(op)' cannot be applied to \(v.typeName)",
                                  location: location)
            }
        case .binary(let op, let l, let r, let location):
            if op == "&&" || op == "||" {
                let left = try truth(l, in: env)
                if op == "&&" && !left { return .bool(false) }
                if op == "||" && left { return .bool(true) }
                return .bool(try truth(r, in: env))
            }
            return try binaryOperation(op, try evaluate(l, in: env), try evaluate(r, in: env), at: location)
        case .ternary(let c, let a, let b, _):
            return try truth(c, in: env) ? evaluate(a, in: env) : evaluate(b, in: env)
        case .member(let base, let name, let location):
            return try memberValue(try evaluate(base, in: env), name, at: location)
        case .subscriptAccess(let base, let args, let location):
            let container = try evaluate(base, in: env)
            return try subscriptValue(container, try args.map { try evaluate($0.value, in: env) }, at: location)
        case .closure(let decl, _):
            return .function(Function(.user(decl, env)))
        case .call(let callee, let args, let location):
            return try evaluateCall(callee, args, in: env, at: location)
        }
    }

    func overflow(_ op: String, _ location: SourceLocation) -> ScriptError {
        ScriptError(kind: "OverflowError", message: "integer overflow in '\(op)'; use Double for larger numbers",
                    location: location)
    }

    func binaryOperation(_ op: String, _ a: Value, _ b: Value, at location: SourceLocation) throws -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            switch op {
            case "+": let (r, o) = x.addingReportingOverflow(y); if o { throw overflow(op, location) }; return .int(r)
            case "-": let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow(op, location) }; return .int(r)
            case "*": let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow(op, location) }; return .int(r)
            case "/", "%":
                guard y != 0 else {
                    throw ScriptError(kind: "ZeroDivisionError", message: "division by zero", location: location)
                }
                if x == Int.min && y == -1 { throw overflow(op, location) }
                return .int(op == "/" ? x / y : x % y)
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            case "..<":
                guard x <= y else {
                    throw ScriptError(kind: "ValueError", message: "range requires lowerBound <= upperBound, got "
                        + "\(x)..<\(y)", location: location)
                }
                return .range(x, y)
            case "...":
                guard x <= y else {
                    throw ScriptError(kind: "ValueError", message: "range requires lowerBound <= upperBound, got "
                        + "\(x)...\(y)", location: location)
                }
                guard y < Int.max else { throw overflow(op, location) }
                return .range(x, y + 1)
            default: break
            }
        case (.int, .double), (.double, .int), (.double, .double):
            let x = a.asDouble!, y = b.asDouble!
            switch op {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            case "/": return .double(x / y)
            case "%": return .double(x.truncatingRemainder(dividingBy: y))
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            case "...":
                guard x <= y else {
                    throw ScriptError(kind: "ValueError", message: "range requires lowerBound <= upperBound",
                                      location: location)
                }
                return .object(DoubleRange(x...y))
            default: break
            }
        case (.string(let x), .string(let y)):
            switch op {
            case "+": return .string(x + y)
            case "==": return .bool(x == y)
            case "!=": return .bool(x != y)
            case "<": return .bool(x < y)
            case "<=": return .bool(x <= y)
            case ">": return .bool(x > y)
            case ">=": return .bool(x >= y)
            default: break
            }
        case (.bool(let x), .bool(let y)):
            if op == "==" { return .bool(x == y) }
            if op == "!=" { return .bool(x != y) }
        case (.array(let x), .array(let y)):
            if op == "+" {
                guard x.count + y.count <= Interpreter.maxCollection else {
                    throw ScriptError(kind: "ValueError", message: "array too large", location: location)
                }
                return .array(x + y)
            }
            if op == "==" || op == "!=" { return .bool((valuesEqual(a, b)) == (op == "==")) }
        default: break
        }
        if op == "==" || op == "!=" { return .bool(valuesEqual(a, b) == (op == "==")) }
        throw ScriptError(kind: "TypeError", message: "binary operator '\(op)' cannot be applied to \(a.typeName) "
            + "and \(b.typeName)", location: location)
    }

    func valuesEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.asDouble == b.asDouble
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { valuesEqual($0, $1) }
        case (.range(let a1, let b1), .range(let a2, let b2)): return a1 == a2 && b1 == b2
        case (.symbol(let x), .symbol(let y)): return x == y
        case (.none, .none): return true
        case (.dictionary(let x), .dictionary(let y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { valuesEqual($0, e.value) } ?? false }
        case (.object(let x), .object(let y)): return x === y
        default: return false
        }
    }

    func subscriptValue(_ container: Value, _ keys: [Value], at location: SourceLocation) throws -> Value {
        switch container {
        case .array(let items):
            guard keys.count == 1 else {
                throw ScriptError(kind: "TypeError", message: "an array takes one index", location: location)
            }
            switch keys[0] {
            case .int(let i):
                guard i >= 0 && i < items.count else {
                    throw ScriptError(kind: "IndexError", message: "index \(i) is out of range for an array of "
                        + "\(items.count) elements", location: location)
                }
                return items[i]
            case .range(let a, let b):
                guard a >= 0 && b <= items.count else {
                    throw ScriptError(kind: "IndexError", message: "range \(a)..<\(b) is out of bounds for an array "
                        + "of \(items.count) elements", location: location)
                }
                return .array(Array(items[a..<b]))
            default:
                throw ScriptError(kind: "TypeError", message: "an array index must be an Int or a range, not "
                    + keys[0].typeName, location: location)
            }
        case .dictionary(let d):
            guard keys.count == 1 else {
                throw ScriptError(kind: "TypeError", message: "a dictionary takes one key", location: location)
            }
            return d[keys[0]] ?? .none
        case .string(let s):
            guard keys.count == 1, case .int(let i) = keys[0] else {
                throw ScriptError(kind: "TypeError", message: "a string index must be one Int", location: location)
            }
            let chars = Array(s)
            guard i >= 0 && i < chars.count else {
                throw ScriptError(kind: "IndexError", message: "index \(i) is out of range for a string of "
                    + "\(chars.count) characters", location: location)
            }
            return .string(String(chars[i]))
        case .object(let o):
            do { return try o.subscriptValue(keys) } catch var e as ScriptError {
                if e.location == nil { e.location = location }
                throw e
            }
        default:
            throw ScriptError(kind: "TypeError", message: "\(container.typeName) cannot be subscripted",
                              location: location)
        }
    }

    // MARK: Calls

    func evaluateCall(_ callee: Expr, _ args: [Argument], in env: Environment,
                      at location: SourceLocation) throws -> Value {
        // methods: `base.name(args)`
        if case .member(let baseExpr, let name, let memberLocation) = callee {
            let base = try evaluate(baseExpr, in: env)
            if case .object(let o) = base {
                if let method = o.method(name) {
                    return try callCommand(method, try evaluateArguments(args, in: env), at: location)
                }
                if let v = try o.member(name), case .function = v {
                    return try callValue(v, try evaluateArguments(args, in: env).map { $0.1 }, at: location)
                }
                var message = "\(o.typeName) has no method '\(name)'"
                if let hint = didYouMean(name, o.methodNames + o.memberNames) { message += "; " + hint }
                throw ScriptError(kind: "AttributeError", message: message, location: memberLocation)
            }
            let values = try evaluateArguments(args, in: env)
            if Builtins.mutatingMethods.contains(name) {
                var target = base
                let result = try Builtins.mutatingMethod(self, &target, name, values, at: memberLocation)
                try assign(baseExpr, target, in: env, at: location)
                return result
            }
            return try Builtins.method(self, base, name, values, at: memberLocation)
        }
        if case .name(let name, _) = callee, env.lookup(name) == nil, registry[name] == nil,
           let result = try Builtins.constructor(self, name, try evaluateArguments(args, in: env), at: location) {
            return result
        }
        let function = try evaluate(callee, in: env)
        guard case .function(let f) = function else {
            throw ScriptError(kind: "TypeError", message: "\(function.typeName) is not callable", location: location)
        }
        let values = try evaluateArguments(args, in: env)
        switch f.body {
        case .native(let command, _): return try callCommand(command, values, at: location)
        case .user(let decl, let captured): return try callUser(decl, captured, values, at: location)
        }
    }

    func evaluateArguments(_ args: [Argument], in env: Environment) throws -> [(String?, Value)] {
        try args.map { ($0.label, try evaluate($0.value, in: env)) }
    }

    /// Calls a function value with positional arguments (used by map/filter/reduce and commands).
    func callValue(_ function: Value, _ arguments: [Value], at location: SourceLocation?) throws -> Value {
        let at = location ?? SourceLocation(line: 1, column: 1)
        guard case .function(let f) = function else {
            throw ScriptError(kind: "TypeError", message: "\(function.typeName) is not a function", location: at)
        }
        switch f.body {
        case .native(let command, _): return try callCommand(command, arguments.map { (nil, $0) }, at: at)
        case .user(let decl, let captured):
            // closures called positionally ignore labels
            let unlabelled = ClosureDecl(parameters: decl.parameters.map {
                ParameterDecl(label: nil, name: $0.name, type: $0.type, defaultValue: $0.defaultValue)
            }, body: decl.body, usesDollar: decl.usesDollar, name: decl.name, isClosure: decl.isClosure)
            return try callUser(unlabelled, captured, arguments.map { (nil, $0) }, at: at)
        }
    }

    func callUser(_ decl: ClosureDecl, _ captured: Environment, _ args: [(String?, Value)],
                  at location: SourceLocation) throws -> Value {
        try checkInterrupt(location)
        guard callDepth < Interpreter.maxCallDepth else {
            throw ScriptError(kind: "RecursionError", message: "maximum call depth (\(Interpreter.maxCallDepth)) "
                + "exceeded in '\(decl.name)'", location: location)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        let scope = Environment(parent: captured)
        if decl.usesDollar > 0 || (decl.parameters.isEmpty && !args.isEmpty) {
            guard args.count >= decl.usesDollar else {
                throw ScriptError(kind: "TypeError", message: "the closure uses $\(decl.usesDollar - 1) but was "
                    + "given \(args.count) argument(s)", location: location)
            }
            for (i, a) in args.enumerated() { scope.bindings["$\(i)"] = Binding(value: a.1, isLet: true, type: nil) }
        } else {
            var index = 0
            for p in decl.parameters {
                if index < args.count, args[index].0 == p.label {
                    let v = try p.type.map { try conform(args[index].1, to: $0, at: location) } ?? args[index].1
                    scope.bindings[p.name] = Binding(value: v, isLet: true, type: nil)
                    index += 1
                } else if let d = p.defaultValue {
                    scope.bindings[p.name] = Binding(value: try evaluate(d, in: captured), isLet: true, type: nil)
                } else {
                    let wanted = p.label.map { "'\($0):'" } ?? "an unlabelled argument"
                    var message = "\(decl.name) needs \(wanted) here"
                    if index < args.count, let given = args[index].0 {
                        message = "\(decl.name) has no parameter labelled '\(given)'; expected \(wanted)"
                        let labels = decl.parameters.compactMap { $0.label }
                        if let hint = didYouMean(given, labels) { message += "; " + hint }
                    }
                    throw ScriptError(kind: "TypeError", message: message, location: location)
                }
            }
            if index < args.count {
                throw ScriptError(kind: "TypeError", message: "\(decl.name) takes \(decl.parameters.count) "
                    + "argument(s) but was given \(args.count)", location: location)
            }
        }
        do {
            if case .returned(let v) = try execute(decl.body, in: scope) { return v }
            // a single-expression closure returns its value
            if decl.body.count == 1, case .expression(let e) = decl.body[0], decl.isClosure {
                return try evaluate(e, in: scope)
            }
            return .none
        } catch var error as ScriptError {
            if error.kind != "Interrupted", error.callChain.count < 20 {
                error.callChain.append("\(decl.isClosure ? "closure \(decl.name == "closure" ? "" : decl.name)" : "func \(decl.name)") called at line "
                    + "\(location.line)")
            }
            throw error
        }
    }

    func callCommand(_ command: Command, _ args: [(String?, Value)], at location: SourceLocation) throws -> Value {
        try checkInterrupt(location)
        var values = [Value?](repeating: nil, count: command.parameters.count)
        var index = 0
        var extra: [Value] = []
        for (label, value) in args {
            if let label {
                guard let p = command.parameters.firstIndex(where: { $0.label == label }) else {
                    var message = "\(command.name) has no argument labelled '\(label)'"
                    let labels = command.parameters.compactMap { $0.label }
                    if let hint = didYouMean(label, labels) { message += "; " + hint }
                    else if !labels.isEmpty { message += "; its labels are " + labels.map { "'\($0):'" }.joined(separator: ", ") }
                    throw ScriptError(kind: "TypeError", message: message, location: location)
                }
                guard values[p] == nil else {
                    throw ScriptError(kind: "TypeError", message: "argument '\(label)' given twice", location: location)
                }
                values[p] = value
                index = p + 1
            } else {
                while index < command.parameters.count && command.parameters[index].label != nil
                        && command.parameters[index].isOptional { index += 1 }
                if index < command.parameters.count && command.parameters[index].label == nil && values[index] == nil {
                    values[index] = value
                    index += 1
                } else if command.variadic {
                    extra.append(value)
                } else {
                    let expected = index < command.parameters.count
                        ? "argument '\(command.parameters[index].label!):' needs its label"
                        : "\(command.name) takes at most \(command.parameters.count) argument(s)"
                    throw ScriptError(kind: "TypeError", message: "\(command.name): \(expected); signature: "
                        + command.signature, location: location)
                }
            }
        }
        for (i, p) in command.parameters.enumerated() where values[i] == nil && !p.isOptional {
            throw ScriptError(kind: "TypeError", message: "\(command.name) is missing its argument "
                + (p.label.map { "'\($0):'" } ?? "(unlabelled \(p.type))") + "; signature: \(command.signature)",
                location: location)
        }
        let arguments = Arguments(values: values + extra.map { Optional($0) }, command: command, location: location)
        do {
            return try command.implementation(arguments, CallContext(interpreter: self, location: location))
        } catch var error as ScriptError {
            if error.location == nil { error.location = location }
            throw error
        } catch is CancellationError {
            throw ScriptError(kind: "Interrupted", message: "\(command.name) was interrupted by the user",
                              location: location)
        } catch {
            throw ScriptError(kind: Interpreter.kind(of: error), message: "\(command.name): \(error)",
                              location: location)
        }
    }

    /// Maps native errors to the error kinds users see: file problems are FileError, the rest ValueError.
    static func kind(of error: Error) -> String {
        let label = Mirror(reflecting: error).children.first?.label ?? ""
        if label == "file" || label.hasPrefix("file") || error is CocoaError { return "FileError" }
        return "ValueError"
    }
}
