import ScriptLanguage

/// A second command set for the language core, installed without RapidEELS: `counter(start:step:)` makes a
/// `Counter` object (members `value` and `step`, method `tick()`, an HTML display), `greet(_:times:)` returns text.
///
///     let interpreter = Interpreter(output: capture)
///     interpreter.install(CounterCommands.install)
///     interpreter.execute("counter(start: 5).tick()")   // 6
enum CounterCommands {
    static func install(_ interpreter: Interpreter) {
        interpreter.knownObjectTypes.insert("Counter")
        interpreter.importableModules.append("Counters")
        let r = interpreter.registry
        r.register(Command(
            name: "counter",
            parameters: [.int("start", default: 0, doc: "the first value"),
                         .int("step", default: 1, doc: "what tick() adds; not zero")],
            returns: "Counter", doc: "A counter that counts from start in steps of step.",
            example: "let c = counter(start: 5, step: 2)"
        ) { args, ctx in
            let step = try args.int("step")
            guard step != 0 else { throw ctx.error(.value, "counter: step must not be zero") }
            return .object(Counter(value: try args.int("start"), step: step))
        })
        r.register(Command(
            name: "greet",
            parameters: [.string("_ name", doc: "who to greet"),
                         .int("times", default: 1, doc: "how often, 1 to 3")],
            returns: "String", doc: "A greeting, repeated.", example: "greet(\"Ada\", times: 2)"
        ) { args, ctx in
            let times = try args.int("times")
            guard (1...3).contains(times) else { throw ctx.error(.value, "greet: times must be 1, 2 or 3, not \(times)") }
            return .string(Array(repeating: "Hello, \(try args.string("name"))!", count: times).joined(separator: " "))
        })
    }
}

/// The test double's native object: a mutable count with a step.
final class Counter: ScriptObject {
    private(set) var value: Int
    let step: Int

    init(value: Int, step: Int) {
        self.value = value
        self.step = step
    }

    var typeName: String { "Counter" }
    var summary: String { "Counter(\(value), step \(step))" }
    var memberNames: [String] { ["value", "step"] }

    func member(_ name: String) throws -> Value? {
        switch name {
        case "value": return .int(value)
        case "step": return .int(step)
        default: return nil
        }
    }

    var methodNames: [String] { ["tick"] }

    func method(_ name: String) -> Command? {
        guard name == "tick" else { return nil }
        return Command(name: "tick", returns: "Int", doc: "Adds the step and returns the new value.",
                       example: "c.tick()") { _, _ in
            self.value += self.step
            return .int(self.value)
        }
    }

    func displayBundle() -> DisplayBundle {
        ["text/plain": summary, "text/html": "<b>Counter</b> at \(value)"]
    }
}
