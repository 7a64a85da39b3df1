import Foundation

/// Expressions: names become slot reads, operators get Int/Double fast paths (everything else, and every error,
/// goes through `binaryOperation`, so messages and locations are those of the generic path).
extension Interpreter {
    func compile(_ expr: Expr, _ scope: StaticScope) -> Eval {
        unowned(unsafe) let interp = self
        switch expr {
        case .literal(let v, _): return { _ in v }
        case .interpolated(let parts, let location):
            let pieces: [(String, Eval?)] = parts.map {
                switch $0 {
                case .text(let t): return (t, nil)
                case .expr(let e): return ("", compile(e, scope))
                }
            }
            return { f in
                var s = ""
                for (text, value) in pieces {
                    guard let value else { s += text; continue }
                    let v = try value(f)
                    try interp.memory.check(adding: s.utf8.count + v.textSize(), for: "this string", at: location)
                    s += v.description
                }
                return .string(s)
            }
        case .name(let name, let location): return compileName(name, location, scope)
        case .dollar(let n, let location):
            guard let (depth, v) = scope.resolve("$\(n)") else {
                return { _ in
                    throw ScriptError(kind: .name, message: "'$\(n)' is not available here", location: location)
                }
            }
            let slot = v.slot
            return { f in f.ancestor(depth).slots[slot] ?? .none }
        case .implicitMember(let name, _):
            let symbol = Value.symbol(name)
            return { _ in symbol }
        case .array(let items, _):
            let values = items.map { compile($0, scope) }
            return { f in
                var out: [Value] = []
                out.reserveCapacity(values.count)
                for v in values { out.append(try v(f)) }
                return .array(out)
            }
        case .dictionary(let pairs, let location):
            let compiled = pairs.map { (compile($0.0, scope), compile($0.1, scope)) }
            return { f in
                var d = OrderedDictionary()
                for (k, v) in compiled {
                    do { try d.set(try k(f), try v(f)) } catch var e as ScriptError {
                        if e.location == nil { e.location = location }
                        throw e
                    }
                }
                return .dictionary(d)
            }
        case .unary(let op, let operand, let location):
            let value = compile(operand, scope)
            return { f in
                let v = try value(f)
                switch (op, v) {
                case ("-", .int(let x)):
                    guard x != Int.min else { throw interp.overflow("-", location) }
                    return .int(-x)
                case ("-", .double(let x)): return .double(-x)
                case ("!", .bool(let b)): return .bool(!b)
                default:
                    throw ScriptError(kind: .type, message: "unary '\(op)' cannot be applied to \(v.typeName)",
                                      location: location)
                }
            }
        case .binary(let op, let l, let r, let location):
            return compileBinary(op, l, r, location, scope)
        case .ternary(let c, let a, let b, _):
            let test = compileCondition(c, scope), yes = compile(a, scope), no = compile(b, scope)
            return { f in try test(f) ? yes(f) : no(f) }
        case .member(let base, let name, let location):
            let value = compile(base, scope)
            return { f in try interp.memberValue(try value(f), name, at: location) }
        case .subscriptAccess(let base, let args, let location):
            let container = compile(base, scope)
            let keys = args.map { compile($0.value, scope) }
            if keys.count == 1 {
                let key = keys[0]
                return { f in
                    let c = try container(f)
                    let k = try key(f)
                    if case .array(let items) = c, case .int(let i) = k, i >= 0, i < items.count { return items[i] }
                    return try interp.subscriptValue(c, [k], at: location)
                }
            }
            return { f in
                let c = try container(f)
                return try interp.subscriptValue(c, try keys.map { try $0(f) }, at: location)
            }
        case .closure(let decl, _):
            let code = compileFunction(decl, scope, name: decl.name)
            return { f in .function(Function(.user(code, f))) }
        case .call(let callee, let args, let location):
            return compileCall(callee, args, location, scope)
        }
    }

    // MARK: Names

    func compileName(_ name: String, _ location: SourceLocation, _ scope: StaticScope) -> Eval {
        func unset() -> ScriptError {
            ScriptError(kind: .name, message: "'\(name)' is used before it has a value", location: location)
        }
        if let (depth, v) = scope.resolve(name) {
            let slot = v.slot
            switch depth {
            case 0: return { f in guard let x = f.slots[slot] else { throw unset() }; return x }
            case 1: return { f in guard let x = f.parent.unsafelyUnwrapped.slots[slot] else { throw unset() }; return x }
            default: return { f in guard let x = f.ancestor(depth).slots[slot] else { throw unset() }; return x }
            }
        }
        unowned(unsafe) let interp = self
        let reference = GlobalReference(name, self)
        let visible = scope.visibleNames
        return { _ in
            if let value = try reference.withBinding({ b -> Value in
                guard b.initialized else { throw unset() }
                return b.value
            }) {
                return value
            }
            if let c = interp.registry[name] { return .function(Function(.native(c, receiver: nil))) }
            if let v = interp.builtinValue(name) { return v }
            throw interp.nameError(name, visible, at: location)
        }
    }

