import Foundation

/// One parameter of a registered command: `label` is what callers write (nil for an unlabelled first argument).
public struct CommandParameter {
    public var label: String?
    /// The type shown in the signature ("SpectrumImage", "Int", "ClosedRange<Double>").
    public var type: String
    /// The default, shown in the signature; a parameter with a default may be omitted.
    public var defaultText: String?
    public var doc: String

    public init(_ label: String?, _ type: String, default defaultText: String? = nil, doc: String = "") {
        self.label = label
        self.type = type
        self.defaultText = defaultText
        self.doc = doc
    }

    public var isOptional: Bool { defaultText != nil }
}

/// The arguments of one call, matched to the command's parameters by label.
public struct Arguments {
    /// Values by parameter position; nil where the caller omitted a defaulted parameter.
    public let values: [Value?]
    public let command: Command
    /// Where the call is, for errors.
    let location: SourceLocation?

    /// The value of parameter `index`, or nil when omitted.
    public subscript(index: Int) -> Value? { index < values.count ? values[index] : nil }

    private func missing(_ i: Int) -> ScriptError {
        ScriptError(kind: .type, message: "\(command.name) needs its argument "
            + "'\(command.parameters[i].label ?? "_")'", location: location)
    }
    /// The TypeError for parameter `i` given `got` where `expected` ("an Int") was needed.
    public func wrong(_ i: Int, _ expected: String, _ got: Value) -> ScriptError {
        let label = command.parameters[i].label.map { "'\($0):'" } ?? "the first argument"
        return ScriptError(kind: .type, message: "\(command.name): \(label) must be \(expected), "
            + "not \(got.typeName)", location: location)
    }

    public func int(_ i: Int, default d: Int? = nil) throws -> Int {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .int(let x) = v { return x }
        if case .double(let x) = v, x == x.rounded(), abs(x) < 9e15 { return Int(x) }
        throw wrong(i, "an Int", v)
    }
    public func double(_ i: Int, default d: Double? = nil) throws -> Double {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if let x = v.asDouble { return x }
        throw wrong(i, "a number", v)
    }
    public func bool(_ i: Int, default d: Bool? = nil) throws -> Bool {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .bool(let x) = v { return x }
        throw wrong(i, "a Bool", v)
    }
    public func string(_ i: Int, default d: String? = nil) throws -> String {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .string(let x) = v { return x }
        throw wrong(i, "a String", v)
    }
    public func value(_ i: Int) throws -> Value {
        guard let v = values[i] else { throw missing(i) }
        return v
    }
    public func doubles(_ i: Int, default d: [Double]? = nil) throws -> [Double] {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .array(let items) = v {
            return try items.map { guard let x = $0.asDouble else { throw wrong(i, "an array of numbers", v) }; return x }
        }
        if let x = v.asDouble { return [x] }
        throw wrong(i, "an array of numbers", v)
    }
    public func ints(_ i: Int, default d: [Int]? = nil) throws -> [Int] {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .array(let items) = v {
            return try items.map { guard case .int(let x) = $0 else { throw wrong(i, "an array of Int", v) }; return x }
        }
        if case .int(let x) = v { return [x] }
        throw wrong(i, "an array of Int", v)
    }
    /// A closed range of numbers (`520...580` or `520.0...580.0`).
    public func closedRange(_ i: Int, default d: ClosedRange<Double>? = nil) throws -> ClosedRange<Double> {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .object(let o) = v, let r = o as? DoubleRange { return r.range }
        if case .range(let a, let b) = v, b > a { return Double(a)...Double(b - 1) }
        throw wrong(i, "a range such as 520...580", v)
    }
    /// A native object of type `T`.
    public func object<T>(_ i: Int, as type: T.Type, named name: String) throws -> T {
        guard let v = values[i] else { throw missing(i) }
        if case .object(let o) = v, let t = o as? T { return t }
        throw wrong(i, "a \(name)", v)
    }
    /// An implicit member such as `.powerLaw`, checked against the allowed names.
    public func symbol(_ i: Int, allowed: [String], default d: String? = nil) throws -> String {
        guard let v = values[i] else { if let d { return d }; throw missing(i) }
        if case .symbol(let s) = v {
            guard allowed.contains(s) else {
                throw ScriptError(kind: .value, message: "\(command.name): unknown option .\(s); expected "
                    + allowed.map { "." + $0 }.joined(separator: ", "), location: location)
            }
            return s
        }
        if case .string(let s) = v, allowed.contains(s) { return s }
        throw wrong(i, "one of " + allowed.map { "." + $0 }.joined(separator: ", "), v)
    }
}

/// What a running command can reach: output, cancellation, calling script closures, progress displays.
public final class CallContext {
    public let output: ScriptOutput
    public let cancellation: Cancellation
    /// The interpreter running the call (settings, memory budget, widgets).
    public let interpreter: Interpreter
    /// Where the call is in the cell, when known.
    public let location: SourceLocation?

    init(interpreter: Interpreter, location: SourceLocation?) {
        self.interpreter = interpreter
        output = interpreter.output
        cancellation = interpreter.cancellation
        self.location = location
    }

