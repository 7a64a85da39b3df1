import CZeroMQ
import Dispatch
import Foundation

/// The kernel on ZeroMQ: binds the five sockets of a connection file and serves a `KernelInterpreter`.
///
/// Threads: the calling thread owns shell, control and stdin (ROUTER) and sends replies queued by others;
/// one publisher thread owns iopub (XPUB, sending iopub_welcome to each subscriber) and is fed by a queue;
/// the heartbeat (REP echo) has its own thread; cells run on the `KernelServer`'s executor thread.
///
/// Protection (see `KernelLimits`): frames over `maxMessageBytes` are refused by libzmq before they are
/// buffered; a validly signed message seen before is dropped (`ReplayGuard`); log lines about dropped messages
/// are throttled; iopub never drops a message (ZMQ_XPUB_NODROP: the publisher waits for slow readers, and
/// stream output beyond the backlog limit is cut and reported instead); the kernel exits when the process
/// named by `JPY_PARENT_PID` is gone.
///
///     let kernel = try ZeroMQKernel(connection: try ConnectionInfo(contentsOf: path))
///     kernel.serve(interpreter: interpreter, info: info)   // returns never; exits on shutdown_request
public final class ZeroMQKernel: KernelTransport, @unchecked Sendable {
    public let connection: ConnectionInfo
    public let limits: KernelLimits
    private let context: ZMQContext
    private let codec: WireCodec
    private let shell: ZMQSocket, control: ZMQSocket, stdin: ZMQSocket, iopub: ZMQSocket, heartbeat: ZMQSocket

    // Replies and stdin requests queued for the router thread.
    private let outboxLock = NSLock()
    private var outbox: [(Channel, JupyterMessage)] = []
    private let outboxWake: WakePipe
    private var exiting = false

    // Publications queued for the publisher thread.
    private let publishLock = NSLock()
    private var publications: [JupyterMessage] = []
    private var publisherStopping = false
    private let publisherWake: WakePipe
    private let publisherClosed = DispatchSemaphore(value: 0)
    private var backlog = 0
    /// Publisher-thread state: a reader stopped reading, so publications go out lossily (see `sendPublication`).
    private var stalled = false
    /// How long a publication may wait for a reader that reads nothing before that reader starts missing some.
    private let stallLimit: TimeInterval = 10

    // Router-thread state.
    private var replays = ReplayGuard()
    private let dropLog = ThrottledLog()

    private var server: KernelServer?
    private var signalSource: DispatchSourceSignal?

    /// Creates the sockets (with CurveZMQ when the file has keys) and binds them.
    /// - Throws: `ZMQError` naming the failing call, e.g. a port already in use.
    public init(connection: ConnectionInfo, limits: KernelLimits = .fromEnvironment()) throws {
        self.connection = connection
        self.limits = limits
        context = try ZMQContext()
        codec = WireCodec(signer: MessageSigner(key: connection.key))
        shell = try ZMQSocket(context, type: ZMQ_ROUTER)
        control = try ZMQSocket(context, type: ZMQ_ROUTER)
        stdin = try ZMQSocket(context, type: ZMQ_ROUTER)
        iopub = try ZMQSocket(context, type: ZMQ_XPUB)
        heartbeat = try ZMQSocket(context, type: ZMQ_REP)
        outboxWake = try WakePipe()
        publisherWake = try WakePipe()
        for socket in [shell, control, stdin] { try socket.setOption(ZMQ_ROUTER_HANDOVER, 1) }
        try iopub.setOption(ZMQ_XPUB_VERBOSE, 1)
        try iopub.setOption(ZMQ_XPUB_NODROP, 1)
        try iopub.setOption(ZMQ_SNDTIMEO, 100)
        let sockets: [(ZMQSocket, Channel)] = [(shell, .shell), (control, .control), (stdin, .stdin),
                                               (iopub, .iopub), (heartbeat, .heartbeat)]
        for (socket, channel) in sockets {
            try socket.setOption(ZMQ_LINGER, 1000)
            let maxSize = channel == .heartbeat ? min(limits.maxMessageBytes, 1 << 20) : limits.maxMessageBytes
            try socket.setOption(ZMQ_MAXMSGSIZE, int64: Int64(maxSize))
            if connection.needsIPv6 { try socket.setOption(ZMQ_IPV6, 1) }
            if let secret = connection.curveSecretKey {
                try socket.setOption(ZMQ_CURVE_SERVER, 1)
                try socket.setOption(ZMQ_CURVE_SECRETKEY, secret)
            }
            for (endpoint, optional) in connection.bindEndpoints(channel) {
                do { try socket.bind(endpoint) } catch where optional {
                    KernelLog.write("not listening on \(endpoint) as well: \(error)")
                }
            }
        }
    }

