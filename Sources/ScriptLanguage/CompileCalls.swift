import Foundation

/// Functions, calls and assignment targets.
extension Interpreter {
    // MARK: Functions

    /// Compiles a `func` or closure body in a scope of its own (parameters, or `$0`..., first).
    func compileFunction(_ decl: ClosureDecl, _ scope: StaticScope, name: String) -> CompiledFunction {
        let defaults = decl.parameters.map { $0.defaultValue.map { compile($0, scope) } }
        let inner = StaticScope(parent: scope, layout: FrameLayout(parent: scope.layout))
        if decl.usesDollar > 0 {
            for i in 0..<decl.usesDollar { _ = inner.declare("$\(i)", isLet: true, type: nil) }
        } else {
            for p in decl.parameters { _ = inner.declare(p.name, isLet: true, type: nil) }
        }
        let body: Exec
        if decl.isClosure, decl.body.count == 1, case .expression(let e) = decl.body[0] {
            // a single-expression closure returns its value
            let value = compile(e, inner)
            body = { f in .returned(try value(f)) }
        } else {
            body = compileBlock(decl.body, inner)
        }
        return CompiledFunction(decl: decl, name: name, isClosure: decl.isClosure, frameSize: inner.layout.size,
                                defaults: defaults, body: body,
                                createsNoClosures: !decl.body.contains(where: Interpreter.createsClosure))
    }

