import Foundation

/// What a command parameter accepts; each kind has its reader on `Arguments` (`int`, `double`, `symbol`, ...).
public enum ParameterKind: Equatable {
    case int, double, bool, string
    /// An array of numbers (a single number is accepted as a one-element array).
    case doubles
    /// An array of Int (a single Int is accepted).
    case ints
    /// A closed range of numbers (`520...580`).
    case range
    /// An implicit member such as `.powerLaw`, one of the allowed names.
    case symbol(allowed: [String])
    /// A native object of one Swift type.
    case object(ObjectIdentifier)
    /// Any value; the command checks it itself (`args.value(name)`, `args.given(name)`).
    case value
}

/// One parameter of a registered command, declared once with its type and default; the signature, help,
/// completion and the reading of arguments (`args.int("epochs")`) all come from it.
///
///     .int("epochs", default: 500)                    // epochs: Int = 500
///     .int("seed", dynamic: "%seed")                  // seed: Int = %seed; read with args.int("seed", dynamic: ...)
///     .object("_ si", SpectrumImageObject.self, "SpectrumImage")   // unlabelled, read as args.object("si", ...)
///     .symbol("noise", type: "Noise", allowed: ["poisson", "none"], default: "poisson")
///
/// A name written `"_ si"` declares an unlabelled parameter (callers write no label) read by the name `si`.
public struct CommandParameter {
    /// What callers write (nil for an unlabelled argument).
    public var label: String?
    /// The name the command reads the argument by (the label, or the name after `_ `).
    public var name: String
    /// The type shown in the signature ("SpectrumImage", "Int", "ClosedRange<Double>").
    public var type: String
    public var kind: ParameterKind
    /// The declared default, applied when the caller omits the argument.
    public var defaultValue: Value?
    /// A default the command computes (the kernel's seed, one derived from another argument): the text says what
    /// it is, and the command supplies the value with `args.int(name, dynamic: ...)` (or reads `args.has(name)`).
    public var dynamicDefault: String?
    public var doc: String

    public init(_ name: String, kind: ParameterKind, type: String, default value: Value? = nil,
                dynamic: String? = nil, doc: String = "") {
        assert(value == nil || dynamic == nil, "parameter '\(name)': a default is either a value or dynamic")
        if name.hasPrefix("_ ") {
            label = nil
            self.name = String(name.dropFirst(2))
        } else {
            label = name
            self.name = name
        }
        self.kind = kind
        self.type = type
        defaultValue = value
        dynamicDefault = dynamic
        self.doc = doc
    }

    /// The default as the signature shows it (`500`, `"t-SNE"`, `.linear`, `[1, 1]`, `%seed`), nil when required.
    public var defaultText: String? { dynamicDefault ?? defaultValue.map(CommandParameter.literal) }

    public var isOptional: Bool { defaultValue != nil || dynamicDefault != nil }

    /// A value written as a literal of the cell language: whole Doubles without `.0` (`330`, `0.25`).
    static func literal(_ value: Value) -> String {
        func number(_ x: Double) -> String {
            x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : formatDouble(x)
        }
        switch value {
        case .double(let x): return number(x)
        case .array(let items): return "[" + items.map(literal).joined(separator: ", ") + "]"
        case .object(let r as DoubleRange): return number(r.range.lowerBound) + "..." + number(r.range.upperBound)
        default: return value.debugText
        }
    }

