/// The run-time storage of one function call or block: its local variables by slot (nil: declared without a value
/// yet), and the frame it was created in. Closures capture frames by reference, as Swift captures variables.
///
/// Slots live in raw storage rather than a Swift array so that reads and writes need neither copy-on-write checks
/// nor dynamic exclusivity checks (the evaluator touches them on every name).
final class Frame {
    let parent: Frame?
    let slots: UnsafeMutablePointer<Value?>
    let count: Int

    init(size: Int, parent: Frame?) {
        self.parent = parent
        count = size
        slots = .allocate(capacity: max(size, 1))
        slots.initialize(repeating: nil, count: size)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// The frame `depth` levels out (0: this one).
    @inline(__always) func ancestor(_ depth: Int) -> Frame {
        var frame = self
        for _ in 0..<depth { frame = frame.parent.unsafelyUnwrapped }
        return frame
    }
}

/// The compile-time shape of a run-time frame: how many slots it needs.
final class FrameLayout {
    let parent: FrameLayout?
    private(set) var size = 0
    init(parent: FrameLayout?) { self.parent = parent }
    func newSlot() -> Int { size += 1; return size - 1 }
}

/// A local variable as the resolver sees it.
struct LocalVariable {
    let name: String
    let slot: Int
    let isLet: Bool
    let type: String?
}

/// A lexical scope during compilation. Names are visible from their declaration on (and `func`s from the start of
/// their block), which is what the tree walker's run-time scopes gave. The cell's top level is the global scope:
/// its names live in `Interpreter.globals`, looked up by name, so later cells can redeclare them.
final class StaticScope {
    let parent: StaticScope?
    /// The frame this scope's slots live in.
    let layout: FrameLayout
    let isGlobal: Bool
    private(set) var variables: [LocalVariable] = []

    init(parent: StaticScope?, layout: FrameLayout, isGlobal: Bool = false) {
        self.parent = parent
        self.layout = layout
        self.isGlobal = isGlobal
    }

    func declares(_ name: String) -> Bool { variables.contains { $0.name == name } }

    func declare(_ name: String, isLet: Bool, type: String?) -> LocalVariable {
        let v = LocalVariable(name: name, slot: layout.newSlot(), isLet: isLet, type: type)
        variables.append(v)
        return v
    }

    /// Where `name` lives: a local (frames out, slot) or nil for the globals.
    func resolve(_ name: String) -> (depth: Int, variable: LocalVariable)? {
        var scope: StaticScope? = self
        var depth = 0
        var layout = self.layout
        while let s = scope {
            if s.layout !== layout { depth += 1; layout = s.layout }
            if !s.isGlobal, let v = s.variables.last(where: { $0.name == name }) { return (depth, v) }
            scope = s.parent
        }
        return nil
    }

    /// Local names visible here, innermost first (for "did you mean" hints).
    var visibleNames: [String] {
        var names: [String] = []
        var scope: StaticScope? = self
        while let s = scope { names += s.variables.map { $0.name }; scope = s.parent }
        return names
    }
}

/// Polls the cancellation flag every 512 ticks. Every loop iteration and call ticks the one counter of its
/// interpreter, so nested short loops are interrupted as promptly as one long loop (a tick costs an increment; the
/// flag's lock is taken a few thousand times a second at most).
final class InterruptPoll {
    /// The running cell's flag (set by `Interpreter.execute` on the thread that runs cells).
    var cancellation: Cancellation
    private var ticks = 0

    init(_ cancellation: Cancellation) { self.cancellation = cancellation }

    @inline(__always) func tick(_ location: SourceLocation) throws {
        ticks &+= 1
        if ticks & 511 == 0, cancellation.isCancelled {
            throw ScriptError(kind: .interrupted, message: "interrupted by the user", location: location)
        }
    }
}

/// A counter shared between the interpreter and its compiled code (read without touching the interpreter).
final class Generation {
    var value = 0
}

/// A global name's binding, cached after the first lookup. Bindings in `Interpreter.globals` are only replaced
/// together with a bump of the interpreter's `globalsGeneration`, which invalidates every cache.
///
/// The hot path reads the cached binding through `Unmanaged` at +0: no reference counting per access.
final class GlobalReference {
    let name: String
    private unowned(unsafe) let interpreter: Interpreter
    private let current: Generation
    private var generation = -1
    /// Keeps the cached binding alive; `cached` is the same object.
    private var strong: Binding?
    private var cached: Unmanaged<Binding>

    init(_ name: String, _ interpreter: Interpreter) {
        self.name = name
        self.interpreter = interpreter
        current = interpreter.globalsGeneration
        cached = Unmanaged.passUnretained(GlobalReference.placeholder)
    }

    private static let placeholder = Binding(value: .none, isLet: true, type: nil)

    /// Runs `body` on the global's binding; nil when there is no such global.
    @inline(__always) func withBinding<R>(_ body: (Binding) throws -> R) rethrows -> R? {
        guard generation == current.value || refresh() else { return nil }
        return try cached._withUnsafeGuaranteedRef(body)
    }

    private func refresh() -> Bool {
        guard let found = interpreter.globals.bindings[name] else { return false }
        strong = found
        cached = Unmanaged.passUnretained(found)
        generation = current.value
        return true
    }

    /// The binding, or nil when there is no such global.
    func lookup() -> Binding? { withBinding { $0 } }
}