    /// The seed set by `%seed` (0 when unset); commands use it when the user gives none.
    public var seed: UInt64 { interpreter.settings.seed }
    /// `%device` (cpu, cuda or auto).
    public var device: String { interpreter.settings.device }

    /// Calls a script function value with positional arguments (for `map`, `filter` and command callbacks).
    public func call(_ function: Value, _ arguments: [Value]) throws -> Value {
        try interpreter.callValue(function, arguments, at: location)
    }

    /// Throws `Interrupted` when the user interrupted the kernel.
    public func checkCancellation() throws {
        if cancellation.isCancelled { throw ScriptError(kind: .interrupted, message: "interrupted by the user") }
    }

    /// An error of the given kind at the call's location.
    public func error(_ kind: ErrorKind, _ message: String) -> ScriptError {
        ScriptError(kind: kind, message: message, location: location)
    }

    /// A display that updates in place (progress bars, live loss curves), throttled to `interval` seconds.
    public func progressDisplay(interval: Double = 0.25) -> ProgressDisplay {
        interpreter.displayCounter += 1
        return ProgressDisplay(output: output, id: "rapideels-\(ProcessInfo.processInfo.processIdentifier)-"
            + "\(interpreter.displayCounter)-\(UInt32.random(in: 0...UInt32.max))", interval: interval)
    }
}

/// A display_data output updated in place with update_display_data, at most every `interval` seconds.
public final class ProgressDisplay {
    let output: ScriptOutput
    public let id: String
    let interval: Double
    private var shown = false
    private var last = 0.0

    init(output: ScriptOutput, id: String, interval: Double) {
        self.output = output
        self.id = id
        self.interval = interval
    }

    /// Shows `bundle`; unless `force`, skips updates closer than `interval` to the previous one.
    public func update(_ bundle: DisplayBundle, force: Bool = false) {
        let now = Date().timeIntervalSince1970
        if shown && !force && now - last < interval { return }
        output.display(bundle, displayID: id, update: shown)
        shown = true
        last = now
    }
}

/// A registered command: registered once with its signature, doc and example; completion, inspection and
/// `help(name)` all read it.
///
///     registry.register(Command(name: "double", parameters: [CommandParameter(nil, "Int")], returns: "Int",
///                               doc: "Twice the number.", example: "double(21)   // 42") { args, _ in
///         .int(try args.int(0) * 2)
///     })
public struct Command {
    public var name: String
    public var parameters: [CommandParameter]
    public var returns: String
    public var doc: String
    public var example: String
    /// Whether extra unlabelled arguments are accepted (like `print(a, b, c)`).
    public var variadic: Bool
    public var implementation: (Arguments, CallContext) throws -> Value

    public init(name: String, parameters: [CommandParameter] = [], returns: String = "Void", doc: String,
                example: String = "", variadic: Bool = false,
                _ implementation: @escaping (Arguments, CallContext) throws -> Value) {
        self.name = name
        self.parameters = parameters
        self.returns = returns
        self.doc = doc
        self.example = example
        self.variadic = variadic
        self.implementation = implementation
    }

    /// `name(label: Type = default, _ x: Type) -> Returns`.
    public var signature: String {
        let params = parameters.map { p -> String in
            var s = (p.label.map { "\($0): " } ?? "_: ") + p.type
            if let d = p.defaultText { s += " = \(d)" }
            return s
        }
        return "\(name)(\(params.joined(separator: ", ")))\(returns == "Void" ? "" : " -> \(returns)")"
    }

    /// The help text: signature, doc, parameters and example.
    public var helpText: String {
        var lines = [signature, "", doc]
        let documented = parameters.filter { !$0.doc.isEmpty }
        if !documented.isEmpty {
            lines += ["", "Parameters:"] + documented.map { "  \($0.label ?? "_"): \($0.doc)" }
        }
        if !example.isEmpty { lines += ["", "Example:"] + example.split(separator: "\n").map { "  " + $0 } }
        return lines.joined(separator: "\n")
    }
}

/// All commands by name, in registration order.
public final class CommandRegistry {
    public private(set) var commands: [String: Command] = [:]
    public private(set) var order: [String] = []

    public init() {}

    /// Registers `command`; registering a name twice replaces it.
    public func register(_ command: Command) {
        if commands[command.name] == nil { order.append(command.name) }
        commands[command.name] = command
    }

    public subscript(name: String) -> Command? { commands[name] }
}

/// A closed range of Doubles (`520.0...580.0`), as a native object.
public final class DoubleRange: ScriptObject {
    public let range: ClosedRange<Double>
    public init(_ range: ClosedRange<Double>) { self.range = range }
    public var typeName: String { "ClosedRange<Double>" }
    public var summary: String { "\(formatDouble(range.lowerBound))...\(formatDouble(range.upperBound))" }
    public func member(_ name: String) throws -> Value? {
        switch name {
        case "lowerBound": return .double(range.lowerBound)
        case "upperBound": return .double(range.upperBound)
        default: return nil
        }
    }
    public var memberNames: [String] { ["lowerBound", "upperBound"] }
}
