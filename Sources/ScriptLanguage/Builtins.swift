import Foundation

/// Methods and properties of plain values (arrays, strings, dictionaries, ranges, numbers), and the
/// type-named constructors `String(...)`, `Int(...)`, `Double(...)`, `Array(...)`.
public enum Builtins {
    static let mutatingMethods: Set<String> = ["append", "removeLast", "removeFirst", "insert", "remove", "removeAll",
                                               "sort", "reverse"]

    static let arrayMembers = ["count", "isEmpty", "first", "last", "map", "filter", "reduce", "sorted", "enumerated",
                               "zipped", "sum", "mean", "min", "max", "contains", "append", "joined", "reversed",
                               "firstIndex", "removeLast", "insert", "remove", "indices", "std"]
    static let stringMembers = ["count", "isEmpty", "split", "uppercased", "lowercased", "contains", "hasPrefix",
                                "hasSuffix", "trimmed", "replacingOccurrences", "first", "last", "reversed"]
    static let dictionaryMembers = ["count", "isEmpty", "keys", "values", "contains"]
    static let rangeMembers = ["count", "isEmpty", "lowerBound", "upperBound", "map", "filter", "reduce", "sum",
                               "contains", "reversed"]
    static let numberMembers = ["description", "squareRoot", "rounded", "magnitude", "isNaN", "isFinite"]

    static func memberNames(of v: Value) -> [String] {
        switch v {
        case .array: return arrayMembers
        case .string: return stringMembers
        case .dictionary: return dictionaryMembers
        case .range: return rangeMembers
        case .int, .double: return numberMembers
        case .object(let o): return o.memberNames + o.methodNames
        default: return []
        }
    }

    /// Refuses a split that would make more parts than an array may hold (counted, as an upper bound, before
    /// anything is split).
    static func checkSplit(_ s: String, _ separator: String, at location: SourceLocation) throws {
        guard s.utf8.count > Interpreter.maxCollection else { return }
        let parts: Int
        if let first = separator.utf8.first {
            parts = s.utf8.reduce(1) { $0 + ($1 == first ? 1 : 0) }
        } else {
            parts = s.count
        }
        guard parts <= Interpreter.maxCollection else {
            throw ScriptError(kind: .value, message: "splitting this string could make \(parts) parts; an "
                + "array holds at most \(Interpreter.maxCollection)", location: location)
        }
    }

    static func noMember(_ v: Value, _ name: String, _ location: SourceLocation) -> ScriptError {
        var message = "value of type \(v.typeName) has no member '\(name)'"
        if let hint = didYouMean(name, memberNames(of: v)) { message += "; " + hint }
        return ScriptError(kind: .attribute, message: message, location: location)
    }

    /// The values as Doubles; a TypeError naming `what` for the first that is not a number.
    public static func numbers(_ items: [Value], _ what: String, _ location: SourceLocation) throws -> [Double] {
        try items.map {
            guard let d = $0.asDouble else {
                throw ScriptError(kind: .type, message: "\(what) needs numbers, found \($0.typeName)",
                                  location: location)
            }
            return d
        }
    }

    static func allInts(_ items: [Value]) -> Bool { items.allSatisfy { if case .int = $0 { return true }; return false } }

    static func compare(_ i: Interpreter, _ a: Value, _ b: Value, _ location: SourceLocation) throws -> Bool {
        guard case .bool(let r) = try i.binaryOperation("<", a, b, at: location) else { return false }
        return r
    }

    /// Properties (no call).
    static func property(_ i: Interpreter, _ v: Value, _ name: String, at location: SourceLocation) throws -> Value? {
        switch (v, name) {
        case (.array(let a), "count"): return .int(a.count)
        case (.array(let a), "isEmpty"): return .bool(a.isEmpty)
        case (.array(let a), "first"): return a.first ?? .none
        case (.array(let a), "last"): return a.last ?? .none
        case (.array(let a), "indices"): return .range(0, a.count)
        case (.string(let s), "count"): return .int(s.count)
        case (.string(let s), "isEmpty"): return .bool(s.isEmpty)
        case (.string(let s), "first"): return s.first.map { .string(String($0)) } ?? .none
        case (.string(let s), "last"): return s.last.map { .string(String($0)) } ?? .none
        case (.dictionary(let d), "count"): return .int(d.count)
        case (.dictionary(let d), "isEmpty"): return .bool(d.count == 0)
        case (.dictionary(let d), "keys"): return .array(d.entries.map { $0.key })
        case (.dictionary(let d), "values"): return .array(d.entries.map { $0.value })
        case (.range(let a, let b), "count"): return .int(b - a)
        case (.range(let a, let b), "isEmpty"): return .bool(b <= a)
        case (.range(let a, _), "lowerBound"): return .int(a)
        case (.range(_, let b), "upperBound"): return .int(b)
        case (.int(let x), "magnitude"): return .int(x.magnitude > UInt(Int.max) ? Int.max : Int(x.magnitude))
        case (.double(let x), "magnitude"): return .double(x.magnitude)
        case (.double(let x), "isNaN"): return .bool(x.isNaN)
        case (.double(let x), "isFinite"): return .bool(x.isFinite)
        case (_, "description"): return .string(v.description)
        default: return nil
        }
    }

