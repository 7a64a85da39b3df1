/// Calls one function value many times with positional arguments (`map`, `filter`, `reduce`, `sorted(by:)`...).
///
/// A closure with plain parameters (or `$0`, `$1`) binds its arguments straight into a frame, and when its body
/// creates no closures that frame cannot outlive the call, so it is reused for the next element. Everything else
/// (typed or defaulted parameters, commands, operators) goes through `callValue`.
final class RepeatedCall {
    private let interpreter: Interpreter
    private let function: Value
    private let location: SourceLocation
    private let code: CompiledFunction?
    private let captured: Frame?
    private var spare: Frame?

    init(_ interpreter: Interpreter, _ function: Value, at location: SourceLocation) {
        self.interpreter = interpreter
        self.function = function
        self.location = location
        if case .function(let f) = function, case .user(let code, let captured) = f.body {
            self.code = code
            self.captured = captured
        } else {
            code = nil
            captured = nil
        }
    }

    func callAsFunction(_ a: Value) throws -> Value {
        if let code, let captured, let frame = frame(code, captured, arguments: 1) {
            if code.decl.usesDollar > 0 || !code.decl.parameters.isEmpty { frame.slots[0] = a }
            return try run(code, frame)
        }
        return try interpreter.callValue(function, [a], at: location)
    }

    func callAsFunction(_ a: Value, _ b: Value) throws -> Value {
        if let code, let captured, let frame = frame(code, captured, arguments: 2) {
            let bound = code.decl.usesDollar > 0 ? code.decl.usesDollar : code.decl.parameters.count
            if bound > 0 { frame.slots[0] = a }
            if bound > 1 { frame.slots[1] = b }
            return try run(code, frame)
        }
        return try interpreter.callValue(function, [a, b], at: location)
    }

    /// A frame with the arguments' slots ready, or nil when the call needs the general path.
    private func frame(_ code: CompiledFunction, _ captured: Frame, arguments: Int) -> Frame? {
        let decl = code.decl
        if decl.usesDollar > 0 {
            guard decl.usesDollar <= arguments else { return nil }
        } else if !decl.parameters.isEmpty {
            guard decl.parameters.count == arguments,
                  decl.parameters.allSatisfy({ $0.type == nil && $0.defaultValue == nil }) else { return nil }
        }
        if code.createsNoClosures, isKnownUniquelyReferenced(&spare), let frame = spare { return frame }
        let frame = Frame(size: code.frameSize, parent: captured)
        if code.createsNoClosures { spare = frame }
        return frame
    }

    private func run(_ code: CompiledFunction, _ frame: Frame) throws -> Value {
        let interp = interpreter
        try interp.interruptPoll.tick(location)
        guard interp.callDepth < Interpreter.maxCallDepth else {
            throw ScriptError(kind: .recursion, message: "maximum call depth (\(Interpreter.maxCallDepth)) "
                + "exceeded in '\(code.name)'", location: location)
        }
        interp.callDepth += 1
        defer { interp.callDepth -= 1 }
        do {
            if case .returned(let v) = try code.body(frame) { return v }
            return .none
        } catch var error as ScriptError {
            interp.addCallFrame(&error, code, location)
            throw error
        }
    }
}