    /// Calls a user function. `labels` are the call's argument labels; nil calls positionally (labels ignored).
    func callUser(_ code: CompiledFunction, _ captured: Frame, _ args: [Value], labels: [String?]?,
                  at location: SourceLocation) throws -> Value {
        try interruptPoll.tick(location)
        guard callDepth < Interpreter.maxCallDepth else {
            throw ScriptError(kind: .recursion, message: "maximum call depth (\(Interpreter.maxCallDepth)) "
                + "exceeded in '\(code.name)'", location: location)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        let frame = Frame(size: code.frameSize, parent: captured)
        let decl = code.decl
        if decl.usesDollar > 0 || (decl.parameters.isEmpty && !args.isEmpty) {
            guard args.count >= decl.usesDollar else {
                throw ScriptError(kind: .type, message: "the closure uses $\(decl.usesDollar - 1) but was "
                    + "given \(args.count) argument(s)", location: location)
            }
            for i in 0..<decl.usesDollar { frame.slots[i] = args[i] }
        } else {
            var index = 0
            for (k, p) in decl.parameters.enumerated() {
                if index < args.count, labels.map({ $0[index] == p.label }) ?? true {
                    frame.slots[k] = try p.type.map { try conform(args[index], to: $0, at: location) } ?? args[index]
                    index += 1
                } else if let d = code.defaults[k] {
                    frame.slots[k] = try d(captured)
                } else {
                    let wanted = p.label.map { "'\($0):'" } ?? "an unlabelled argument"
                    var message = "\(code.name) needs \(wanted) here"
                    if index < args.count, let given = labels?[index] {
                        message = "\(code.name) has no parameter labelled '\(given)'; expected \(wanted)"
                        if let hint = didYouMean(given, decl.parameters.compactMap { $0.label }) {
                            message += "; " + hint
                        }
                    }
                    throw ScriptError(kind: .type, message: message, location: location)
                }
            }
            if index < args.count {
                throw ScriptError(kind: .type, message: "\(code.name) takes \(decl.parameters.count) "
                    + "argument(s) but was given \(args.count)", location: location)
            }
        }
        do {
            if case .returned(let v) = try code.body(frame) { return v }
            return .none
        } catch var error as ScriptError {
            addCallFrame(&error, code, location)
            throw error
        }
    }

    /// Records in an error's call chain that it passed through a call of `code`.
    func addCallFrame(_ error: inout ScriptError, _ code: CompiledFunction, _ location: SourceLocation) {
        guard error.kind != "Interrupted", error.callChain.count < 20 else { return }
        let what = code.isClosure ? "closure \(code.name == "closure" ? "" : code.name)" : "func \(code.name)"
        error.callChain.append("\(what) called at line \(location.line)")
    }

    /// Calls a function value with positional arguments (used by map/filter/reduce and commands).
    func callValue(_ function: Value, _ arguments: [Value], at location: SourceLocation?) throws -> Value {
        let at = location ?? SourceLocation(line: 1, column: 1)
        guard case .function(let f) = function else {
            throw ScriptError(kind: .type, message: "\(function.typeName) is not a function", location: at)
        }
        switch f.body {
        case .user(let code, let captured): return try callUser(code, captured, arguments, labels: nil, at: at)
        case .binaryOperator(let op) where arguments.count == 2:
            return try binaryOperation(op, arguments[0], arguments[1], at: at)
        case .binaryOperator(let op):
            return try callCommand(Interpreter.operatorCommand(op), arguments.map { (nil, $0) }, at: at)
        case .native(let command, _): return try callCommand(command, arguments.map { (nil, $0) }, at: at)
        }
    }

    // MARK: Calls

    func compileCall(_ callee: Expr, _ args: [Argument], _ location: SourceLocation, _ scope: StaticScope,
                     helpOfMethodChecked: Bool = false) -> Eval {
        unowned(unsafe) let interp = self
        if !helpOfMethodChecked, let help = compileHelpOfMethod(callee, args, location, scope) { return help }
        let labels = args.map { $0.label }
        let values = args.map { compile($0.value, scope) }
        let allUnlabelled = labels.allSatisfy { $0 == nil }
        func arguments(_ f: Frame) throws -> [(String?, Value)] {
            var out: [(String?, Value)] = []
            out.reserveCapacity(values.count)
            for (label, value) in zip(labels, values) { out.append((label, try value(f))) }
            return out
        }
        // methods: `base.name(args)`
        if case .member(let baseExpr, let name, let memberLocation) = callee {
            let base = compile(baseExpr, scope)
            let isMutating = Builtins.mutatingMethods.contains(name)
            let inPlace = isMutating ? compileInPlace(baseExpr, scope) : nil
            let store = isMutating ? compileStore(baseExpr, location, scope) : nil
            return { f in
                var evaluated: [(String?, Value)]?
                if let inPlace {
                    let given = try arguments(f)
                    evaluated = given
                    if let result = try inPlace(f, { v, element in
                        if let element, interp.dictionaryTypes(element) != nil { return nil }
                        let conformed = try element.map { try interp.conformInserted(given, of: name, to: $0,
                                                                                     at: location) } ?? given
                        return try Builtins.mutatingMethod(interp, &v, name, conformed, at: memberLocation)
                    }) {
                        return result
                    }
                }
                let baseValue = try base(f)
                if case .object(let o) = baseValue {
                    if let method = o.method(name) {
                        return try interp.callCommand(method, try evaluated ?? arguments(f), at: location)
                    }
                    if let v = try o.member(name), case .function = v {
                        return try interp.callValue(v, try (evaluated ?? arguments(f)).map { $0.1 }, at: location)
                    }
                    var message = "\(o.typeName) has no method '\(name)'"
                    if let hint = didYouMean(name, o.methodNames + o.memberNames) { message += "; " + hint }
                    throw ScriptError(kind: .attribute, message: message, location: memberLocation)
                }
                let given = try evaluated ?? arguments(f)
                if let store {
                    var target = baseValue
                    let result = try Builtins.mutatingMethod(interp, &target, name, given, at: memberLocation)
                    try store(f, target)
                    return result
                }
                return try Builtins.method(interp, baseValue, name, given, at: memberLocation)
            }
        }
        let function = compile(callee, scope)
        // a call of the function value
        let call: (Frame, Value, [(String?, Value)]?) throws -> Value = { f, value, evaluated in
            guard case .function(let fn) = value else {
                throw ScriptError(kind: .type, message: "\(value.typeName) is not callable", location: location)
            }
            switch fn.body {
            case .user(let code, let captured):
                if let evaluated {
                    return try interp.callUser(code, captured, evaluated.map { $0.1 }, labels: labels, at: location)
                }
                var positional: [Value] = []
                positional.reserveCapacity(values.count)
                for v in values { positional.append(try v(f)) }
                return try interp.callUser(code, captured, positional, labels: allUnlabelled ? nil : labels,
                                           at: location)
            case .native(let command, _):
                return try interp.callCommand(command, try evaluated ?? arguments(f), at: location)
            case .binaryOperator(let op):
                return try interp.callCommand(Interpreter.operatorCommand(op), try evaluated ?? arguments(f),
                                              at: location)
            }
        }
        if case .name(let name, _) = callee, scope.resolve(name) == nil {
            // `String(x)`, `Int(x)`, `Array(x)`... unless a variable or command has that name
            let reference = GlobalReference(name, self)
            return { f in
                if reference.lookup() == nil, interp.registry[name] == nil {
                    let given = try arguments(f)
                    if let result = try Builtins.constructor(interp, name, given, at: location) { return result }
                    return try call(f, try function(f), given)
                }
                return try call(f, try function(f), nil)
            }
        }
        return { f in try call(f, try function(f), nil) }
    }

    // MARK: Assignment targets

    /// Where an assignment stores: a variable (checking `let` and its type), a subscript of one, or an error.
    func compileStore(_ target: Expr, _ location: SourceLocation, _ scope: StaticScope) -> Store {
        unowned(unsafe) let interp = self
        switch target {
        case .name(let name, let nameLocation):
            func constant() -> ScriptError {
                ScriptError(kind: .type, message: "cannot assign to '\(name)': it is a 'let' constant; "
                    + "declare it with 'var' to change it", location: nameLocation)
            }
            if let (depth, v) = scope.resolve(name) {
                let slot = v.slot, type = v.type
                if v.isLet {
                    return { f, value in
                        let frame = f.ancestor(depth)
                        if case .some = frame.slots[slot] { throw constant() }
                        frame.slots[slot] = try type.map { try interp.conform(value, to: $0, at: location) } ?? value
                    }
                }
                if let type {
                    return { f, value in f.ancestor(depth).slots[slot] = try interp.conform(value, to: type, at: location) }
                }
                if depth == 0 { return { f, value in f.slots[slot] = value } }
                return { f, value in f.ancestor(depth).slots[slot] = value }
            }
            let reference = GlobalReference(name, self)
            let visible = scope.visibleNames
            return { _, value in
                let stored: Void? = try reference.withBinding { binding in
                    if binding.isLet && binding.initialized { throw constant() }
                    if let type = binding.type {
                        binding.value = try interp.conform(value, to: type, at: location)
                    } else {
                        binding.value = value
                    }
                    binding.initialized = true
                }
                if stored == nil { throw interp.nameError(name, visible, at: nameLocation) }
            }
        case .subscriptAccess(let base, let args, let subLocation):
            let container = compile(base, scope)
            let keys = args.map { compile($0.value, scope) }
            let storeBase = compileStore(base, location, scope)
            let inPlace = compileInPlace(base, scope)
            return { f, value in
                if let inPlace {
                    let k = try keys.map { try $0(f) }
                    let done = try inPlace(f) { c, element in
                        var stored = value
                        if let element, let (keyType, valueType) = interp.dictionaryTypes(element) {
                            // one entry of a typed dictionary: check its key and value only
                            guard k.count == 1, case .dictionary = c else { return nil }
                            let key = try interp.conform(k[0], to: keyType, at: location)
                            if case .none = value {} else { stored = try interp.conform(value, to: valueType, at: location) }
                            try interp.setSubscript(&c, [key], stored, at: subLocation)
                            return Value.none
                        }
                        if let element {
                            // one element of a typed array: check just it; anything else (ranges) the general way
                            guard k.count == 1, case .int = k[0], case .array = c else { return nil }
                            stored = try interp.conform(value, to: element, at: location)
                        }
                        try interp.setSubscript(&c, k, stored, at: subLocation)
                        return Value.none
                    }
                    if done != nil { return }
                    var c = try container(f)
                    try interp.setSubscript(&c, k, value, at: subLocation)
                    try storeBase(f, c)
                    return
                }
                var c = try container(f)
                let k = try keys.map { try $0(f) }
                try interp.setSubscript(&c, k, value, at: subLocation)
                try storeBase(f, c)
            }
        case .member(let base, let name, let memberLocation):
            let object = compile(base, scope)
            return { f, _ in
                let o = try object(f)
                throw ScriptError(kind: .type, message: "cannot assign to property '\(name)' of \(o.typeName)",
                                  location: memberLocation)
            }
        default:
            return { _, _ in
                throw ScriptError(kind: .syntax, message: "cannot assign to this expression", location: location)
            }
        }
    }

    /// For a `var` holding an array or dictionary: runs `body` on the value in place, so that `xs[i] = v` and
    /// `xs.append(v)` do not copy the collection. nil (at compile or run time) where that does not apply.
    /// A `var` annotated with an array type `[T]` takes part too: `body` is then given T, and must conform every
    /// element it inserts to it (the rest of the array was checked when it was stored); untyped: nil. A `var`
    /// annotated `[K: V]` is given the whole annotation (see `dictionaryTypes`), so that `d[k] = v` writes in
    /// place after checking k and v alone. `body`
    /// returns nil, leaving the value as it was, where it cannot do that: the general path then runs.
    func compileInPlace(_ target: Expr, _ scope: StaticScope)
        -> ((Frame, (inout Value, String?) throws -> Value?) throws -> Value?)? {
        guard case .name(let name, _) = target else { return nil }
        func isCollection(_ v: Value) -> Bool {
            switch v { case .array, .dictionary: return true; default: return false }
        }
        let elements = ElementTypeCache(self)
        if let (depth, v) = scope.resolve(name) {
            guard !v.isLet, case .some(let element) = elements.of(v.type) else { return nil }
            let slot = v.slot
            return { f, body in
                let frame = f.ancestor(depth)
                guard var value = frame.slots[slot], isCollection(value) else { return nil }
                frame.slots[slot] = nil
                defer { frame.slots[slot] = value }
                return try body(&value, element)
            }
        }
        let reference = GlobalReference(name, self)
        return { _, body in
            guard let b = reference.lookup(), !b.isLet, b.initialized, isCollection(b.value),
                  case .some(let element) = elements.of(b.type) else {
                return nil
            }
            var value = b.value
            b.value = .none
            defer { b.value = value }
            return try body(&value, element)
        }
    }
}

/// The element type T of an array annotation `[T]`, remembered for the last annotation seen (a global's
/// annotation is known only at run time).
final class ElementTypeCache {
    private unowned(unsafe) let interpreter: Interpreter
    private var cached: (type: String, element: String??)?

