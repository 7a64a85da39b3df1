import Foundation

/// Compiled code: the parser's tree turned, once, into Swift closures with every name resolved to a frame slot or a
/// cached global. Running a cell runs these closures; nothing is looked up by name in the hot path.
typealias Eval = (Frame) throws -> Value
typealias Exec = (Frame) throws -> Flow
typealias Store = (Frame, Value) throws -> Void

/// A compiled `func` or closure. The frame of a call holds the parameters (or `$0`, `$1`...) first, then locals.
final class CompiledFunction {
    let decl: ClosureDecl
    let name: String
    let isClosure: Bool
    let frameSize: Int
    /// Default values, evaluated in the frame the function was created in.
    let defaults: [Eval?]
    /// Runs the body; a single-expression closure's value comes back as `.returned`.
    let body: Exec
    /// Whether no closure is created inside, so a finished call's frame cannot have been captured.
    let createsNoClosures: Bool

    init(decl: ClosureDecl, name: String, isClosure: Bool, frameSize: Int, defaults: [Eval?], body: @escaping Exec,
         createsNoClosures: Bool) {
        self.decl = decl
        self.name = name
        self.isClosure = isClosure
        self.frameSize = frameSize
        self.defaults = defaults
        self.body = body
        self.createsNoClosures = createsNoClosures
    }

    /// The same function under another name (`let square = { ... }` names the closure `square`).
    func named(_ newName: String) -> CompiledFunction {
        CompiledFunction(decl: decl, name: newName, isClosure: true, frameSize: frameSize, defaults: defaults,
                         body: body, createsNoClosures: createsNoClosures)
    }
}

/// Holds a compiled statement (closures kept in a class keep their natural calling convention; an array of bare
/// closures would add a conversion thunk to every call).
final class ExecBox {
    let run: Exec
    init(_ run: @escaping Exec) { self.run = run }
}

extension Interpreter {
    // MARK: Cells

    /// Compiles a cell's statements (names declared at its top level are globals) and runs them.
    func run(_ statements: [Stmt]) throws {
        let layout = FrameLayout(parent: nil)
        let scope = StaticScope(parent: nil, layout: layout, isGlobal: true)
        let code = compileBlock(statements, scope, topLevel: true)
        _ = try code(Frame(size: layout.size, parent: nil))
    }

    /// Compiles and evaluates one expression at the top level (user_expressions).
    func evaluateTopLevel(_ expr: Expr) throws -> Value {
        let layout = FrameLayout(parent: nil)
        let code = compile(expr, StaticScope(parent: nil, layout: layout, isGlobal: true))
        return try code(Frame(size: layout.size, parent: nil))
    }

    // MARK: Blocks

    /// A block: `func`s are declared first (so they may call each other), then the statements run in order.
    func compileBlock(_ statements: [Stmt], _ scope: StaticScope, topLevel: Bool = false) -> Exec {
        unowned(unsafe) let interp = self
        // every local func name is declared first (funcs may call each other and be called before their line)
        var functions: [(ClosureDecl, SourceLocation, LocalVariable?)] = []
        for case .function(let decl, let location) in statements {
            if scope.isGlobal || scope.declares(decl.name) {
                functions.append((decl, location, nil))
            } else {
                functions.append((decl, location, scope.declare(decl.name, isLet: true, type: nil)))
            }
        }
        // statements compile in order (a declaration is visible to the statements after it)
        let compiled = statements.map { ExecBox(compile($0, scope, topLevel: topLevel)) }
        // function bodies compile last, so they see the block's variables as a call at run time would
        var hoisted: [(Frame) throws -> Void] = []
        for (decl, location, variable) in functions {
            if scope.isGlobal {
                let make = compileFunction(decl, scope, name: decl.name)
                hoisted.append { f in
                    try interp.declareGlobal(decl.name, .function(Function(.user(make, f))), isLet: true,
                                             type: nil, at: location, topLevel: topLevel)
                }
            } else if let variable {
                let make = compileFunction(decl, scope, name: decl.name)
                hoisted.append { f in f.slots[variable.slot] = .function(Function(.user(make, f))) }
            } else {
                hoisted.append { _ in throw Interpreter.redeclaration(decl.name, location) }
            }
        }
        let hoist = hoisted
        // short blocks chain their statements (no array of closures to go through on every run)
        var chained: Exec?
        if statements.count <= 8 {
            for box in compiled.reversed() {
                let first = box.run
                if let rest = chained {
                    chained = { f in
                        let flow = try first(f)
                        if case .normal = flow { return try rest(f) }
                        return flow
                    }
                } else {
                    chained = first
                }
            }
        }
        if hoist.isEmpty, statements.count <= 8 { return chained ?? { _ in .normal } }
        if let chained { return { f in for h in hoist { try h(f) }; return try chained(f) } }
        return { f in
            for h in hoist { try h(f) }
            for c in compiled {
                let flow = try c.run(f)
                if case .normal = flow { continue }
                return flow
            }
            return .normal
        }
    }