    static func method(_ i: Interpreter, _ v: Value, _ name: String, _ args: [(String?, Value)],
                       at location: SourceLocation) throws -> Value {
        let positional = args.map { $0.1 }
        func arg(_ k: Int) throws -> Value {
            guard k < positional.count else {
                throw ScriptError(kind: .type, message: "'\(name)' needs \(k + 1) argument(s)", location: location)
            }
            return positional[k]
        }
        func string(_ k: Int) throws -> String {
            guard case .string(let s) = try arg(k) else {
                throw ScriptError(kind: .type, message: "'\(name)' needs a String argument", location: location)
            }
            return s
        }
        if positional.isEmpty, let p = try property(i, v, name, at: location), !["first", "last"].contains(name)
            || args.isEmpty {
            if case .function = p { } else if ["count", "isEmpty", "keys", "values"].contains(name) {
                throw ScriptError(kind: .type, message: "'\(name)' is a property: write '.\(name)' without "
                    + "parentheses", location: location)
            }
        }
        switch v {
        case .range:
            return try method(i, .array(try i.elements(of: v, at: location)), name, args, at: location)
        case .array(let items):
            switch name {
            case "map":
                guard !items.isEmpty else { return .array([]) }
                let transform = RepeatedCall(i, try arg(0), at: location)
                return .array(try items.map { try transform($0) })
            case "filter":
                guard !items.isEmpty else { return .array([]) }
                let include = RepeatedCall(i, try arg(0), at: location)
                return .array(try items.filter {
                    guard case .bool(let b) = try include($0) else {
                        throw ScriptError(kind: .type, message: "the filter closure must return a Bool",
                                          location: location)
                    }
                    return b
                })
            case "reduce":
                var acc = try arg(0)
                guard !items.isEmpty else { return acc }
                let combine = RepeatedCall(i, try arg(1), at: location)
                for x in items { acc = try combine(acc, x) }
                return acc
            case "sorted":
                if let by = positional.first {
                    let inOrder = RepeatedCall(i, by, at: location)
                    return .array(try items.sorted { a, b in
                        guard case .bool(let r) = try inOrder(a, b) else { return false }
                        return r
                    })
                }
                return .array(try items.sorted { try compare(i, $0, $1, location) })
            case "enumerated": return .array(items.enumerated().map { .array([.int($0.offset), $0.element]) })
            case "zipped":
                guard case .array(let other) = try arg(0) else {
                    throw ScriptError(kind: .type, message: "zipped(with:) needs an array", location: location)
                }
                return .array(zip(items, other).map { .array([$0, $1]) })
            case "sum":
                if allInts(items) {
                    var total = 0
                    for case .int(let x) in items {
                        let (r, o) = total.addingReportingOverflow(x)
                        if o { throw i.overflow("sum", location) }
                        total = r
                    }
                    return .int(total)
                }
                return .double(try numbers(items, "sum()", location).reduce(0, +))
            case "mean":
                guard !items.isEmpty else {
                    throw ScriptError(kind: .value, message: "mean() of an empty array", location: location)
                }
                return .double(try numbers(items, "mean()", location).reduce(0, +) / Double(items.count))
            case "std":
                let xs = try numbers(items, "std()", location)
                guard xs.count > 1 else { return .double(0) }
                let m = xs.reduce(0, +) / Double(xs.count)
                return .double((xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot())
            case "min", "max":
                guard var best = items.first else { return .none }
                for x in items.dropFirst() {
                    let less = try compare(i, x, best, location)
                    if (name == "min") == less { best = x }
                }
                return best
            case "contains":
                if case .function = try arg(0) {
                    return .bool(try items.contains {
                        if case .bool(true) = try i.callValue(positional[0], [$0], at: location) { return true }
                        return false
                    })
                }
                return .bool(items.contains { i.valuesEqual($0, positional[0]) })
            case "firstIndex":
                let target = try arg(0)
                return items.firstIndex { i.valuesEqual($0, target) }.map { Value.int($0) } ?? Value.none
            case "joined":
                let separator = positional.isEmpty ? "" : try string(0)
                let size = items.reduce(0) { $0 + $1.textSize() } + separator.utf8.count * max(0, items.count - 1)
                try i.memory.check(adding: size, for: "the joined string", at: location)
                return .string(items.map { $0.description }.joined(separator: separator))
            case "reversed": return .array(items.reversed())
            default: break
            }
        case .string(let s):
            switch name {
            case "split":
                let sep = positional.isEmpty ? " " : try string(0)
                try checkSplit(s, sep, at: location)
                let parts = sep.isEmpty ? s.map { String($0) }
                    : s.components(separatedBy: sep).filter { sep != " " || !$0.isEmpty }
                return .array(parts.map { .string($0) })
            case "uppercased": return .string(s.uppercased())
            case "lowercased": return .string(s.lowercased())
            case "contains": return .bool(s.contains(try string(0)))
            case "hasPrefix": return .bool(s.hasPrefix(try string(0)))
            case "hasSuffix": return .bool(s.hasSuffix(try string(0)))
            case "trimmed": return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
            case "replacingOccurrences":
                let (target, replacement) = (try string(0), try string(1))
                let growth = max(0, replacement.utf8.count - target.utf8.count)
                try i.memory.check(adding: s.utf8.count + s.utf8.count / max(1, target.utf8.count) * growth,
                                   for: "the replaced string", at: location)
                return .string(s.replacingOccurrences(of: target, with: replacement))
            case "reversed": return .string(String(s.reversed()))
            default: break
            }
        case .dictionary(let d):
            if name == "contains" { return .bool(d[try arg(0)] != nil) }
        case .int(let x):
            if name == "squareRoot" { return .double(Double(x).squareRoot()) }
        case .double(let x):
            if name == "squareRoot" { return .double(x.squareRoot()) }
            if name == "rounded" { return .double(x.rounded()) }
        default: break
        }
        if positional.isEmpty, let p = try property(i, v, name, at: location) { return p }
        throw noMember(v, name, location)
    }

    static func mutatingMethod(_ i: Interpreter, _ v: inout Value, _ name: String, _ args: [(String?, Value)],
                               at location: SourceLocation) throws -> Value {
        guard case .array(var items) = v else {
            throw noMember(v, name, location)
        }
        v = .none
        defer { v = .array(items) }
        switch name {
        case "append":
            guard let x = args.first?.1 else {
                throw ScriptError(kind: .type, message: "append needs a value", location: location)
            }
            if args.first?.0 == "contentsOf", case .array(let more) = x { items += more } else { items.append(x) }
            guard items.count <= Interpreter.maxCollection else {
                throw ScriptError(kind: .value, message: "array too large", location: location)
            }
            return .none
        case "removeLast", "removeFirst":
            guard !items.isEmpty else {
                throw ScriptError(kind: .index, message: "\(name) on an empty array", location: location)
            }
            return name == "removeLast" ? items.removeLast() : items.removeFirst()
        case "removeAll": items.removeAll(); return .none
        case "insert":
            guard args.count == 2, case .int(let at) = args[1].1, at >= 0, at <= items.count else {
                throw ScriptError(kind: .index, message: "insert(_:at:) needs an index in 0...\(items.count)",
                                  location: location)
            }
            items.insert(args[0].1, at: at)
            return .none
        case "remove":
            guard args.count == 1, case .int(let at) = args[0].1, at >= 0, at < items.count else {
                throw ScriptError(kind: .index, message: "remove(at:) needs an index in 0..<\(items.count)",
                                  location: location)
            }
            return items.remove(at: at)
        case "sort":
            items = try items.sorted { try compare(i, $0, $1, location) }
            return .none
        case "reverse": items.reverse(); return .none
        default: throw noMember(.array(items), name, location)
        }
    }

    /// `String(x)`, `String(format:...)`, `Int(x)`, `Double(x)`, `Array(x)`; nil when `name` is no constructor.
    static func constructor(_ i: Interpreter, _ name: String, _ args: [(String?, Value)],
                            at location: SourceLocation) throws -> Value? {
        switch name {
        case "String":
            if args.first?.0 == "format" {
                guard case .string(let format) = args[0].1 else {
                    throw ScriptError(kind: .type, message: "String(format:) needs a format string",
                                      location: location)
                }
                return .string(try Formatting.format(format, args.dropFirst().map { $0.1 }, budget: i.memory,
                                                     at: location))
            }
            guard args.count == 1 else {
                throw ScriptError(kind: .type, message: "String(_:) takes one value", location: location)
            }
            try i.memory.check(adding: args[0].1.textSize(), for: "the string", at: location)
            return .string(args[0].1.description)
        case "Int":
            guard args.count == 1 else {
                throw ScriptError(kind: .type, message: "Int(_:) takes one value", location: location)
            }
            switch args[0].1 {
            case .int: return args[0].1
            case .double(let d):
                guard d.isFinite, abs(d) < 9.2e18 else {
                    throw ScriptError(kind: .value, message: "\(d) cannot be converted to Int", location: location)
                }
                return .int(Int(d))
            case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces)).map { Value.int($0) } ?? Value.none
            case .bool(let b): return .int(b ? 1 : 0)
            default: break
            }
        case "Double", "Float":
            guard args.count == 1 else {
                throw ScriptError(kind: .type, message: "Double(_:) takes one value", location: location)
            }
            switch args[0].1 {
            case .int(let x): return .double(Double(x))
            case .double: return args[0].1
            case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map { Value.double($0) } ?? Value.none
            default: break
            }
        case "Array":
            guard args.count == 1 else {
                throw ScriptError(kind: .type, message: "Array(_:) takes one sequence", location: location)
            }
            return .array(try i.elements(of: args[0].1, at: location))
        default: return nil
        }
        throw ScriptError(kind: .type, message: "cannot convert \(args[0].1.typeName) to \(name)",
                          location: location)
    }
}

