import Foundation

// The contract between the cell language and its hosts (the Jupyter kernel, `rapideels-kernel run`, tests).
// The Script helper fills in the implementation; the kernel codes against these declarations only.

/// The two process streams a cell can write to.
public enum StreamName: String, Sendable {
    case stdout, stderr
}

/// Where a running cell's output goes. The kernel implements it (iopub messages); tests capture it.
/// Methods are called on the thread that runs the cell.
public protocol ScriptOutput: AnyObject {
    /// Text written by `print` (stdout) or `printError`/warnings (stderr).
    func stream(_ name: StreamName, _ text: String)
    /// `display(x)`: display_data when `update` is false, update_display_data (same `displayID`) when true.
    func display(_ bundle: DisplayBundle, displayID: String?, update: Bool)
    /// `clearOutput()`.
    func clearOutput(wait: Bool)
    /// `readLine(prompt:)`: asks the user for a line; nil when the frontend does not allow stdin.
    func readLine(prompt: String, password: Bool) -> String?
    /// Opens a comm to the front end (Jupyter widgets); `data` and `metadata` are UTF-8 JSON objects. Returns
    /// false where the host has no comms (then widgets fall back to static output).
    func openComm(id: String, target: String, data: Data, metadata: Data) -> Bool
    /// Sends a comm_msg (UTF-8 JSON object) on a comm opened with `openComm`.
    func sendComm(id: String, data: Data)
}

extension ScriptOutput {
    /// Hosts without comms (scripts, tests) open none.
    public func openComm(id: String, target: String, data: Data, metadata: Data) -> Bool { false }
    public func sendComm(id: String, data: Data) {}
}

/// The kind of a cell's error: its name in Jupyter's error message (ename), as Python names them.
///
///     ErrorKind.type.rawValue   // "TypeError"
public enum ErrorKind: String, CaseIterable, Sendable {
    case syntax = "SyntaxError"
    case name = "NameError"
    case type = "TypeError"
    case value = "ValueError"
    case index = "IndexError"
    case key = "KeyError"
    case attribute = "AttributeError"
    case file = "FileError"
    case memory = "MemoryError"
    case recursion = "RecursionError"
    case overflow = "OverflowError"
    case zeroDivision = "ZeroDivisionError"
    case interrupted = "Interrupted"
    case device = "DeviceError"
    case `import` = "ImportError"
    case runtime = "RuntimeError"
}

/// An error of a native module that says how it appears in a cell: its kind (its message is its description).
/// The RapidEELS bridge declares it for EELSError, NeuralError, RapidEELSError and the others; an error that
/// does not conform appears as a ValueError (a Foundation file error as a FileError).
///
///     extension MyError: CellReportableError { public var cellErrorKind: ErrorKind { .value } }
public protocol CellReportableError: Error {
    /// How the error is named in the cell.
    var cellErrorKind: ErrorKind { get }
}

/// A language error as Jupyter shows it: ename, evalue, traceback lines (may carry ANSI colours).
public struct ScriptError: Error, CustomStringConvertible, Sendable {
    /// The kind: SyntaxError, NameError, TypeError, ValueError, IndexError, FileError, Interrupted, ...
    public var errorKind: ErrorKind
    /// The kind's name (Jupyter's ename).
    public var kind: String { errorKind.rawValue }
    /// One line saying what went wrong.
    public var message: String
    /// The rendered report: the message, the quoted cell line with a caret, suggestions, call chain.
    public var traceback: [String]
    /// Where in the cell the error happened (1-based line and column), when known.
    public var location: SourceLocation?
    /// The functions and closures the error passed through, innermost first ("func f (line 3)").
    public var callChain: [String] = []
    /// An extra line shown after the quoted code.
    public var hint: String?

    public init(kind: ErrorKind, message: String, traceback: [String] = []) {
        errorKind = kind
        self.message = message
        self.traceback = traceback.isEmpty ? ["\(kind): \(message)"] : traceback
    }

    public var description: String { "\(kind): \(message)" }
}

/// What executing a cell produced.
public enum ExecutionResult: Sendable {
    /// The cell ran; the bundle is its last expression's value (nil when there is none or `;` suppressed it).
    case success(DisplayBundle?)
    /// The cell stopped with an error; variables defined before the error survive.
    case failure(ScriptError)
}

/// is_complete's answer.
public enum CompletenessStatus: Equatable, Sendable {
    case complete
    case incomplete(indent: String)
    case invalid
}

/// complete's answer. Offsets count Unicode scalars (Jupyter's cursor_pos unit).
public struct Completion: Equatable, Sendable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int

    public init(matches: [String], cursorStart: Int, cursorEnd: Int) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
    }
}

/// A thread-safe cancellation flag, one per cell: the host makes a fresh one for each `execute` and calls
/// `request()` on interrupt; the interpreter and every long operation poll `isCancelled` and stop with an
/// Interrupted error. Nothing resets it, so an interrupt landing as a cell starts is never lost.
///
///     let stop = Cancellation()
///     DispatchQueue.global().asyncAfter(deadline: .now() + 1) { stop.request() }
///     interpreter.execute("while true {}", cancellation: stop)   // Interrupted after about a second
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private let source: (@Sendable () -> Bool)?

    public init() { source = nil }

    /// A flag that is also set whenever `source` returns true (a host's own token, e.g. the kernel's).
    public init(polling source: @escaping @Sendable () -> Bool) { self.source = source }

    public func request() { lock.lock(); flag = true; lock.unlock() }
    public var isCancelled: Bool {
        lock.lock(); let set = flag; lock.unlock()
        return set || (source?() ?? false)
    }
}

/// The current thread's stack size in bytes as Foundation set it (`Thread.stackSize`; the default for threads
/// Foundation did not start with a size).
func currentThreadStackSize() -> Int { Thread.current.stackSize }