    /// A nested block (if/while/for bodies): its own scope; its own run-time frame only when it declares names and
    /// creates closures that might capture them (each run then gets fresh variables, as in Swift). `code` expects
    /// that frame when `ownFrame`; `run` makes it.
    func compileNestedBlock(_ statements: [Stmt], _ scope: StaticScope, preDeclared: [String] = [])
        -> (code: Exec, run: Exec, inner: StaticScope, ownFrame: Bool) {
        let declares = !preDeclared.isEmpty || statements.contains {
            switch $0 { case .declaration, .function: return true; default: return false }
        }
        let ownFrame = declares && statements.contains { Interpreter.createsClosure($0) }
        let inner = StaticScope(parent: scope, layout: ownFrame ? FrameLayout(parent: scope.layout) : scope.layout)
        for name in preDeclared where name != "_" { _ = inner.declare(name, isLet: true, type: nil) }
        let code = compileBlock(statements, inner)
        guard ownFrame else { return (code, code, inner, false) }
        let layout = inner.layout
        return (code, { f in try code(Frame(size: layout.size, parent: f)) }, inner, true)
    }

    static func redeclaration(_ name: String, _ location: SourceLocation) -> ScriptError {
        ScriptError(kind: .syntax, message: "invalid redeclaration of '\(name)'", location: location)
    }

    /// Declares a global (the cell's top level): a new cell may redefine a global; within one cell it is an error.
    func declareGlobal(_ name: String, _ value: Value, isLet: Bool, type: String?, at location: SourceLocation,
                       topLevel: Bool, initialized: Bool = true) throws {
        if globals.bindings[name] != nil {
            if !topLevel || cellDeclared.contains(name) { throw Interpreter.redeclaration(name, location) }
            globalsGeneration.value += 1
        }
        if topLevel { cellDeclared.insert(name) }
        let checked = try type.map { try conform(value, to: $0, at: location) } ?? value
        globals.bindings[name] = Binding(value: checked, isLet: isLet, type: type, initialized: initialized)
    }

    // MARK: Statements

    func compile(_ statement: Stmt, _ scope: StaticScope, topLevel: Bool) -> Exec {
        unowned(unsafe) let interp = self
        switch statement {
        case .expression(let e):
            let value = compile(e, scope)
            if topLevel { return { f in interp.lastValue = try value(f); return .normal } }
            return { f in _ = try value(f); return .normal }
        case .declaration(let isLet, let name, let type, let valueExpr, let location):
            return markTopLevel(compileDeclaration(isLet, name, type, valueExpr, location, scope, topLevel), topLevel)
        case .assignment(let target, let op, let valueExpr, let location):
            return markTopLevel(compileAssignment(target, op, valueExpr, location, scope), topLevel)
        case .function:
            return markTopLevel({ _ in .normal }, topLevel)   // declared when its block started
        case .ifStatement(let condition, let then, let otherwise, _):
            let test = compileCondition(condition, scope)
            let yes = compileNestedBlock(then, scope).run
            let no = otherwise.map { compileNestedBlock($0, scope).run }
            return markTopLevel({ f in
                if try test(f) { return try yes(f) }
                if let no { return try no(f) }
                return .normal
            }, topLevel)
        case .whileLoop(let condition, let body, let location):
            let test = compileCondition(condition, scope)
            let run = compileNestedBlock(body, scope).run
            let poll = interruptPoll
            return markTopLevel({ f in
                while try test(f) {
                    try poll.tick(location)
                    switch try run(f) {
                    case .breakLoop: return .normal
                    case .returned(let v): return .returned(v)
                    default: continue
                    }
                }
                return .normal
            }, topLevel)
        case .forIn(let name, let second, let sequenceExpr, let body, let location):
            return markTopLevel(compileFor(name, second, sequenceExpr, body, location, scope), topLevel)
        case .breakStatement: return { _ in .breakLoop }
        case .continueStatement: return { _ in .continueLoop }
        case .returnStatement(let e, _):
            guard let e else { return { _ in .returned(.none) } }
            let value = compile(e, scope)
            return { f in .returned(try value(f)) }
        case .importStatement:
            return markTopLevel({ _ in .normal }, topLevel)
        }
    }

    /// At the top level every statement but an expression clears the cell's result.
    private func markTopLevel(_ code: @escaping Exec, _ topLevel: Bool) -> Exec {
        guard topLevel else { return code }
        unowned(unsafe) let interp = self
        return { f in interp.lastValue = nil; return try code(f) }
    }

