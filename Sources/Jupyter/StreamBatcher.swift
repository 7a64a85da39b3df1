import Foundation

/// Coalesces stream output into few iopub messages, as ipykernel's OutStream does, and bounds it.
///
/// Text for one (request, stream) pair gathers until `flushInterval` passes, `maxChunkBytes` is reached,
/// another message is published or the request ends; so a loop of 20,000 `print`s becomes a few dozen
/// messages instead of 20,000. Each request may publish `maxOutputBytes` of stream text; beyond that, and
/// while more than `maxBacklogBytes` wait for a slow reader, text is counted instead of sent, and the request
/// ends with one line saying how much was not shown. Other messages are never dropped.
///
/// Thread-safe: every publication of the kernel goes through one batcher, so order is kept.
final class StreamBatcher: @unchecked Sendable {
    typealias MakeMessage = (_ content: JSON, _ parent: JupyterMessage?) -> JupyterMessage

    private let condition = NSCondition()
    private let limits: KernelLimits
    private let makeStream: MakeMessage
    private let sink: (JupyterMessage) -> Void
    private let backlog: () -> Int

    // The chunk being gathered.
    private var parent: JupyterMessage?
    private var parentID = ""
    private var name = ""
    private var text = ""
    private var bytes = 0
    private var since: UInt64 = 0

    // What the current request has published and dropped.
    private var accountID: String?
    private var accountParent: JupyterMessage?
    private var published = 0
    private var dropped = 0
    private var droppedLines = 0
    private var droppedForBacklog = false
    private var noticed = false
    private var stopped = false

    /// - Parameters:
    ///   - makeStream: builds a stream message from its content and parent request.
    ///   - sink: publishes a finished message (the transport's iopub).
    ///   - backlog: bytes published but not yet sent to the readers.
    init(limits: KernelLimits, makeStream: @escaping MakeMessage, sink: @escaping (JupyterMessage) -> Void,
         backlog: @escaping () -> Int) {
        self.limits = limits
        self.makeStream = makeStream
        self.sink = sink
        self.backlog = backlog
        let thread = Thread { [weak self] in
            while let batcher = self, batcher.waitAndFlush() {}
        }
        thread.name = "rapideels-stream-flush"
        thread.start()
    }

    /// Stops the flush thread (tests create many servers).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Adds stream text of `parent` (nil: none) to the pending chunk.
    func append(_ stream: String, _ newText: String, parent newParent: JupyterMessage?) {
        guard !newText.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        let id = newParent?.messageID ?? ""
        if id != accountID {
            finishLocked()
            accountID = id
            accountParent = newParent.map { JupyterMessage(header: $0.header) }
        }
        if bytes > 0 && (id != parentID || stream != name) { flushLocked() }
        let size = newText.utf8.count
        // Once output was cut, the rest of the request is cut too (no gaps in the middle of what is shown).
        var room = noticed ? 0 : limits.maxOutputBytes - published - bytes
        if room > 0 && backlog() + bytes > limits.maxBacklogBytes {
            room = 0
            droppedForBacklog = true
        }
        var kept = newText
        if size > room {
            let cut = Self.utf8Prefix(newText, maxBytes: max(0, room))
            let rest = newText.utf8.dropFirst(cut.utf8.count)
            dropped += rest.count
            droppedLines += rest.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            kept = cut
            if !noticed {
                noticed = true
                flushLocked()
                if !kept.isEmpty { sink(makeStream(["name": .string(stream), "text": .string(kept)], newParent)) }
                published += kept.utf8.count
                let why = droppedForBacklog ? "the client is not reading output fast enough" : "the output limit of "
                    + "\(KernelLimits.describe(bytes: limits.maxOutputBytes)) per cell is reached"
                sink(makeStream(["name": "stderr", "text": .string("\n[\(why): further output of this cell is "
                    + "counted, not shown]\n")], newParent))
                return
            }
            if kept.isEmpty { return }
        }
        if bytes == 0 {
            parent = newParent.map { JupyterMessage(header: $0.header) }   // not the request's content
            parentID = id
            name = stream
            since = DispatchTime.now().uptimeNanoseconds
            condition.broadcast()
        }
        text += kept
        bytes += kept.utf8.count
        if bytes >= limits.maxChunkBytes { flushLocked() }
    }

    /// Publishes `message` after any pending stream text.
    func publish(_ message: JupyterMessage) {
        condition.lock()
        flushLocked()
        sink(message)
        condition.unlock()
    }

    /// Publishes pending stream text now (before a reply, an input request or idle).
    func flush() {
        condition.lock()
        flushLocked()
        condition.unlock()
    }

    /// Ends the accounting of `request`: pending text goes out, then the truncation line if any was dropped.
    func finish(_ request: JupyterMessage) {
        condition.lock()
        flushLocked()
        if accountID == request.messageID { finishLocked() }
        condition.unlock()
    }

    // MARK: - Private (call with `condition` held)

    private func flushLocked() {
        guard bytes > 0 else { return }
        sink(makeStream(["name": .string(name), "text": .string(text)], parent))
        published += bytes
        text = ""
        bytes = 0
    }

    private func finishLocked() {
        flushLocked()
        if dropped > 0 {
            let reason = droppedForBacklog
                ? "the client did not read output fast enough (RAPIDEELS_IOPUB_BACKLOG_MB, RAPIDEELS_MAX_OUTPUT_MB)"
                : "the limit per cell is RAPIDEELS_MAX_OUTPUT_MB"
            let line = "[output truncated after \(KernelLimits.describe(bytes: published)): \(dropped) more bytes "
                + "(\(droppedLines) lines) were not shown; \(reason)]\n"
            sink(makeStream(["name": "stderr", "text": .string(line)], accountParent))
        }
        accountID = nil
        accountParent = nil
        published = 0
        dropped = 0
        droppedLines = 0
        droppedForBacklog = false
        noticed = false
    }

    /// Waits for pending text and publishes it once it is `flushInterval` old; false once stopped.
    private func waitAndFlush() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while bytes == 0 && !stopped { condition.wait() }
        if stopped { return false }
        let due = since + UInt64(limits.flushInterval * 1e9)
        let now = DispatchTime.now().uptimeNanoseconds
        if now < due {
            _ = condition.wait(until: Date().addingTimeInterval(Double(due - now) / 1e9))
            if stopped { return false }
            if DispatchTime.now().uptimeNanoseconds < since + UInt64(limits.flushInterval * 1e9) { return true }
        }
        flushLocked()
        return true
    }

    /// The longest prefix of `text` with at most `maxBytes` UTF-8 bytes that ends on a character boundary.
    static func utf8Prefix(_ text: String, maxBytes: Int) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxBytes else { return text }
        var end = utf8.index(utf8.startIndex, offsetBy: maxBytes)
        while end > utf8.startIndex && end.samePosition(in: text) == nil { end = utf8.index(before: end) }
        return String(text[..<end])
    }
}
