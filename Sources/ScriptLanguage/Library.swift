import Foundation

/// The built-in commands for plain values: output, maths, help, and svg/html markup to display.
enum Library {
    static func install(into interpreter: Interpreter) {
        let r = interpreter.registry
        r.register(Command(name: "print", parameters: [.string("separator", default: " "),
                                                         .string("terminator", default: "\n")],
                           doc: "Writes the values to the cell's standard output, separated by spaces.",
                           example: "print(\"mean:\", 3.5)", variadic: true) { args, ctx in
            let separator = try args.string("separator"), terminator = try args.string("terminator")
            let size = args.variadicValues.reduce(0) { $0 + $1.textSize() }
            try ctx.interpreter.memory.check(adding: size, for: "the printed text")
            let text = args.variadicValues.map { $0.description }.joined(separator: separator)
            ctx.output.stream(.stdout, text + terminator)
            return .none
        })
        r.register(Command(name: "printError", doc: "Writes the values to the cell's standard error.",
                           example: "printError(\"warning: few counts\")", variadic: true) { args, ctx in
            let size = args.variadicValues.reduce(0) { $0 + $1.textSize() }
            try ctx.interpreter.memory.check(adding: size, for: "the printed text")
            ctx.output.stream(.stderr, args.variadicValues.map { $0.description }.joined(separator: " ") + "\n")
            return .none
        })
        r.register(Command(name: "display", parameters: [.value("_ value", "Any")],
                           doc: "Shows a value as a rich output (a figure, a table) without ending the cell.",
                           example: "display(plot(si.mean()))") { args, ctx in
            try ctx.interpreter.memory.check(adding: try args.value("value").textSize(), for: "the displayed text")
            ctx.output.display(try args.value("value").displayBundle, displayID: nil, update: false)
            return .none
        })
        r.register(Command(name: "clearOutput", parameters: [.bool("wait", default: false)],
                           doc: "Clears the cell's output (with wait: true, when the next output arrives).",
                           example: "clearOutput(wait: true)") { args, ctx in
            ctx.output.clearOutput(wait: try args.bool("wait"))
            return .none
        })
        r.register(Command(name: "readLine", parameters: [.string("prompt", default: ""),
                                                            .bool("password", default: false)],
                           returns: "String?", doc: "Asks the user for one line of text (nil when the frontend "
                            + "does not allow input).", example: "let name = readLine(prompt: \"sample? \")") { args, ctx in
            ctx.output.readLine(prompt: try args.string("prompt"), password: try args.bool("password"))
                .map { .string($0) } ?? .none
        })
        let unary: [(String, String, (Double) -> Double)] = [
            ("sqrt", "The square root.", { $0.squareRoot() }), ("exp", "e raised to the power x.", { Foundation.exp($0) }),
            ("log", "The natural logarithm.", { Foundation.log($0) }), ("log10", "The base-10 logarithm.", { Foundation.log10($0) }),
            ("sin", "The sine (radians).", { Foundation.sin($0) }), ("cos", "The cosine (radians).", { Foundation.cos($0) }),
        ]
        for (name, doc, f) in unary {
            r.register(Command(name: name, parameters: [.double("_ x")], returns: "Double",
                               doc: doc, example: "\(name)(2.0)") { args, _ in .double(f(try args.double("x"))) }
            )
        }
        let rounding: [(String, String, FloatingPointRoundingRule)] = [
            ("round", "The nearest whole number (halves away from zero), as a Double.", .toNearestOrAwayFromZero),
            ("floor", "The largest whole number not above x, as a Double.", .down),
            ("ceil", "The smallest whole number not below x, as a Double.", .up),
        ]
        for (name, doc, rule) in rounding {
            r.register(Command(name: name, parameters: [.double("_ x")], returns: "Double",
                               doc: doc, example: "\(name)(2.5)") { args, _ in
                if case .int(let x) = try args.value("x") { return .int(x) }
                return .double(try args.double("x").rounded(rule))
            })
        }
        r.register(Command(name: "abs", parameters: [.double("_ x", type: "Number")], returns: "Number",
                           doc: "The absolute value.", example: "abs(-3)   // 3") { args, ctx in
            if case .int(let x) = try args.value("x") {
                guard x != Int.min else { throw ctx.error(.overflow, "abs(Int.min) overflows") }
                return .int(Swift.abs(x))
            }
            return .double(Swift.abs(try args.double("x")))
        })
        r.register(Command(name: "pow", parameters: [.double("_ x"), .double("_ y")],
                           returns: "Double", doc: "x raised to the power y.", example: "pow(2, 10)   // 1024.0") { args, _ in
            .double(Foundation.pow(try args.double("x"), try args.double("y")))
        })
        for name in ["min", "max"] {
            r.register(Command(name: name, returns: "Number", doc: "The \(name == "min" ? "smallest" : "largest") "
                                + "of the arguments, or of one array.", example: "\(name)(3, 7, 5)",
                               variadic: true) { args, ctx in
                var items = args.variadicValues
                if items.count == 1, case .array(let a) = items[0] { items = a }
                guard var best = items.first else { throw ctx.error(.value, "\(name) needs at least one value") }
                for x in items.dropFirst() {
                    guard case .bool(let less) = try ctx.interpreter.binaryOperation("<", x, best,
                        at: ctx.location ?? SourceLocation(line: 1, column: 1)) else { continue }
                    if less == (name == "min") { best = x }
                }
                return best
            })
        }
        r.register(Command(name: "zip", parameters: [.value("_ a", "[Any]"), .value("_ b", "[Any]")],
                           returns: "[[Any]]", doc: "Pairs the elements of two sequences (as two-element arrays).",
                           example: "for (e, y) in zip(energies, counts) { print(e, y) }") { args, ctx in
            let at = ctx.location ?? SourceLocation(line: 1, column: 1)
            let a = try ctx.interpreter.elements(of: try args.value("a"), at: at)
            let b = try ctx.interpreter.elements(of: try args.value("b"), at: at)
            return .array(zip(a, b).map { .array([$0, $1]) })
        })
        r.register(Command(name: "stride", parameters: [.double("from"), .double("to"), .double("by")], returns: "[Double]",
                           doc: "Values from `from` up to (not including) `to` in steps of `by`.",
                           example: "stride(from: 520, to: 580, by: 10)") { args, ctx in
            let from = try args.value("from"), to = try args.value("to"), by = try args.value("by")
            if case .int(let a) = from, case .int(let b) = to, case .int(let s) = by {
                guard s != 0 else { throw ctx.error(.value, "stride step must not be zero") }
                guard Swift.abs((b - a) / s) <= Interpreter.maxCollection else { throw ctx.error(.value, "stride too long") }
                return .array(Swift.stride(from: a, to: b, by: s).map { .int($0) })
            }
            let a = try args.double("from"), b = try args.double("to"), s = try args.double("by")
            guard s != 0, s.isFinite else { throw ctx.error(.value, "stride step must be a finite non-zero number") }
            guard Swift.abs((b - a) / s) <= Double(Interpreter.maxCollection) else { throw ctx.error(.value, "stride too long") }
            return .array(Swift.stride(from: a, to: b, by: s).map { .double($0) })
        })
        r.register(Command(name: "type", parameters: [.value("of", "Any")], returns: "String",
                           doc: "The type name of a value.", example: "type(of: 3.5)   // \"Double\"") { args, _ in
            .string(try args.value("of").typeName)
        })
        r.register(Command(name: "help", parameters: [.value("_ value", "Any", dynamic: "nil")],
                           doc: "Prints the signature, documentation and example of a command, or describes a value.",
                           example: "help(denoise)") { args, ctx in
            ctx.output.stream(.stdout, ctx.interpreter.helpText(for: try args.given("value")) + "\n")
            return .none
        })
        DisplayCommands.install(in: interpreter)   // svg(_:), html(_:)
    }
}

extension Interpreter {
    /// The help text for a value: a command's doc, or a value's type, summary and members.
    func helpText(for value: Value?) -> String {
        guard let value else { return Interpreter.helpOverview(registry) }
        if case .function(let f) = value {
            switch f.body {
            case .native(let c, _): return c.helpText
            case .binaryOperator(let op): return Interpreter.operatorCommand(op).helpText
            case .user(let code, _):
                let decl = code.decl
                let params = decl.parameters.map { ($0.label ?? "_") + ": " + ($0.type ?? "Any") }
                return "func \(code.name)(\(params.joined(separator: ", "))) — defined in this notebook"
            }
        }
        var lines = ["\(value.typeName): \(value.description.prefix(300))"]
        let members = Builtins.memberNames(of: value)
        if !members.isEmpty { lines.append("members: " + members.joined(separator: ", ")) }
        if case .object(let o) = value {
            for name in o.methodNames {
                guard let m = o.method(name) else { continue }
                lines.append("  ." + m.signature)
                if !m.doc.isEmpty { lines.append("      " + m.doc) }
                for p in m.parameters where !p.doc.isEmpty { lines.append("      \(p.label ?? "_"): \(p.doc)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