    private func compileDeclaration(_ isLet: Bool, _ name: String, _ type: String?, _ valueExpr: Expr?,
                                    _ location: SourceLocation, _ scope: StaticScope, _ topLevel: Bool) -> Exec {
        unowned(unsafe) let interp = self
        let value = valueExpr.map { compile($0, scope) }
        // a closure stored in a constant or variable takes its name (for call chains)
        let namedValue: Eval? = value.map { value in { f in
            let v = try value(f)
            if case .function(let fn) = v, case .user(let code, let captured) = fn.body, code.name == "closure" {
                return .function(Function(.user(code.named(name), captured)))
            }
            return v
        } }
        if scope.isGlobal {
            if let namedValue {
                return { f in
                    try interp.declareGlobal(name, try namedValue(f), isLet: isLet, type: type, at: location,
                                             topLevel: topLevel)
                    return .normal
                }
            }
            let optional = type?.hasSuffix("?") ?? false
            return { _ in
                try interp.declareGlobal(name, .none, isLet: isLet, type: nil, at: location, topLevel: topLevel,
                                         initialized: optional)
                if let type {
                    interp.globals.bindings[name] = Binding(value: .none, isLet: isLet, type: type, initialized: optional)
                }
                return .normal
            }
        }
        if scope.declares(name) {
            return { f in
                if let value { _ = try value(f) }
                throw Interpreter.redeclaration(name, location)
            }
        }
        // the value is compiled before the name exists, so `let x = x + 1` reads an outer x
        let slot = scope.declare(name, isLet: isLet, type: type).slot
        if let namedValue {
            if let type {
                return { f in
                    f.slots[slot] = try interp.conform(try namedValue(f), to: type, at: location)
                    return .normal
                }
            }
            return { f in f.slots[slot] = try namedValue(f); return .normal }
        }
        let initial: Value? = (type?.hasSuffix("?") ?? false) ? Value.none : nil
        return { f in f.slots[slot] = initial; return .normal }
    }

    private func compileAssignment(_ target: Expr, _ op: String, _ valueExpr: Expr, _ location: SourceLocation,
                                   _ scope: StaticScope) -> Exec {
        unowned(unsafe) let interp = self
        let value = compile(valueExpr, scope)
        let store = compileStore(target, location, scope)
        if op == "=" { return { f in try store(f, try value(f)); return .normal } }
        let read = compile(target, scope)
        let binary = String(op.dropLast())
        let fast = Interpreter.intFastPath(binary)
        if let fast, case .name(let name, _) = target {
            return compileIntUpdate(name, binary, fast, value, read, store, location, scope)
        }
        return { f in
            let rhs = try value(f)
            let old = try read(f)
            if let fast, case .int(let x) = old, case .int(let y) = rhs, let r = fast(x, y) {
                try store(f, .int(r))
            } else {
                try store(f, try interp.binaryOperation(binary, old, rhs, at: location))
            }
            return .normal
        }
    }

    /// `x += e` (and -=, *=, /=, %=) on a plain variable: Int arithmetic in place, one lookup. Anything else (a
    /// constant, a typed or unset variable, other values, overflow) takes the general read-operate-store path.
    private func compileIntUpdate(_ name: String, _ op: String, _ fast: @escaping (Int, Int) -> Int?,
                                  _ value: @escaping Eval, _ read: @escaping Eval, _ store: @escaping Store,
                                  _ location: SourceLocation, _ scope: StaticScope) -> Exec {
        unowned(unsafe) let interp = self
        let general: (Frame, Value) throws -> Flow = { f, rhs in
            let old = try read(f)
            if case .int(let x) = old, case .int(let y) = rhs, let r = fast(x, y) {
                try store(f, .int(r))
            } else {
                try store(f, try interp.binaryOperation(op, old, rhs, at: location))
            }
            return .normal
        }
        if let (depth, v) = scope.resolve(name) {
            guard !v.isLet, v.type == nil else { return { f in try general(f, try value(f)) } }
            let slot = v.slot
            return { f in
                let rhs = try value(f)
                let frame = f.ancestor(depth)
                if case .int(let x)? = frame.slots[slot], case .int(let y) = rhs, let r = fast(x, y) {
                    frame.slots[slot] = .int(r)
                    return .normal
                }
                return try general(f, rhs)
            }
        }
        let reference = GlobalReference(name, self)
        return { f in
            let rhs = try value(f)
            let done = reference.withBinding { b -> Bool in
                guard !b.isLet, b.type == nil, b.initialized, case .int(let x) = b.value, case .int(let y) = rhs,
                      let r = fast(x, y) else { return false }
                b.value = .int(r)
                return true
            }
            if done == true { return .normal }
            return try general(f, rhs)
        }
    }

    func compileCondition(_ e: Expr, _ scope: StaticScope) -> (Frame) throws -> Bool {
        let value = compile(e, scope)
        let location = e.location
        return { f in
            let v = try value(f)
            guard case .bool(let b) = v else {
                throw ScriptError(kind: .type, message: "a condition must be a Bool, not \(v.typeName)",
                                  location: location)
            }
            return b
        }
    }