/// `String(format:)` for numbers and strings: %d %i %f %e %g %s %x %% with flags, width and precision.
enum Formatting {
    /// The largest width or precision a specifier may ask for: formatting is one native call that cannot be
    /// interrupted, so "%.999999999f" (5.9 GB, half a minute) is refused before it starts.
    static let maxFieldSize = 100_000

    static func format(_ format: String, _ values: [Value], budget: MemoryBudget? = nil,
                       at location: SourceLocation) throws -> String {
        var out = ""
        var index = 0
        let chars = Array(format)
        var k = 0
        while k < chars.count {
            let c = chars[k]
            guard c == "%" else { out.append(c); k += 1; continue }
            var spec = "%"
            k += 1
            while k < chars.count, "-+ #0123456789.".contains(chars[k]) { spec.append(chars[k]); k += 1 }
            let fields = spec.split(whereSeparator: { !$0.isNumber }).map { Int($0) ?? Int.max }
            if let largest = fields.max(), largest > maxFieldSize {
                throw ScriptError(kind: .value, message: "the width or precision in '\(spec)' is too large "
                    + "(at most \(maxFieldSize))", location: location)
            }
            try budget?.check(adding: out.utf8.count + (fields.max() ?? 0) + 64, for: "the formatted string",
                              at: location)
            while k < chars.count, "lhqLzjt".contains(chars[k]) { k += 1 }
            guard k < chars.count else {
                throw ScriptError(kind: .value, message: "incomplete format specifier at the end of \"\(format)\"",
                                  location: location)
            }
            let conversion = chars[k]
            k += 1
            if conversion == "%" { out.append("%"); continue }
            guard index < values.count else {
                throw ScriptError(kind: .value, message: "the format \"\(format)\" needs more arguments than "
                    + "the \(values.count) given", location: location)
            }
            let v = values[index]
            index += 1
            switch conversion {
            case "d", "i", "x", "X", "o":
                guard case .int(let x) = v else {
                    throw ScriptError(kind: .type, message: "%\(conversion) needs an Int, not \(v.typeName)",
                                      location: location)
                }
                out += String(format: spec + "ll" + String(conversion), x)
            case "f", "F", "e", "E", "g", "G":
                guard let x = v.asDouble else {
                    throw ScriptError(kind: .type, message: "%\(conversion) needs a number, not \(v.typeName)",
                                      location: location)
                }
                out += String(format: spec + String(conversion), x)
            case "s", "@":
                let text = v.description
                let width = Int(spec.dropFirst().filter { $0.isNumber }.prefix { _ in true }) ?? 0
                let pad = String(repeating: " ", count: max(0, width - text.count))
                out += spec.contains("-") ? text + pad : pad + text
            default:
                throw ScriptError(kind: .value, message: "unsupported format specifier '%\(conversion)'",
                                  location: location)
            }
        }
        return out
    }
}