    public static func int(_ name: String, default value: Int? = nil, dynamic: String? = nil, type: String = "Int",
                           doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .int, type: type, default: value.map { .int($0) }, dynamic: dynamic, doc: doc)
    }
    public static func double(_ name: String, default value: Double? = nil, dynamic: String? = nil,
                              type: String = "Double", doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .double, type: type, default: value.map { .double($0) }, dynamic: dynamic,
                         doc: doc)
    }
    public static func bool(_ name: String, default value: Bool? = nil, doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .bool, type: "Bool", default: value.map { .bool($0) }, doc: doc)
    }
    public static func string(_ name: String, default value: String? = nil, dynamic: String? = nil,
                              doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .string, type: "String", default: value.map { .string($0) }, dynamic: dynamic,
                         doc: doc)
    }
    public static func doubles(_ name: String, default value: [Double]? = nil, dynamic: String? = nil,
                               doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .doubles, type: "[Double]", default: value.map { .array($0.map { .double($0) }) },
                         dynamic: dynamic, doc: doc)
    }
    public static func ints(_ name: String, default value: [Int]? = nil, dynamic: String? = nil,
                            doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .ints, type: "[Int]", default: value.map { .array($0.map { .int($0) }) },
                         dynamic: dynamic, doc: doc)
    }
    public static func range(_ name: String, default value: ClosedRange<Double>? = nil, dynamic: String? = nil,
                             type: String = "ClosedRange<Double>", doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .range, type: type, default: value.map { .object(DoubleRange($0)) },
                         dynamic: dynamic, doc: doc)
    }
    /// An implicit member (`.powerLaw`) among `allowed`; `type` names the set in the signature ("Background").
    public static func symbol(_ name: String, type: String, allowed: [String], default value: String? = nil,
                              doc: String = "") -> CommandParameter {
        assert(value.map(allowed.contains) ?? true, "parameter '\(name)': default .\(value ?? "") not allowed")
        return CommandParameter(name, kind: .symbol(allowed: allowed), type: type, default: value.map { .symbol($0) },
                                doc: doc)
    }
    /// A seed: the caller's, else the kernel's `%seed` (read with `args.seed(ctx)`).
    public static func seed(_ name: String = "seed", doc: String = "") -> CommandParameter {
        .int(name, dynamic: "%seed", doc: doc)
    }
    /// A native object of Swift type `T`, shown as `type` ("SpectrumImage").
    public static func object<T>(_ name: String, _ swiftType: T.Type, _ type: String, dynamic: String? = nil,
                                 doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .object(ObjectIdentifier(swiftType)), type: type, dynamic: dynamic, doc: doc)
    }
    /// Any value, checked by the command; `type` is what the signature shows ("Spectrum or SpectrumImage").
    public static func value(_ name: String, _ type: String, default value: Value? = nil, dynamic: String? = nil,
                             doc: String = "") -> CommandParameter {
        CommandParameter(name, kind: .value, type: type, default: value, dynamic: dynamic, doc: doc)
    }
}

/// The arguments of one call, matched to the command's parameters by label and read by parameter name:
/// `try args.int("epochs")` gives the caller's value or the declared default.
///
/// Reading a name the command does not declare, with a reader of another kind than the declared one, or without
/// supplying a declared dynamic default, throws an internal error naming the command and the argument (so a typo
/// fails the first test that runs the line, never silently uses a default).
public struct Arguments {
    /// Values by parameter position (then any variadic extras); nil where the caller omitted the argument.
    public let values: [Value?]
    public let command: Command
    /// Where the call is, for errors.
    let location: SourceLocation?

    /// Extra unlabelled arguments of a variadic command (`print(a, b, c)`), after the declared parameters.
    public var variadicValues: [Value] { values.dropFirst(command.parameters.count).compactMap { $0 } }

    private func internalError(_ message: String) -> ScriptError {
        ScriptError(kind: .runtime, message: "internal error: \(command.name) " + message, location: location)
    }

    /// The position of parameter `name`, checked against the declaration and the reader's kind.
    private func index(_ name: String, reader: String, accepts: (ParameterKind) -> Bool = { _ in true })
        throws -> Int {
        guard let i = command.parameters.firstIndex(where: { $0.name == name }) else {
            throw internalError("reads an argument '\(name)' that it does not declare (it declares "
                + command.parameters.map { "'\($0.name)'" }.joined(separator: ", ") + ")")
        }
        guard accepts(command.parameters[i].kind) else {
            throw internalError("reads '\(name)' with \(reader)() but declares it \(command.parameters[i].type)")
        }
        return i
    }

    private func missing(_ i: Int) -> ScriptError {
        ScriptError(kind: .type, message: "\(command.name) needs its argument "
            + "'\(command.parameters[i].label ?? "_")'", location: location)
    }

