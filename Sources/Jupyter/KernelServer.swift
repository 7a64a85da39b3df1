import Foundation

/// How the kernel core sends messages. The ZeroMQ transport implements it; tests use an in-memory one.
///
/// `send` is called from several threads (the executor, the control handler, output capture) and must be
/// thread-safe; iopub messages must go out in the order they were sent.
public protocol KernelTransport: AnyObject {
    /// Sends `message` on `channel` (a reply on shell/control/stdin, a publication on iopub).
    func send(_ message: JupyterMessage, on channel: Channel)
    /// Bytes published on iopub that are not yet sent to the readers (0 when the transport cannot tell).
    var iopubBacklogBytes: Int { get }
}

extension KernelTransport {
    public var iopubBacklogBytes: Int { 0 }
}

/// The kernel's core: routes requests to a `KernelInterpreter` and answers them, independent of ZeroMQ.
///
/// Shell requests queue for one executor thread (so cells run in order while control stays responsive);
/// control requests are answered on the caller's thread. Every request is wrapped in busy ... idle on iopub.
///
///     let server = KernelServer(interpreter: myInterpreter, info: info, transport: transport)
///     server.start()                        // publishes `starting`, starts the executor thread
///     server.receive(message, on: .shell)   // from the socket thread
public final class KernelServer: @unchecked Sendable {
    /// This kernel's session id (header.session of everything it sends).
    public let session: String
    public let info: KernelInfo
    let interpreter: KernelInterpreter
    let transport: KernelTransport
    /// The limits on output, history and messages this server keeps to.
    public let limits: KernelLimits
    private let streams: StreamBatcher

    /// Called before every `idle` (the ZeroMQ kernel flushes captured stdout/stderr here).
    public var beforeIdle: (() -> Void)?
    /// Called after a shutdown_reply was sent; the argument is the request's `restart`.
    public var onShutdown: ((Bool) -> Void)?
    /// Receives comm_open / comm_msg / comm_close (nil: every comm_open is answered with comm_close).
    public weak var commHandler: KernelCommHandler?
    let comms = CommTable()

    let queue = NSCondition()
    var pending: [JupyterMessage] = []
    private var executor: Thread?
    /// The running request's stop flag (nil between requests); `interrupt()` cancels it.
    private let cancellationLock = NSLock()
    private var runningCancellation: CancellationToken?

    // Executor-thread state.
    var executionCount = 0
    var history: History

    // The request whose output is being produced (for captured process output).
    private let parentLock = NSLock()
    private var currentParent: JupyterMessage?

    // stdin: one input_request at a time.
    private let input = NSCondition()
    private var inputReply: String?
    private var awaitingInput = false

    public init(interpreter: KernelInterpreter, info: KernelInfo, transport: KernelTransport,
                session: String = UUID().uuidString.lowercased(), limits: KernelLimits = KernelLimits()) {
        self.interpreter = interpreter
        self.info = info
        self.transport = transport
        self.session = session
        self.limits = limits
        history = History(maxBytes: limits.maxHistoryBytes)
        streams = StreamBatcher(limits: limits, makeStream: { content, parent in
            JupyterMessage(identities: [Data("stream".utf8)],
                           header: JupyterMessage.makeHeader(type: "stream", session: session),
                           parentHeader: parent?.header ?? .emptyObject, content: content)
        }, sink: { [weak transport] in transport?.send($0, on: .iopub) },
           backlog: { [weak transport] in transport?.iopubBacklogBytes ?? 0 })
    }

    deinit { streams.stop() }

    /// The executor thread's stack (512 MiB): cells recurse deeply and run on this thread itself, so the
    /// interpreter needs no thread of its own per cell.
    public static let executorStackSize = 512 << 20

    /// Publishes `starting` and starts the executor thread. Call once.
    public func start() {
        publish("status", ["execution_state": "starting"], parent: nil)
        let thread = Thread { [weak self] in self?.runExecutor() }
        thread.name = "rapideels-executor"
        thread.stackSize = Self.executorStackSize
        executor = thread
        thread.start()
    }

    /// Takes one incoming request. Thread-safe; shell requests are queued, control requests answered now.
    public func receive(_ message: JupyterMessage, on channel: Channel) {
        switch channel {
        case .shell:
            queue.lock()
            pending.append(message)
            queue.signal()
            queue.unlock()
        case .control:
            withStatus(message) { handleControl(message) }
        case .stdin:
            if message.messageType == "input_reply" { deliverInput(message.content["value"]?.stringValue ?? "") }
        case .iopub, .heartbeat:
            break
        }
    }

    /// Interrupts the running cell (interrupt_request and SIGINT both come here).
    public func interrupt() {
        cancelRunningRequest()
        input.lock()
        if awaitingInput { inputReply = nil; awaitingInput = false; input.broadcast() }
        input.unlock()
    }

    /// A fresh stop flag for the request about to run on the executor thread (interrupts cancel it).
    func beginCancellableRequest() -> CancellationToken {
        let token = CancellationToken()
        cancellationLock.lock(); runningCancellation = token; cancellationLock.unlock()
        return token
    }

    /// The request is over: later interrupts reach nothing.
    func endCancellableRequest() {
        cancellationLock.lock(); runningCancellation = nil; cancellationLock.unlock()
    }

    private func cancelRunningRequest() {
        cancellationLock.lock(); let token = runningCancellation; cancellationLock.unlock()
        token?.cancel()
    }

    /// Answers a request whose header was readable but whose content was not (invalid JSON) with an error reply
    /// of the matching type, wrapped in busy ... idle, instead of leaving the client waiting.
    public func rejectMalformed(_ request: JupyterMessage, on channel: Channel, reason: String) {
        guard channel == .shell || channel == .control, request.messageType.hasSuffix("_request") else { return }
        withStatus(request) {
            reply(request, on: channel, ["status": "error", "ename": "InvalidMessage", "evalue": .string(reason),
                                         "traceback": .array([.string("InvalidMessage: \(reason)")])])
        }
    }

