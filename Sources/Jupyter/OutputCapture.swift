import Foundation

/// Captures the process's stdout and stderr (pipe + dup2) so that native output reaches the notebook.
///
/// A reader thread forwards what arrives while a cell runs; `flush()` forwards everything written so far
/// (the kernel calls it before publishing idle). The kernel's own log keeps the original stderr.
///
///     let capture = try OutputCapture { stream, text in server.publishCaptured(stream, text) }
///     capture.flush()
public final class OutputCapture: @unchecked Sendable {
    private let sink: (CellOutput.Stream, String) -> Void
    private let lock = NSLock()
    private var pipes: [(stream: CellOutput.Stream, fd: Int32, pending: [UInt8])] = []
    /// A duplicate of the original stderr, for log lines.
    public let originalStderr: Int32

    /// Redirects fds 1 and 2 into pipes and starts the reader thread.
    /// - Throws: `ZMQError` naming the failing pipe/dup2 call.
    public init(sink: @escaping (CellOutput.Stream, String) -> Void) throws {
        self.sink = sink
        originalStderr = dup(2)
        setvbuf(stdout, nil, _IOLBF, 0)
        for (stream, target) in [(CellOutput.Stream.stdout, Int32(1)), (.stderr, 2)] {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw ZMQError(operation: "pipe", code: errno) }
            guard dup2(fds[1], target) >= 0 else { throw ZMQError(operation: "dup2", code: errno) }
            close(fds[1])
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            pipes.append((stream, fds[0], []))
        }
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "rapideels-capture"
        thread.start()
    }

    /// Forwards every byte written to stdout/stderr so far.
    public func flush() {
        fflush(stdout)
        fflush(stderr)
        lock.lock()
        defer { lock.unlock() }
        for index in pipes.indices { drain(index) }
    }

    private func readLoop() {
        var polls = pipes.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while true {
            let rc = poll(&polls, nfds_t(polls.count), -1)
            if rc < 0 { if errno == EINTR { continue } else { return } }
            lock.lock()
            for index in pipes.indices where polls[index].revents != 0 { drain(index) }
            lock.unlock()
            // Let a burst of small writes gather into one message.
            usleep(2_000)
        }
    }

    /// Reads what is available on pipe `index` and forwards the complete UTF-8 part. Call with `lock` held.
    private func drain(_ index: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var bytes = pipes[index].pending
        while true {
            let n = read(pipes[index].fd, &buffer, buffer.count)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        let complete = OutputCapture.completeUTF8Prefix(bytes)
        pipes[index].pending = Array(bytes[complete...])
        if complete > 0 { sink(pipes[index].stream, String(decoding: bytes[..<complete], as: UTF8.self)) }
    }

    /// The length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence (a pipe read can
    /// split a character; the rest waits for the next read).
    ///
    ///     OutputCapture.completeUTF8Prefix([0x61, 0xC3])   // 1: "a", then half of "é" waits
    public static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
        while start > 0 && bytes.count - start < 4 && bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let need: Int
        switch lead {
        case 0xC0...0xDF: need = 2
        case 0xE0...0xEF: need = 3
        case 0xF0...0xF7: need = 4
        default: return bytes.count
        }
        return bytes.count - (start - 1) >= need ? bytes.count : start - 1
    }
}