    /// The given value, else the declared default, else the dynamic default the command supplies.
    private func read<T>(_ name: String, reader: String, accepts: (ParameterKind) -> Bool, supplies: Bool,
                         dynamic: () throws -> T, _ convert: (Value, Int) throws -> T) throws -> T {
        let i = try index(name, reader: reader, accepts: accepts)
        let p = command.parameters[i]
        if supplies && p.dynamicDefault == nil {
            throw internalError("supplies a dynamic default for '\(name)', which declares "
                + (p.defaultText.map { "the default \($0)" } ?? "no default"))
        }
        if let v = values[i] { return try convert(v, i) }
        if let d = p.defaultValue { return try convert(d, i) }
        if let text = p.dynamicDefault {
            guard supplies else { throw internalError("reads '\(name)' without supplying its default (\(text))") }
            return try dynamic()
        }
        throw missing(i)
    }

    private func noDynamic<T>() throws -> T { throw internalError("read a dynamic default it did not supply") }

    /// The error for an argument of the wrong type: "train: 'epochs:' must be an Int, not String".
    public func wrong(_ name: String, _ expected: String, _ got: Value) -> ScriptError {
        guard let i = command.parameters.firstIndex(where: { $0.name == name }) else {
            return internalError("reports a wrong type for an argument '\(name)' that it does not declare")
        }
        return wrong(i, expected, got)
    }
    /// The TypeError for parameter `i` given `got` where `expected` ("an Int") was needed.
    func wrong(_ i: Int, _ expected: String, _ got: Value) -> ScriptError {
        let label = command.parameters[i].label.map { "'\($0):'" } ?? "the first argument"
        return ScriptError(kind: .type, message: "\(command.name): \(label) must be \(expected), "
            + "not \(got.typeName)", location: location)
    }

    /// The caller's value of `name`, or nil when omitted (the default is not applied).
    public func given(_ name: String) throws -> Value? { values[try index(name, reader: "given")] }
    /// Whether the caller gave `name`.
    public func has(_ name: String) throws -> Bool { try given(name) != nil }

    /// Any value: the caller's or the declared default.
    public func value(_ name: String) throws -> Value {
        try read(name, reader: "value", accepts: { _ in true }, supplies: false, dynamic: noDynamic) { v, _ in v }
    }

    private func convertInt(_ v: Value, _ i: Int) throws -> Int {
        if case .int(let x) = v { return x }
        if case .double(let x) = v, x == x.rounded(), abs(x) < 9e15 { return Int(x) }
        throw wrong(i, "an Int", v)
    }
    public func int(_ name: String) throws -> Int {
        try read(name, reader: "int", accepts: { $0 == .int }, supplies: false, dynamic: noDynamic, convertInt)
    }
    /// For a parameter declared with a dynamic default: the caller's value, else `dynamic`.
    public func int(_ name: String, dynamic: @autoclosure () throws -> Int) throws -> Int {
        try read(name, reader: "int", accepts: { $0 == .int }, supplies: true, dynamic: dynamic, convertInt)
    }
    /// A seed declared with `.seed()`: the caller's value (negative counts as 0), else the kernel's `%seed`.
    public func seed(_ ctx: CallContext, _ name: String = "seed") throws -> UInt64 {
        UInt64(max(0, try int(name, dynamic: Int(ctx.seed))))
    }

    private func convertDouble(_ v: Value, _ i: Int) throws -> Double {
        if let x = v.asDouble { return x }
        throw wrong(i, "a number", v)
    }
    public func double(_ name: String) throws -> Double {
        try read(name, reader: "double", accepts: { $0 == .double }, supplies: false, dynamic: noDynamic,
                 convertDouble)
    }
    public func double(_ name: String, dynamic: @autoclosure () throws -> Double) throws -> Double {
        try read(name, reader: "double", accepts: { $0 == .double }, supplies: true, dynamic: dynamic, convertDouble)
    }