    /// Publishes pending stream output now (the kernel calls it before it exits).
    public func flushOutput() {
        beforeIdle?()
        streams.flush()
    }

    /// Publishes process output captured outside the interpreter, attributed to the current request.
    public func publishCaptured(_ stream: CellOutput.Stream, _ text: String) {
        parentLock.lock()
        let parent = currentParent
        parentLock.unlock()
        publish("stream", ["name": .string(stream.rawValue), "text": .string(text)], parent: parent)
    }

    /// Publishes an iopub message of `type` whose parent is `parent` (nil: none).
    /// Stream messages are coalesced (see `StreamBatcher`); everything else goes out at once, after them.
    /// `metadata` is the message's own metadata (the widget protocol's version rides there on comm_open).
    public func publish(_ type: String, _ content: JSON, parent: JupyterMessage?, metadata: JSON = .emptyObject) {
        if type == "stream" {
            streams.append(content["name"]?.stringValue ?? "stdout", content["text"]?.stringValue ?? "", parent: parent)
            return
        }
        let topic = Data(type.utf8)
        let message = JupyterMessage(identities: [topic], header: JupyterMessage.makeHeader(type: type, session: session),
                                     parentHeader: parent?.header ?? .emptyObject, metadata: metadata,
                                     content: content)
        streams.publish(message)
    }

    // MARK: - Dispatch

    private func runExecutor() {
        while true {
            queue.lock()
            while pending.isEmpty { queue.wait() }
            let message = pending.removeFirst()
            queue.unlock()
            withStatus(message) { handleShell(message) }
        }
    }

    private func withStatus(_ message: JupyterMessage, _ body: () -> Void) {
        parentLock.lock()
        let previous = currentParent
        // Only the header and identities: the content (a cell of any size) is not kept after the request.
        if message.messageType == "execute_request" || previous == nil {
            currentParent = JupyterMessage(identities: message.identities, header: message.header)
        }
        parentLock.unlock()
        publish("status", ["execution_state": "busy"], parent: message)
        body()
        beforeIdle?()
        streams.finish(message)
        publish("status", ["execution_state": "idle"], parent: message)
    }

    func reply(_ request: JupyterMessage, on channel: Channel, _ content: JSON) {
        let type = request.messageType.replacingOccurrences(of: "_request", with: "_reply")
        streams.flush()
        transport.send(JupyterMessage.reply(to: request, type: type, content: content, session: session), on: channel)
    }

    private func handleShell(_ message: JupyterMessage) {
        let content = message.content
        switch message.messageType {
        case "execute_request":
            execute(message)
        case "kernel_info_request":
            reply(message, on: .shell, info.replyContent)
        case "complete_request":
            reply(message, on: .shell, complete(content))
        case "inspect_request":
            reply(message, on: .shell, inspect(content))
        case "is_complete_request":
            reply(message, on: .shell, isComplete(content))
        case "history_request":
            reply(message, on: .shell, historyReply(content))
        case "comm_info_request":
            reply(message, on: .shell, commInfo(message.content))
        case "shutdown_request":
            shutdown(message, on: .shell)
        case "comm_open", "comm_msg", "comm_close":
            handleComm(message)
        default:
            KernelLog.write("ignoring unknown shell message type \"\(message.messageType)\"")
        }
    }

    private func handleControl(_ message: JupyterMessage) {
        switch message.messageType {
        case "kernel_info_request":
            reply(message, on: .control, info.replyContent)
        case "interrupt_request":
            interrupt()
            reply(message, on: .control, ["status": "ok"])
        case "shutdown_request":
            shutdown(message, on: .control)
        case "debug_request":
            reply(message, on: .control, ["status": "error", "ename": "NotSupported",
                                           "evalue": "this kernel has no debugger", "traceback": []])
        default:
            KernelLog.write("ignoring unknown control message type \"\(message.messageType)\"")
        }
    }

    private func shutdown(_ message: JupyterMessage, on channel: Channel) {
        let restart = message.content["restart"]?.boolValue ?? false
        reply(message, on: channel, ["status": "ok", "restart": .bool(restart)])
        cancelRunningRequest()
        onShutdown?(restart)
    }

    // MARK: - Input

    func requestInput(prompt: String, password: Bool, parent: JupyterMessage) -> String? {
        input.lock()
        inputReply = nil
        awaitingInput = true
        input.unlock()
        let request = JupyterMessage.reply(to: parent, type: "input_request",
                                           content: ["prompt": .string(prompt), "password": .bool(password)],
                                           session: session)
        streams.flush()
        transport.send(request, on: .stdin)
        input.lock()
        defer { input.unlock() }
        while awaitingInput { input.wait() }
        return inputReply
    }

    private func deliverInput(_ value: String) {
        input.lock()
        if awaitingInput { inputReply = value; awaitingInput = false; input.broadcast() }
        input.unlock()
    }
}

/// Log lines for the person running the kernel: written to the process's original stderr (not to a cell).
public enum KernelLog {
    nonisolated(unsafe) static var descriptor: Int32 = 2

    /// Sends the log to `fd` (the kernel calls this before it redirects stderr into cells).
    public static func redirect(to fd: Int32) { descriptor = fd }

    /// Writes "[rapideels-kernel] line\n".
    public static func write(_ line: String) {
        let text = "[rapideels-kernel] \(line)\n"
        text.withCString { pointer in
            var offset = 0
            let count = strlen(pointer)
            while offset < count {
                let written = Foundation.write(descriptor, pointer + offset, count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
