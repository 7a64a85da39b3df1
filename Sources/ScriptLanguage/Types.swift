/// Checking optional type annotations (`let n: Int = 3.5` is a TypeError; `let x: Double = 3` widens).
extension Interpreter {
    func conform(_ value: Value, to type: String, at location: SourceLocation) throws -> Value {
        switch (value, type) {   // the common case first: the value already has the annotated type
        case (.int, "Int"), (.double, "Double"), (.string, "String"), (.bool, "Bool"): return value
        default: break
        }
        func fail() -> ScriptError {
            ScriptError(kind: .type, message: "cannot use a value of type \(value.typeName) as \(type)",
                        location: location)
        }
        var t = type
        if t.hasSuffix("?") {
            if case .none = value { return value }
            t.removeLast()
        }
        switch t {
        case "Any": return value
        case "Int": if case .int = value { return value }; throw fail()
        case "Double", "Float":
            if case .double = value { return value }
            if case .int(let x) = value { return .double(Double(x)) }
            throw fail()
        case "String": if case .string = value { return value }; throw fail()
        case "Bool": if case .bool = value { return value }; throw fail()
        default: break
        }
        if t.hasPrefix("["), t.hasSuffix("]") {
            let inner = String(t.dropFirst().dropLast())
            if let colon = topLevelColon(inner) {
                guard case .dictionary(let d) = value else { throw fail() }
                let keyType = String(inner[..<colon]).trimmingCharacters(in: .whitespaces)
                let valueType = String(inner[inner.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                var out = OrderedDictionary()
                for e in d.entries {
                    try out.set(try conform(e.key, to: keyType, at: location), try conform(e.value, to: valueType,
                                                                                           at: location))
                }
                return .dictionary(out)
            }
            guard case .array(let items) = value else { throw fail() }
            return .array(try items.map { try conform($0, to: inner, at: location) })
        }
        if t.hasPrefix("(") || t == "Function" { if case .function = value { return value }; throw fail() }
        if t.hasPrefix("Range") || t.hasPrefix("ClosedRange") {
            if case .range = value { return value }
            if case .object(let o) = value, o is DoubleRange { return value }
            throw fail()
        }
        if case .object(let o) = value {
            if o.typeName == t { return value }
            throw fail()
        }
        if knownObjectTypes.contains(t) { throw fail() }
        throw ScriptError(kind: .type, message: "unknown type '\(t)'", location: location)
    }

    /// The arguments of mutating array method `name` with the values it inserts conformed to `element` (the
    /// element type of a typed `var`): `append(x)`, `append(contentsOf: xs)`, `insert(x, at:)`.
    func conformInserted(_ arguments: [(String?, Value)], of name: String, to element: String,
                         at location: SourceLocation) throws -> [(String?, Value)] {
        guard name == "append" || name == "insert", let first = arguments.first else { return arguments }
        var out = arguments
        if name == "append", first.0 == "contentsOf", case .array(let items) = first.1 {
            out[0].1 = .array(try items.map { try conform($0, to: element, at: location) })
        } else {
            out[0].1 = try conform(first.1, to: element, at: location)
        }
        return out
    }

    func topLevelColon(_ s: String) -> String.Index? {
        var depth = 0
        for i in s.indices {
            switch s[i] {
            case "[": depth += 1
            case "]": depth -= 1
            case ":" where depth == 0: return i
            default: break
            }
        }
        return nil
    }
}
