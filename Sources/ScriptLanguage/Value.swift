import Foundation

/// A value of RapidEELS Script.
///
/// Plain values (numbers, strings, arrays, dictionaries, ranges) are Swift values with value semantics; native
/// RapidEELS objects (spectrum images, models, results) travel as `.object` through the `ScriptObject` bridge.
public enum Value {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case array([Value])
    /// Keys keep insertion order (so tables and loops are reproducible).
    case dictionary(OrderedDictionary)
    /// A half-open integer range lower..<upper (`a...b` is stored as a..<b+1).
    case range(Int, Int)
    case function(Function)
    /// An implicit member such as `.powerLaw`, resolved by the command that receives it.
    case symbol(String)
    case object(ScriptObject)
    /// The absence of a value (Swift's `()` and `nil`).
    case none

    /// The Swift-like type name shown in errors and `type(of:)`.
    public var typeName: String {
        switch self {
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .string: return "String"
        case .array(let items):
            guard let first = items.first else { return "[Any]" }
            let t = first.typeName
            return items.allSatisfy({ $0.typeName == t }) ? "[\(t)]" : "[Any]"
        case .dictionary(let d):
            guard let first = d.entries.first else { return "[String: Any]" }
            return "[\(first.key.typeName): \(first.value.typeName)]"
        case .range: return "Range<Int>"
        case .function: return "Function"
        case .symbol: return "Symbol"
        case .object(let o): return o.typeName
        case .none: return "Void"
        }
    }

    /// Numbers as Double (Int widens), nil otherwise.
    public var asDouble: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }
}

/// A dictionary with insertion order; keys are hashable script values (Int, Double, Bool, String).
public struct OrderedDictionary {
    public private(set) var entries: [(key: Value, value: Value)] = []
    private var index: [HashKey: Int] = [:]

    public init() {}

    public var count: Int { entries.count }

    public subscript(key: Value) -> Value? {
        get { HashKey(key).flatMap { index[$0] }.map { entries[$0].value } }
    }

    /// Sets `key` to `value`; a `.none` value removes the key (Swift's `d[k] = nil`).
    public mutating func set(_ key: Value, _ value: Value) throws {
        guard let h = HashKey(key) else {
            throw ScriptError(kind: .type, message: "dictionary keys must be Int, Double, Bool or String, not "
                + key.typeName)
        }
        if case .none = value {
            if let i = index.removeValue(forKey: h) {
                entries.remove(at: i)
                for (k, j) in index where j > i { index[k] = j - 1 }
            }
            return
        }
        if let i = index[h] { entries[i].value = value } else {
            guard entries.count < Interpreter.maxCollection else {
                throw ScriptError(kind: .memory, message: "a dictionary may hold at most "
                    + "\(Interpreter.maxCollection) entries; nothing was changed")
            }
            index[h] = entries.count
            entries.append((key, value))
        }
    }
}

/// The hashable form of a dictionary key.
enum HashKey: Hashable {
    case int(Int), double(Double), bool(Bool), string(String)
    init?(_ v: Value) {
        switch v {
        case .int(let x): self = .int(x)
        case .double(let x): self = x == x.rounded() && abs(x) < 1e15 ? .int(Int(x)) : .double(x)
        case .bool(let x): self = .bool(x)
        case .string(let x): self = .string(x)
        default: return nil
        }
    }
}

/// A callable: a user `func`/closure or a registered command (or a method bound to its receiver).
public final class Function {
    enum Body {
        /// A compiled `func` or closure and the frame it was created in.
        case user(CompiledFunction, Frame)
        case native(Command, receiver: Value?)
        /// An operator passed as a function: `reduce(0, +)`, `sorted(by: >)`.
        case binaryOperator(String)
    }
    let body: Body
    init(_ body: Body) { self.body = body }

    public var name: String {
        switch body {
        case .user(let code, _): return code.name
        case .native(let c, _): return c.name
        case .binaryOperator(let op): return "(\(op))"
        }
    }
}

// MARK: - Text

extension Value {
    /// How `print` and string interpolation show the value (Swift's `description`).
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return formatDouble(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return s
        case .array(let items):
            var text = "["
            for (k, item) in items.enumerated() {
                if k > 0 { text += ", " }
                text += item.debugText
            }
            return text + "]"
        case .dictionary(let d):
            if d.count == 0 { return "[:]" }
            return "[" + d.entries.map { "\($0.key.debugText): \($0.value.debugText)" }.joined(separator: ", ") + "]"
        case .range(let a, let b): return "\(a)..<\(b)"
        case .function(let f): return "func \(f.name)"
        case .symbol(let s): return "." + s
        case .object(let o): return o.summary
        case .none: return "nil"
        }
    }

    /// Like `description`, but strings are quoted (Swift's debugDescription inside collections).
    public var debugText: String {
        if case .string(let s) = self {
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
        }
        return description
    }
}

/// Doubles print as Swift does: shortest round-trip form, always with a decimal point.
func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return "\(v)"
}
