import Foundation

/// The operations the compiled code shares: operators, subscripts, sequences and command calls. Errors carry the
/// location of the node that failed.
extension Interpreter {
    static let maxCallDepth = 2_000
    /// The most elements an array may have: enough for any analysis a cell does on plain values (spectra and
    /// images are native objects), small enough that making and showing one stays well under a second.
    static let maxCollection = 1_000_000

    func checkInterrupt(_ location: SourceLocation) throws {
        if cancellation.isCancelled {
            throw ScriptError(kind: .interrupted, message: "interrupted by the user", location: location)
        }
    }

    /// The items of anything a `for` loop or `map` can walk.
    func elements(of v: Value, at location: SourceLocation) throws -> [Value] {
        switch v {
        case .array(let items): return items
        case .range(let a, let b):
            guard b - a <= Interpreter.maxCollection else {
                throw ScriptError(kind: .value, message: "the range \(a)..<\(b) has \(b - a) elements; at most "
                    + "\(Interpreter.maxCollection) can be made into an array", location: location)
            }
            return a < b ? (a..<b).map { .int($0) } : []
        case .string(let s):
            guard s.utf8.count <= Interpreter.maxCollection || s.count <= Interpreter.maxCollection else {
                throw ScriptError(kind: .value, message: "the string has \(s.count) characters; at most "
                    + "\(Interpreter.maxCollection) can be made into an array", location: location)
            }
            return s.map { .string(String($0)) }
        case .dictionary(let d): return d.entries.map { .array([$0.key, $0.value]) }
        case .object(let o):
            if let items = try o.member("elements"), case .array(let a) = items { return a }
            fallthrough
        default:
            throw ScriptError(kind: .type, message: "\(v.typeName) is not a sequence", location: location)
        }
    }

    func setSubscript(_ container: inout Value, _ keys: [Value], _ value: Value, at location: SourceLocation) throws {
        // `if case`, not `switch`: a switch keeps its own reference to the subject while it runs, so the array
        // would never be uniquely referenced and every write would copy it (O(n) per element).
        if case .array(var items) = container {
            guard keys.count == 1, case .int(let i) = keys[0] else {
                throw ScriptError(kind: .type, message: "an array index must be one Int", location: location)
            }
            guard i >= 0 && i < items.count else {
                throw ScriptError(kind: .index, message: "index \(i) is out of range for an array of "
                    + "\(items.count) elements", location: location)
            }
            container = .none   // release the old storage so the write does not copy
            items[i] = value
            container = .array(items)
            return
        }
        if case .dictionary(var d) = container {
            guard keys.count == 1 else {
                throw ScriptError(kind: .type, message: "a dictionary takes one key", location: location)
            }
            container = .none
            defer { container = .dictionary(d) }
            do { try d.set(keys[0], value) } catch var e as ScriptError { e.location = location; throw e }
            return
        }
        throw ScriptError(kind: .type, message: "cannot assign through a subscript of \(container.typeName)",
                          location: location)
    }

    func overflow(_ op: String, _ location: SourceLocation) -> ScriptError {
        ScriptError(kind: .overflow, message: "integer overflow in '\(op)'; use Double for larger numbers",
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
                    throw ScriptError(kind: .zeroDivision, message: "division by zero", location: location)
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
                    throw ScriptError(kind: .value, message: "range requires lowerBound <= upperBound, got "
                        + "\(x)..<\(y)", location: location)
                }
                return .range(x, y)
            case "...":
                guard x <= y else {
                    throw ScriptError(kind: .value, message: "range requires lowerBound <= upperBound, got "
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
                    throw ScriptError(kind: .value, message: "range requires lowerBound <= upperBound",
                                      location: location)
                }
                return .object(DoubleRange(x...y))
            default: break
            }
        case (.string(let x), .string(let y)):
            switch op {
            case "+":
                try memory.check(adding: x.utf8.count + y.utf8.count, for: "this string", at: location)
                return .string(x + y)
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
                    throw ScriptError(kind: .value, message: "array too large", location: location)
                }
                return .array(x + y)
            }
            if op == "==" || op == "!=" { return .bool((valuesEqual(a, b)) == (op == "==")) }
        default: break
        }
        if op == "==" || op == "!=" { return .bool(valuesEqual(a, b) == (op == "==")) }
        throw ScriptError(kind: .type, message: "binary operator '\(op)' cannot be applied to \(a.typeName) "
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
                throw ScriptError(kind: .type, message: "an array takes one index", location: location)
            }
            switch keys[0] {
            case .int(let i):
                guard i >= 0 && i < items.count else {
                    throw ScriptError(kind: .index, message: "index \(i) is out of range for an array of "
                        + "\(items.count) elements", location: location)
                }
                return items[i]
            case .range(let a, let b):
                guard a >= 0 && b <= items.count else {
                    throw ScriptError(kind: .index, message: "range \(a)..<\(b) is out of bounds for an array "
                        + "of \(items.count) elements", location: location)
                }
                return .array(Array(items[a..<b]))
            default:
                throw ScriptError(kind: .type, message: "an array index must be an Int or a range, not "
                    + keys[0].typeName, location: location)
            }
        case .dictionary(let d):
            guard keys.count == 1 else {
                throw ScriptError(kind: .type, message: "a dictionary takes one key", location: location)
            }
            return d[keys[0]] ?? .none
        case .string(let s):
            guard keys.count == 1, case .int(let i) = keys[0] else {
                throw ScriptError(kind: .type, message: "a string index must be one Int", location: location)
            }
            // Walks to the character instead of copying the string into an array on every access.
            guard i >= 0, let index = s.index(s.startIndex, offsetBy: i, limitedBy: s.endIndex), index < s.endIndex
            else {
                throw ScriptError(kind: .index, message: "index \(i) is out of range for a string of "
                    + "\(s.count) characters", location: location)
            }
            return .string(String(s[index]))
        case .object(let o):
            do { return try o.subscriptValue(keys) } catch var e as ScriptError {
                if e.location == nil { e.location = location }
                throw e
            }
        default:
            throw ScriptError(kind: .type, message: "\(container.typeName) cannot be subscripted",
                              location: location)
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
                    throw ScriptError(kind: .type, message: message, location: location)
                }
                guard values[p] == nil else {
                    throw ScriptError(kind: .type, message: "argument '\(label)' given twice", location: location)
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
                    throw ScriptError(kind: .type, message: "\(command.name): \(expected); signature: "
                        + command.signature, location: location)
                }
            }
        }
        for (i, p) in command.parameters.enumerated() where values[i] == nil && !p.isOptional {
            throw ScriptError(kind: .type, message: "\(command.name) is missing its argument "
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
            throw ScriptError(kind: .interrupted, message: "\(command.name) was interrupted by the user",
                              location: location)
        } catch {
            let paths = args.compactMap { if case .string(let s) = $0.1 { return s } else { return nil } }
            if let text = FileErrorText.describe(error, paths: paths) {
                throw ScriptError(kind: .file, message: "\(command.name): \(text)", location: location)
            }
            throw ScriptError(kind: Interpreter.kind(of: error), message: "\(command.name): \(error)",
                              location: location)
        }
    }

    /// How a native error appears in a cell: as it says (`CellReportableError`), a Foundation file error as a
    /// FileError, anything else as a ValueError.
    static func kind(of error: Error) -> ErrorKind {
        if let reportable = error as? CellReportableError { return reportable.cellErrorKind }
        return error is CocoaError ? .file : .value
    }
}
