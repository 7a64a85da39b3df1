import Foundation

/// Settings that magics change and commands read.
public struct ScriptSettings {
    public var seed: UInt64 = 0
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    public var device: String = "auto"
}

/// Hooks the host module installs so magics reach native code (`%device`; `%seed` and `%threads` only change
/// `settings`, which commands read).
public struct ScriptHooks {
    /// Returns the line to print (e.g. "device: cpu (no CUDA driver)").
    public var device: ((String) throws -> String)?
    public init() {}
}

/// The RapidEELS Script interpreter. Variables survive between cells and after errors and interrupts.
///
///     let interpreter = Interpreter(output: sink)
///     if case .success(let bundle) = interpreter.execute("let x = 21\nx * 2") { print(bundle?["text/plain"]) }
public final class Interpreter {
    public let output: ScriptOutput
    /// The running cell's stop flag: the one given to `execute`, a fresh one per cell (never reset).
    public var cancellation: Cancellation { interruptPoll.cancellation }
    /// Jupyter widget models opened by this interpreter's commands (`navigate`); the kernel routes comms here.
    public private(set) lazy var widgets = WidgetManager(output: output)
    /// Every command; register more with `registry.register(...)`.
    public let registry = CommandRegistry()
    public var settings = ScriptSettings()
    public var hooks = ScriptHooks()
    /// The memory budget that large values are checked against (`%memory`, RAPIDEELS_MEMORY_LIMIT_MB).
    public var memory = MemoryBudget.fromEnvironment()
    /// Object type names that annotations may use (filled by modules that register native types).
    public var knownObjectTypes: Set<String> = ["ClosedRange<Double>"]

    var globals = Environment(parent: nil)
    /// Bumped whenever a global's binding is replaced (redeclared, `%reset`), invalidating cached lookups.
    let globalsGeneration = Generation()
    /// Ticked by every loop iteration and call; polls the running cell's `cancellation` (compiled code keeps
    /// this one object, so functions defined in an earlier cell poll the current cell's flag).
    let interruptPoll = InterruptPoll(Cancellation())
    var lastValue: Value?
    var cellDeclared: Set<String> = []
    var callDepth = 0
    var displayCounter = 0
    /// Module names that `import` accepts (all already loaded); a command set adds its own.
    public var importableModules: [String] = ["Foundation", "Swift"]
    /// Commands whose string argument is a file path: completion offers paths inside their quotes.
    public var pathArgumentCommands: Set<String> = []
    /// Installed extensions (e.g. the RapidEELS commands), re-run by `%reset`.
    private var installers: [(Interpreter) -> Void] = []

    /// An interpreter with the language's builtins only (print, maths, collections, help, display); a host adds
    /// a command set with `install(_:)`, e.g. the RapidEELS bridge's `Interpreter.rapidEELS(output:)`.
    public init(output: ScriptOutput) {
        self.output = output
        Library.install(into: self)
    }

    /// Runs `install` now and again after `%reset`.
    public func install(_ install: @escaping (Interpreter) -> Void) {
        installers.append(install)
        install(self)
    }

    let builtinValueNames: Set<String> = ["pi", "infinity", "nan"]

    func builtinValue(_ name: String) -> Value? {
        switch name {
        case "pi": return .double(Double.pi)
        case "infinity": return .double(Double.infinity)
        case "nan": return .double(Double.nan)
        default:
            guard name.hasPrefix("operator ") else { return nil }
            return .function(Function(.binaryOperator(String(name.dropFirst(9)))))
        }
    }

    /// An operator as a command (for help, and for calls that are not plain two-argument calls).
    static func operatorCommand(_ op: String) -> Command {
        Command(name: "(\(op))", parameters: [.value("_ lhs", "Any"), .value("_ rhs", "Any")],
                returns: "Any", doc: "The operator \(op) as a function.") { args, ctx in
            try ctx.interpreter.binaryOperation(op, try args.value("lhs"), try args.value("rhs"),
                                                at: ctx.location ?? SourceLocation(line: 1, column: 1))
        }
    }

    /// Global variable names and their values, in name order.
    public var variables: [(name: String, value: Value)] {
        globals.bindings.filter { $0.value.initialized }.sorted { $0.key < $1.key }.map { ($0.key, $0.value.value) }
    }

    /// Defines or replaces a global variable (for hosts and tests).
    public func setVariable(_ name: String, _ value: Value) {
        if globals.bindings[name] != nil { globalsGeneration.value += 1 }
        globals.bindings[name] = Binding(value: value, isLet: false, type: nil)
    }