    private func compileFor(_ name: String, _ second: String?, _ sequenceExpr: Expr, _ body: [Stmt],
                            _ location: SourceLocation, _ scope: StaticScope) -> Exec {
        unowned(unsafe) let interp = self
        let sequence = compile(sequenceExpr, scope)
        let (run, _, inner, ownFrame) = compileNestedBlock(body, scope, preDeclared: [name] + (second.map { [$0] } ?? []))
        let firstSlot = name == "_" ? nil : inner.resolve(name)?.variable.slot
        let secondSlot = second.flatMap { $0 == "_" ? nil : inner.resolve($0)?.variable.slot }
        let size = inner.layout.size
        // one iteration: bind the loop variables (in a fresh frame when closures may capture them) and run
        let step: (Frame, Value, Value?) throws -> Flow = ownFrame ? { f, x, y in
            let frame = Frame(size: size, parent: f)
            if let firstSlot { frame.slots[firstSlot] = x }
            if let secondSlot { frame.slots[secondSlot] = y ?? Value.none }
            return try run(frame)
        } : { f, x, y in
            if let firstSlot { f.slots[firstSlot] = x }
            if let secondSlot { f.slots[secondSlot] = y ?? Value.none }
            return try run(f)
        }
        let interruptPoll = self.interruptPoll
        return { f in
            let sequenceValue = try sequence(f)
            func poll() throws { try interruptPoll.tick(location) }
            switch sequenceValue {
            case .range(let a, let b):
                guard second == nil else {
                    throw ScriptError(kind: .type, message: "a range yields one value per step; use one loop "
                        + "variable", location: location)
                }
                var i = a
                while i < b {
                    try poll()
                    switch try step(f, .int(i), nil) {
                    case .breakLoop: return .normal
                    case .returned(let v): return .returned(v)
                    default: break
                    }
                    i += 1
                }
            case .dictionary(let d):
                for entry in d.entries {
                    try poll()
                    let flow = second == nil ? try step(f, .array([entry.key, entry.value]), nil)
                        : try step(f, entry.key, entry.value)
                    if case .breakLoop = flow { return .normal }
                    if case .returned(let v) = flow { return .returned(v) }
                }
            default:
                let items = try interp.elements(of: sequenceValue, at: location)
                for item in items {
                    try poll()
                    var x = item, y: Value?
                    if second != nil {
                        guard case .array(let pair) = item, pair.count == 2 else {
                            throw ScriptError(kind: .type, message: "cannot destructure \(item.typeName) into "
                                + "two loop variables", location: location)
                        }
                        x = pair[0]
                        y = pair[1]
                    }
                    switch try step(f, x, y) {
                    case .breakLoop: return .normal
                    case .returned(let v): return .returned(v)
                    default: break
                    }
                }
            }
            return .normal
        }
    }

    /// Whether running `statement` can create a closure (a `func` or closure expression anywhere inside).
    static func createsClosure(_ statement: Stmt) -> Bool {
        switch statement {
        case .function: return true
        case .expression(let e): return createsClosure(e)
        case .declaration(_, _, _, let v, _): return v.map(createsClosure) ?? false
        case .assignment(let t, _, let v, _): return createsClosure(t) || createsClosure(v)
        case .ifStatement(let c, let a, let b, _):
            return createsClosure(c) || a.contains(where: createsClosure) || (b?.contains(where: createsClosure) ?? false)
        case .forIn(_, _, let s, let body, _): return createsClosure(s) || body.contains(where: createsClosure)
        case .whileLoop(let c, let body, _): return createsClosure(c) || body.contains(where: createsClosure)
        case .returnStatement(let e, _): return e.map(createsClosure) ?? false
        case .breakStatement, .continueStatement, .importStatement: return false
        }
    }

    static func createsClosure(_ e: Expr) -> Bool {
        switch e {
        case .closure: return true
        case .literal, .name, .dollar, .implicitMember: return false
        case .interpolated(let parts, _):
            return parts.contains { if case .expr(let x) = $0 { return createsClosure(x) }; return false }
        case .array(let items, _): return items.contains(where: createsClosure)
        case .dictionary(let pairs, _): return pairs.contains { createsClosure($0.0) || createsClosure($0.1) }
        case .unary(_, let x, _), .member(let x, _, _): return createsClosure(x)
        case .binary(_, let a, let b, _): return createsClosure(a) || createsClosure(b)
        case .ternary(let a, let b, let c, _): return createsClosure(a) || createsClosure(b) || createsClosure(c)
        case .call(let x, let args, _), .subscriptAccess(let x, let args, _):
            return createsClosure(x) || args.contains { createsClosure($0.value) }
        }
    }
}