    init(_ interpreter: Interpreter) { self.interpreter = interpreter }

    /// .some(nil) for no annotation, .some(T) for `[T]`, .some("[K: V]") for a dictionary annotation, nil for
    /// any other annotation (optionals, objects).
    func of(_ type: String?) -> String?? {
        guard let type else { return .some(nil) }
        if let cached, cached.type == type { return cached.element }
        var element: String?? = nil
        if type.hasPrefix("["), type.hasSuffix("]") {
            let inner = String(type.dropFirst().dropLast())
            if !inner.isEmpty { element = .some(interpreter.topLevelColon(inner) == nil ? inner : type) }
        }
        cached = (type, element)
        return element
    }
}

extension Interpreter {
    /// `help(x.method)`: the method's documentation. A bare `x.method` whose parameters all have defaults is
    /// refused elsewhere (it is almost always a forgotten `()`), so help looks the method up itself.
    func compileHelpOfMethod(_ callee: Expr, _ args: [Argument], _ location: SourceLocation,
                             _ scope: StaticScope) -> Eval? {
        guard case .name("help", _) = callee, args.count == 1, args[0].label == nil,
              case .member(let baseExpr, let name, _) = args[0].value else { return nil }
        unowned(unsafe) let interp = self
        let helpValue = compile(callee, scope), base = compile(baseExpr, scope)
        let plain = compileCall(callee, args, location, scope, helpOfMethodChecked: true)
        return { f in
            if case .function(let h) = try helpValue(f), case .native(let command, nil) = h.body, command.name == "help",
               case .object(let o) = try base(f), let method = o.method(name), ((try? o.member(name)) ?? nil) == nil {
                interp.output.stream(.stdout, interp.helpText(for: .function(Function(.native(method, receiver: nil))))
                    + "\n")
                return .none
            }
            return try plain(f)
        }
    }

    /// The key and value types of a dictionary annotation `[K: V]`; nil for anything else.
    func dictionaryTypes(_ annotation: String) -> (key: String, value: String)? {
        guard annotation.hasPrefix("["), annotation.hasSuffix("]") else { return nil }
        let inner = String(annotation.dropFirst().dropLast())
        guard let colon = topLevelColon(inner) else { return nil }
        return (String(inner[..<colon]).trimmingCharacters(in: .whitespaces),
                String(inner[inner.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }
}