    func memberValue(_ base: Value, _ name: String, at location: SourceLocation) throws -> Value {
        if case .object(let o) = base {
            do {
                if let v = try o.member(name) { return v }
            } catch var e as ScriptError {
                if e.location == nil { e.location = location }
                throw e
            } catch {
                throw ScriptError(kind: Interpreter.kind(of: error), message: "\(error)", location: location)
            }
            if let m = o.method(name) {
                if m.parameters.allSatisfy({ $0.isOptional }) {
                    throw ScriptError(kind: .type, message: "'\(name)' is a method of \(o.typeName): call it "
                        + "as .\(name)()", location: location)
                }
                return .function(Function(.native(m, receiver: base)))
            }
            var message = "\(o.typeName) has no member '\(name)'"
            if let hint = didYouMean(name, o.memberNames + o.methodNames) { message += "; " + hint }
            throw ScriptError(kind: .attribute, message: message, location: location)
        }
        if let v = try Builtins.property(self, base, name, at: location) { return v }
        throw Builtins.noMember(base, name, location)
    }

    // MARK: - Executing cells

    /// The stack a cell needs (512 MiB: deep recursion in cells must not overflow). A host that runs cells on a
    /// thread with this stack (the kernel's executor, `rapideels-kernel run`) runs them in place; on any other
    /// thread each call runs on a thread of its own with this stack.
    public static let requiredStackSize = 512 << 20

    /// Runs a cell: parsed whole first (a syntax error runs nothing), then executed. The last expression
    /// statement's value is the result unless a trailing `;` suppresses it. The cell stops with an Interrupted
    /// error once `cancellation` is requested (pass the host's flag; the default is a fresh one).
    public func execute(_ code: String, cancellation: Cancellation = Cancellation()) -> ExecutionResult {
        interruptPoll.cancellation = cancellation
        var result: ExecutionResult = .success(nil)
        onLargeStack { result = self.executeNow(code) }
        return result
    }

    /// Evaluates one expression for user_expressions; returns its display bundle.
    public func evaluate(expression: String, cancellation: Cancellation = Cancellation()) -> ExecutionResult {
        interruptPoll.cancellation = cancellation
        var result: ExecutionResult = .success(nil)
        onLargeStack {
            do {
                var lexer = Lexer(expression)
                var parser = Parser(tokens: try lexer.tokenize(), modules: self.importableModules)
                let program = try parser.program()
                guard program.statements.count == 1, case .expression(let e) = program.statements[0] else {
                    throw ScriptError(kind: .syntax, message: "expected one expression")
                }
                result = .success(try self.evaluateTopLevel(e).displayBundle)
            } catch var e as ScriptError {
                e.render(source: expression)
                result = .failure(e)
            } catch {
                result = .failure(ScriptError(kind: .runtime, message: "\(error)"))
            }
        }
        return result
    }

    /// Runs `body` here when this thread's stack is `requiredStackSize`, else on a thread with that stack.
    private func onLargeStack(_ body: @escaping () -> Void) {
        if currentThreadStackSize() >= Self.requiredStackSize {
            body()
            return
        }
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = Self.requiredStackSize
        thread.start()
        done.wait()
    }

    private enum Piece {
        case code(Program)
        case magic(String, SourceLocation, Program?)
    }

    private func executeNow(_ code: String) -> ExecutionResult {
        lastValue = nil
        cellDeclared = []
        callDepth = 0
        do {
            let pieces = try parsePieces(code)
            var suppress = false
            for piece in pieces {
                switch piece {
                case .code(let program):
                    try run(program.statements)
                    suppress = program.suppressResult
                case .magic(let line, let location, let program):
                    try runMagic(line, program, at: location)
                    suppress = true
                }
            }
            if !suppress, let v = lastValue {
                if case .none = v { return .success(nil) }
                try memory.check(adding: v.textSize(), for: "the cell's result as text")
                return .success(v.displayBundle)
            }
            return .success(nil)
        } catch var error as ScriptError {
            error.render(source: code)
            return .failure(error)
        } catch {
            var e = ScriptError(kind: Interpreter.kind(of: error), message: "\(error)")
            e.render(source: code)
            return .failure(e)
        }
    }