    func nameError(_ name: String, _ locals: [String], at location: SourceLocation) -> ScriptError {
        var message = "cannot find '\(name)' in scope"
        if let hint = didYouMean(name, locals + Array(globals.bindings.keys) + registry.order
                                    + Array(builtinValueNames)) {
            message += "; " + hint
        }
        return ScriptError(kind: .name, message: message, location: location)
    }

    // MARK: Operators

    /// Int arithmetic that cannot fail (nil: overflow or division by zero, which the generic path reports).
    static func intFastPath(_ op: String) -> ((Int, Int) -> Int?)? {
        switch op {
        case "+": return { let (r, o) = $0.addingReportingOverflow($1); return o ? nil : r }
        case "-": return { let (r, o) = $0.subtractingReportingOverflow($1); return o ? nil : r }
        case "*": return { let (r, o) = $0.multipliedReportingOverflow(by: $1); return o ? nil : r }
        case "/": return { $1 == 0 || ($0 == Int.min && $1 == -1) ? nil : $0 / $1 }
        case "%": return { $1 == 0 || ($0 == Int.min && $1 == -1) ? nil : $0 % $1 }
        default: return nil
        }
    }

    static func intComparison(_ op: String) -> ((Int, Int) -> Bool)? {
        switch op {
        case "<": return { $0 < $1 }
        case "<=": return { $0 <= $1 }
        case ">": return { $0 > $1 }
        case ">=": return { $0 >= $1 }
        case "==": return { $0 == $1 }
        case "!=": return { $0 != $1 }
        default: return nil
        }
    }

    static func doubleFastPath(_ op: String) -> ((Double, Double) -> Value)? {
        switch op {
        case "+": return { .double($0 + $1) }
        case "-": return { .double($0 - $1) }
        case "*": return { .double($0 * $1) }
        case "/": return { .double($0 / $1) }
        case "<": return { .bool($0 < $1) }
        case "<=": return { .bool($0 <= $1) }
        case ">": return { .bool($0 > $1) }
        case ">=": return { .bool($0 >= $1) }
        case "==": return { .bool($0 == $1) }
        case "!=": return { .bool($0 != $1) }
        default: return nil
        }
    }

    private func compileBinary(_ op: String, _ l: Expr, _ r: Expr, _ location: SourceLocation,
                               _ scope: StaticScope) -> Eval {
        unowned(unsafe) let interp = self
        if op == "&&" || op == "||" {
            let left = compileCondition(l, scope), right = compileCondition(r, scope)
            if op == "&&" { return { f in .bool(try left(f) ? try right(f) : false) } }
            return { f in .bool(try left(f) ? true : try right(f)) }
        }
        let a = compile(l, scope), b = compile(r, scope)
        let double = Interpreter.doubleFastPath(op)
        if let arithmetic = Interpreter.intFastPath(op) {
            if case .literal(.int(let y), _) = r {
                return { f in
                    let x = try a(f)
                    if case .int(let i) = x, let v = arithmetic(i, y) { return .int(v) }
                    return try interp.binaryOperation(op, x, .int(y), at: location)
                }
            }
            return { f in
                let x = try a(f), y = try b(f)
                if case .int(let i) = x {
                    if case .int(let j) = y, let v = arithmetic(i, j) { return .int(v) }
                } else if let double, case .double(let p) = x, case .double(let q) = y {
                    return double(p, q)
                }
                return try interp.binaryOperation(op, x, y, at: location)
            }
        }
        if let compare = Interpreter.intComparison(op) {
            if case .literal(.int(let y), _) = r {
                return { f in
                    let x = try a(f)
                    if case .int(let i) = x { return .bool(compare(i, y)) }
                    return try interp.binaryOperation(op, x, .int(y), at: location)
                }
            }
            return { f in
                let x = try a(f), y = try b(f)
                if case .int(let i) = x {
                    if case .int(let j) = y { return .bool(compare(i, j)) }
                } else if let double, case .double(let p) = x, case .double(let q) = y {
                    return double(p, q)
                }
                return try interp.binaryOperation(op, x, y, at: location)
            }
        }
        return { f in
            let x = try a(f), y = try b(f)
            return try interp.binaryOperation(op, x, y, at: location)
        }
    }
}