    /// Whether this libzmq was built with CurveZMQ.
    public static var supportsCurve: Bool { zmq_has("curve") != 0 }

    /// Serves requests until a shutdown_request, then exits the process.
    ///
    /// - Parameters:
    ///   - captureOutput: redirect the process's stdout/stderr into the notebook (pipe + dup2).
    public func serve(interpreter: KernelInterpreter, info: KernelInfo, captureOutput: Bool = true) -> Never {
        let server = KernelServer(interpreter: interpreter, info: info, transport: self, limits: limits)
        self.server = server
        server.commHandler = interpreter as? KernelCommHandler
        server.onShutdown = { [weak self] _ in self?.beginExit() }
        if captureOutput {
            do {
                let capture = try OutputCapture { [weak server] stream, text in server?.publishCaptured(stream, text) }
                KernelLog.redirect(to: capture.originalStderr)
                server.beforeIdle = { capture.flush() }
            } catch {
                KernelLog.write("output capture is off: \(error)")
            }
        }
        installInterruptHandler(server)
        ParentWatch.start()
        startThread("rapideels-heartbeat") { [heartbeat] in ZeroMQKernel.echo(heartbeat) }
        startThread("rapideels-iopub") { [weak self] in self?.runPublisher() }
        server.start()
        runRouter(server)
        finish()
    }

    // MARK: - KernelTransport

    public func send(_ message: JupyterMessage, on channel: Channel) {
        if channel == .iopub {
            publishLock.lock()
            publications.append(message)
            backlog += message.approximateSize
            publishLock.unlock()
            publisherWake.wake()
        } else {
            outboxLock.lock()
            outbox.append((channel, message))
            outboxLock.unlock()
            outboxWake.wake()
        }
    }

    public var iopubBacklogBytes: Int {
        publishLock.lock()
        defer { publishLock.unlock() }
        return backlog
    }