    /// Splits a cell into code and magic lines (`%name ...` alone on a line), parsing all code first.
    private func parsePieces(_ code: String) throws -> [Piece] {
        var pieces: [Piece] = []
        var chunk: [String] = []
        var chunkStart = 1
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func flush(_ nextLine: Int) throws {
            if chunk.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                var lexer = Lexer(chunk.joined(separator: "\n"), lineOffset: chunkStart - 1)
                var parser = Parser(tokens: try lexer.tokenize(), modules: importableModules)
                pieces.append(.code(try parser.program()))
            }
            chunk = []
            chunkStart = nextLine
        }
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("%") && !isInsideOpenBracket(chunk) {
                try flush(index + 2)
                let column = line.count - line.drop(while: { $0 == " " || $0 == "\t" }).count + 1
                let location = SourceLocation(line: index + 1, column: column)
                var program: Program?
                if trimmed.hasPrefix("%time ") {
                    let statement = String(trimmed.dropFirst(6))
                    var lexer = Lexer(statement, lineOffset: index, columnOffset: column + 5)
                    var parser = Parser(tokens: try lexer.tokenize(), modules: importableModules)
                    program = try parser.program()
                }
                pieces.append(.magic(trimmed, location, program))
            } else {
                chunk.append(line)
            }
        }
        try flush(lines.count + 1)
        return pieces
    }

    private func isInsideOpenBracket(_ lines: [String]) -> Bool {
        guard !lines.isEmpty else { return false }
        if case .incomplete = isComplete(lines.joined(separator: "\n")) { return true }
        return false
    }

    private func runMagic(_ line: String, _ program: Program?, at location: SourceLocation) throws {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let name = parts[0]
        let argument = parts.count > 1 ? parts[1] : nil
        switch name {
        case "%time":
            guard let program else {
                throw ScriptError(kind: .syntax, message: "%time needs a statement: %time train(...)",
                                  location: location)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            try run(program.statements)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            output.stream(.stdout, "Wall time: \(Interpreter.formatSeconds(seconds))\n")
            if let v = lastValue, !program.suppressResult {
                if case .none = v {} else { output.display(v.displayBundle, displayID: nil, update: false) }
            }
            lastValue = nil
        case "%who":
            let vars = variables
            if vars.isEmpty { output.stream(.stdout, "no variables defined\n"); return }
            let width = vars.map { $0.name.count }.max() ?? 0
            let text = vars.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + $0.value.typeName }.joined(separator: "\n")
            output.stream(.stdout, text + "\n")
        case "%reset":
            globals = Environment(parent: nil)
            globalsGeneration.value += 1
            let saved = installers
            installers = []
            for install in saved { self.install(install) }
            output.stream(.stdout, "all variables removed\n")
        case "%seed":
            guard let argument, let seed = UInt64(argument) else {
                throw ScriptError(kind: .value, message: "%seed needs a non-negative integer: %seed 42",
                                  location: location)
            }
            settings.seed = seed
            output.stream(.stdout, "seed: \(seed)\n")
        case "%threads":
            guard let argument, let n = Int(argument), n >= 1, n <= 256 else {
                throw ScriptError(kind: .value, message: "%threads needs a number of threads from 1 to 256",
                                  location: location)
            }
            settings.threads = n
            output.stream(.stdout, "threads: \(n)\n")
        case "%device":
            guard let argument, ["cpu", "cuda", "auto"].contains(argument) else {
                throw ScriptError(kind: .value, message: "%device needs cpu, cuda or auto", location: location)
            }
            let line = try hooks.device?(argument) ?? "device: \(argument)"
            settings.device = argument
            output.stream(.stdout, line + "\n")
        case "%memory":
            if let argument {
                guard let mb = Int(argument), mb >= 16 else {
                    throw ScriptError(kind: .value, message: "%memory needs a budget in MB, at least 16: "
                        + "%memory 4096", location: location)
                }
                memory.limitBytes = mb << 20
            }
            output.stream(.stdout, "memory budget: \(memory.limitBytes >> 20) MB (in use: "
                + "\(MemoryBudget.residentBytes() >> 20) MB)\n")
        case "%help":
            output.stream(.stdout, Interpreter.helpOverview(registry) + "\n")
        default:
            var message = "unknown magic '\(name)'"
            let known = ["%time", "%who", "%reset", "%seed", "%threads", "%device", "%memory", "%help"]
            if let hint = didYouMean(name, known) { message += "; " + hint } else {
                message += "; the magics are " + known.joined(separator: ", ")
            }
            throw ScriptError(kind: .syntax, message: message, location: location)
        }
    }

    static func formatSeconds(_ s: Double) -> String {
        s < 1e-3 ? String(format: "%.1f µs", s * 1e6) : s < 1 ? String(format: "%.2f ms", s * 1e3)
            : String(format: "%.3f s", s)
    }

    static func helpOverview(_ registry: CommandRegistry) -> String {
        var lines = ["RapidEELS Script: Swift syntax, interpreted. Type help(name) for any command.",
                     "Magics: %time <statement>, %who, %reset, %seed N, %threads N, %device cpu|cuda|auto, "
                         + "%memory [MB], %help",
                     "", "Commands:"]
        for name in registry.order {
            if let c = registry[name] { lines.append("  " + c.signature) }
        }
        return lines.joined(separator: "\n")
    }
}
