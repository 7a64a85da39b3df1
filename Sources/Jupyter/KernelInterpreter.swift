import Foundation

/// A MIME bundle: MIME type -> text ("text/plain" always; "image/svg+xml", "text/html" where there is one).
public typealias DisplayBundle = [String: String]

/// What executing a cell or evaluating an expression produced.
public enum ExecuteOutcome: Sendable {
    /// Success, with the value to show as execute_result (nil: nothing to show).
    case success(DisplayBundle?)
    /// An error: its name, one-line value and traceback lines (which may carry ANSI colours).
    case failure(ename: String, evalue: String, traceback: [String])
}

/// complete_reply's content: matches replacing the text between cursorStart and cursorEnd (Unicode scalars).
public struct CompletionResult: Equatable, Sendable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int

    public init(matches: [String], cursorStart: Int, cursorEnd: Int) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
    }
}

/// is_complete_reply's status.
public enum CompletenessResult: Equatable, Sendable {
    case complete
    case incomplete(indent: String)
    case invalid
    case unknown
}

/// A cell's stop flag. The kernel makes a fresh one for every execute_request and sets it on interrupt
/// (interrupt_request, SIGINT, shutdown); the interpreter polls it. Nothing resets it, so an interrupt that lands
/// as a cell starts is never lost, and one between cells cannot reach the next. Thread-safe.
///
///     let token = CancellationToken()
///     token.cancel()
///     token.isCancelled   // true
public final class CancellationToken: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    public init() {}

    /// Asks the cell that holds this token to stop.
    public func cancel() { lock.lock(); flag = true; lock.unlock() }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}

/// The language behind the kernel. The kernel calls `execute` on its executor thread (which has a large stack:
/// `KernelServer.executorStackSize`), one cell at a time, with a fresh `CancellationToken` that an interrupt
/// cancels from another thread; the other methods are called on the executor thread between cells.
///
///     final class Echo: KernelInterpreter {
///         func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome {
///             output.stream(.stdout, code); return .success(nil)
///         }
///         ...
///     }
public protocol KernelInterpreter: AnyObject {
    /// Runs one cell; output goes through `output` while it runs; it stops with a failure named "Interrupted"
    /// once `cancellation` is cancelled.
    func execute(_ code: String, output: CellOutput, cancellation: CancellationToken) -> ExecuteOutcome
    /// Evaluates one expression for user_expressions (no side output), under the cell's `cancellation`.
    func evaluate(expression: String, cancellation: CancellationToken) -> ExecuteOutcome
    /// Completions at `cursor` (Unicode scalars into `code`).
    func complete(_ code: String, cursor: Int) -> CompletionResult
    /// Documentation of the name at `cursor`; nil when there is nothing to show.
    func inspect(_ code: String, cursor: Int, detailLevel: Int) -> DisplayBundle?
    /// Whether `code` is a complete cell.
    func isComplete(_ code: String) -> CompletenessResult
}

/// The kernel's description of itself for kernel_info_reply.
public struct KernelInfo: Sendable {
    public var implementation: String
    public var implementationVersion: String
    public var languageName: String
    public var languageVersion: String
    public var mimetype: String
    public var fileExtension: String
    public var codemirrorMode: String
    public var pygmentsLexer: String
    public var banner: String
    /// (text, url) pairs shown in the frontend's help menu.
    public var helpLinks: [(text: String, url: String)]

    public init(implementation: String, implementationVersion: String, languageName: String,
                languageVersion: String, mimetype: String, fileExtension: String, codemirrorMode: String,
                pygmentsLexer: String, banner: String, helpLinks: [(text: String, url: String)] = []) {
        self.implementation = implementation
        self.implementationVersion = implementationVersion
        self.languageName = languageName
        self.languageVersion = languageVersion
        self.mimetype = mimetype
        self.fileExtension = fileExtension
        self.codemirrorMode = codemirrorMode
        self.pygmentsLexer = pygmentsLexer
        self.banner = banner
        self.helpLinks = helpLinks
    }

    /// kernel_info_reply's content.
    public var replyContent: JSON {
        [
            "status": "ok",
            "protocol_version": .string(JupyterProtocol.version),
            "implementation": .string(implementation),
            "implementation_version": .string(implementationVersion),
            "language_info": [
                "name": .string(languageName),
                "version": .string(languageVersion),
                "mimetype": .string(mimetype),
                "file_extension": .string(fileExtension),
                "codemirror_mode": .string(codemirrorMode),
                "pygments_lexer": .string(pygmentsLexer),
            ],
            "banner": .string(banner),
            "help_links": .array(helpLinks.map { ["text": .string($0.text), "url": .string($0.url)] }),
            "debugger": false,
        ]
    }
}