    // MARK: - Threads

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }

    private func installInterruptHandler(_ server: KernelServer) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak server] in server?.interrupt() }
        source.resume()
        signalSource = source
    }

    private static func echo(_ socket: ZMQSocket) {
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        while true {
            if zmq_msg_recv(&message, socket.handle, 0) < 0 {
                if zmq_errno() == EINTR { continue }
                break
            }
            if zmq_msg_send(&message, socket.handle, 0) < 0 && zmq_errno() == ETERM { break }
        }
        zmq_msg_close(&message)
        socket.close(lingerMilliseconds: 0)
    }

    private func runRouter(_ server: KernelServer) {
        let sockets: [(ZMQSocket, Channel)] = [(shell, .shell), (control, .control), (stdin, .stdin)]
        var items = sockets.map { zmq_pollitem_t(socket: $0.0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        items.append(zmq_pollitem_t(socket: nil, fd: outboxWake.readEnd, events: Int16(ZMQ_POLLIN), revents: 0))
        while true {
            let rc = zmq_poll(&items, Int32(items.count), -1)
            if rc < 0 {
                if zmq_errno() == EINTR { continue }
                KernelLog.write("zmq_poll failed: \(String(cString: zmq_strerror(zmq_errno())))")
                return
            }
            for (index, (socket, channel)) in sockets.enumerated() where items[index].revents & Int16(ZMQ_POLLIN) != 0 {
                while let frames = try? socket.receive(dontWait: true) { accept(frames, on: channel, server) }
            }
            if items.last!.revents != 0 { outboxWake.drain() }
            if sendOutbox() { return }
        }
    }

    /// Verifies, de-duplicates and routes one incoming message; a message whose header is readable but whose
    /// other JSON is not (e.g. a lone surrogate "\\ud800") gets an error reply instead of silence.
    private func accept(_ frames: [Data], on channel: Channel, _ server: KernelServer) {
        do {
            let message = try codec.decode(frames)
            if let split = frames.firstIndex(of: WireCodec.delimiter), !replays.accept(frames[split + 1]) {
                dropLog.write("replay", "dropped a message on \(channel.rawValue): its signature was seen before "
                    + "(a replayed message)")
                return
            }
            server.receive(message, on: channel)
        } catch WireError.invalidJSON(let frame) where frame != "header" {
            guard let request = codec.requestHeader(frames) else { return }
            if let split = frames.firstIndex(of: WireCodec.delimiter), !replays.accept(frames[split + 1]) { return }
            dropLog.write("json", "answered a message on \(channel.rawValue) with an error: its \(frame) is not valid JSON")
            server.rejectMalformed(request, on: channel, reason: "the message's \(frame) frame is not valid JSON "
                + "(for example a lone UTF-16 surrogate such as \\ud800)")
        } catch {
            dropLog.write("\(error)", "dropped a message on \(channel.rawValue): \(error)")
        }
    }

    /// Sends queued replies; true when the kernel is exiting.
    private func sendOutbox() -> Bool {
        outboxLock.lock()
        let batch = outbox
        outbox.removeAll()
        let exit = exiting
        outboxLock.unlock()
        for (channel, message) in batch {
            let socket = channel == .control ? control : channel == .stdin ? stdin : shell
            do { try socket.send(codec.encode(message)) } catch {
                KernelLog.write("could not send \(message.messageType) on \(channel.rawValue): \(error)")
            }
        }
        return exit
    }

    private func runPublisher() {
        var items = [zmq_pollitem_t(socket: iopub.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                     zmq_pollitem_t(socket: nil, fd: publisherWake.readEnd, events: Int16(ZMQ_POLLIN), revents: 0)]
        while true {
            let rc = zmq_poll(&items, 2, -1)
            if rc < 0 && zmq_errno() != EINTR { break }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 { handleSubscriptions() }
            if items[1].revents != 0 { publisherWake.drain() }
            publishLock.lock()
            let batch = publications
            publications.removeAll()
            let stopping = publisherStopping
            publishLock.unlock()
            for message in batch {
                do {
                    try sendPublication(codec.encode(message))
                } catch {
                    KernelLog.write("could not publish \(message.messageType): \(error)")
                }
                publishLock.lock()
                backlog -= message.approximateSize
                publishLock.unlock()
            }
            if stopping { break }
        }
        iopub.close()
        publisherClosed.signal()
    }

    /// Sends one publication. Readers that keep reading get everything: with ZMQ_XPUB_NODROP the send waits
    /// while a reader's queue is full (answering new subscriptions meanwhile). A reader that reads nothing for
    /// `stallLimit` seconds would hold up every other reader, so from then on publications go out lossily (that
    /// reader misses them, the others do not) until one goes through without waiting again.
    private func sendPublication(_ frames: [Data]) throws {
        if stalled {
            if try iopub.sendWaiting(frames, dontWait: true, retry: { false }) {
                stalled = false
                dropLog.write("caught up", "the slow iopub reader caught up; publications wait for readers again")
                return
            }
        } else {
            let start = Date()
            let sent = try iopub.sendWaiting(frames) {
                handleSubscriptions()
                publishLock.lock()
                let exiting = publisherStopping
                publishLock.unlock()
                return Date().timeIntervalSince(start) < (exiting ? 1 : stallLimit)
            }
            if sent { return }
            stalled = true
            dropLog.write("stall", "an iopub reader has read nothing for \(Int(stallLimit)) s; it misses "
                + "publications until it catches up (the other readers get them all)")
        }
        try iopub.setOption(ZMQ_XPUB_NODROP, 0)
        defer { try? iopub.setOption(ZMQ_XPUB_NODROP, 1) }
        try iopub.send(frames)
    }

    private func handleSubscriptions() {
        while let frames = try? iopub.receive(dontWait: true) {
            for frame in frames where frame.first == 1 {
                welcome(topic: Data(frame.dropFirst()))
            }
        }
    }

    /// iopub_welcome for a new subscription (JEP 65); its topic frame is the subscription's.
    private func welcome(topic: Data) {
        let subscription = String(decoding: topic, as: UTF8.self)
        let message = JupyterMessage(identities: topic.isEmpty ? [] : [topic],
                                     header: JupyterMessage.makeHeader(type: "iopub_welcome",
                                                                       session: server?.session ?? ""),
                                     content: ["subscription": .string(subscription)])
        do { try iopub.send(codec.encode(message)) } catch {
            KernelLog.write("could not send iopub_welcome: \(error)")
        }
    }

    // MARK: - Exit

    private func beginExit() {
        outboxLock.lock()
        exiting = true
        outboxLock.unlock()
        outboxWake.wake()
    }

    private func finish() -> Never {
        server?.flushOutput()
        for socket in [shell, control, stdin] { socket.close() }
        publishLock.lock()
        publisherStopping = true
        publishLock.unlock()
        publisherWake.wake()
        _ = publisherClosed.wait(timeout: .now() + 1)
        context.shutdown()
        let terminated = DispatchSemaphore(value: 0)
        let context = self.context
        Thread { context.terminate(); terminated.signal() }.start()
        _ = terminated.wait(timeout: .now() + 1.5)
        exit(0)
    }
}