    public func bool(_ name: String) throws -> Bool {
        try read(name, reader: "bool", accepts: { $0 == .bool }, supplies: false, dynamic: noDynamic) { v, i in
            if case .bool(let x) = v { return x }
            throw wrong(i, "a Bool", v)
        }
    }

    private func convertString(_ v: Value, _ i: Int) throws -> String {
        if case .string(let x) = v { return x }
        throw wrong(i, "a String", v)
    }
    public func string(_ name: String) throws -> String {
        try read(name, reader: "string", accepts: { $0 == .string }, supplies: false, dynamic: noDynamic,
                 convertString)
    }
    public func string(_ name: String, dynamic: @autoclosure () throws -> String) throws -> String {
        try read(name, reader: "string", accepts: { $0 == .string }, supplies: true, dynamic: dynamic, convertString)
    }

    private func convertDoubles(_ v: Value, _ i: Int) throws -> [Double] {
        if case .array(let items) = v {
            return try items.map { guard let x = $0.asDouble else { throw wrong(i, "an array of numbers", v) }; return x }
        }
        if let x = v.asDouble { return [x] }
        throw wrong(i, "an array of numbers", v)
    }
    public func doubles(_ name: String) throws -> [Double] {
        try read(name, reader: "doubles", accepts: { $0 == .doubles }, supplies: false, dynamic: noDynamic,
                 convertDoubles)
    }

    private func convertInts(_ v: Value, _ i: Int) throws -> [Int] {
        if case .array(let items) = v {
            return try items.map { guard case .int(let x) = $0 else { throw wrong(i, "an array of Int", v) }; return x }
        }
        if case .int(let x) = v { return [x] }
        throw wrong(i, "an array of Int", v)
    }
    public func ints(_ name: String) throws -> [Int] {
        try read(name, reader: "ints", accepts: { $0 == .ints }, supplies: false, dynamic: noDynamic, convertInts)
    }
    public func ints(_ name: String, dynamic: @autoclosure () throws -> [Int]) throws -> [Int] {
        try read(name, reader: "ints", accepts: { $0 == .ints }, supplies: true, dynamic: dynamic, convertInts)
    }

    private func convertRange(_ v: Value, _ i: Int) throws -> ClosedRange<Double> {
        if case .object(let o) = v, let r = o as? DoubleRange { return r.range }
        if case .range(let a, let b) = v, b > a { return Double(a)...Double(b - 1) }
        throw wrong(i, "a range such as 520...580", v)
    }
    /// A closed range of numbers (`520...580` or `520.0...580.0`).
    public func range(_ name: String) throws -> ClosedRange<Double> {
        try read(name, reader: "range", accepts: { $0 == .range }, supplies: false, dynamic: noDynamic, convertRange)
    }
    public func range(_ name: String, dynamic: @autoclosure () throws -> ClosedRange<Double>) throws
        -> ClosedRange<Double> {
        try read(name, reader: "range", accepts: { $0 == .range }, supplies: true, dynamic: dynamic, convertRange)
    }

    /// A native object of type `T` (declared with `.object(name, T.self, ...)`).
    public func object<T>(_ name: String, as type: T.Type = T.self) throws -> T {
        try read(name, reader: "object", accepts: { $0 == .object(ObjectIdentifier(type)) }, supplies: false,
                 dynamic: noDynamic) { v, i in
            if case .object(let o) = v, let t = o as? T { return t }
            throw wrong(i, "a \(command.parameters[i].type)", v)
        }
    }

    /// An implicit member such as `.powerLaw`, checked against the declared allowed names.
    public func symbol(_ name: String) throws -> String {
        var allowed: [String] = []
        return try read(name, reader: "symbol", accepts: {
            if case .symbol(let a) = $0 { allowed = a; return true } else { return false }
        }, supplies: false, dynamic: noDynamic) { v, i in
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
///     registry.register(Command(name: "double", parameters: [.int("_ n")], returns: "Int",
///                               doc: "Twice the number.", example: "double(21)   // 42") { args, _ in
///         .int(try args.int("n") * 2)
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

