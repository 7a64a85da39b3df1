import CZeroMQ
import Foundation

/// A libzmq failure, with the call that failed and zmq_strerror's text.
public struct ZMQError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public var description: String { "\(operation) failed: \(String(cString: zmq_strerror(code)))" }

    static func last(_ operation: String) -> ZMQError { ZMQError(operation: operation, code: zmq_errno()) }
}

/// A libzmq context (one per process).
final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Makes blocking calls in other threads return ETERM.
    func shutdown() { zmq_ctx_shutdown(handle) }
    /// Waits until every socket is closed and its linger has passed.
    func terminate() { zmq_ctx_term(handle) }
}

/// One libzmq socket. Not thread-safe: each socket is used by one thread only.
final class ZMQSocket {
    let handle: UnsafeMutableRawPointer

    init(_ context: ZMQContext, type: Int32) throws {
        guard let handle = zmq_socket(context.handle, type) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
    }

    func setOption(_ option: Int32, _ value: Int32) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func setOption(_ option: Int32, int64 value: Int64) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func setOption(_ option: Int32, _ value: String) throws {
        let bytes = Array(value.utf8)
        guard zmq_setsockopt(handle, option, bytes, bytes.count) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// Sends all frames as one multipart message.
    func send(_ frames: [Data]) throws {
        for (index, frame) in frames.enumerated() {
            let flags = index == frames.count - 1 ? Int32(0) : ZMQ_SNDMORE
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
            if rc < 0 { throw ZMQError.last("zmq_send") }
        }
    }

    /// Sends a publication, waiting while a reader's queue is full (ZMQ_XPUB_NODROP with a send timeout):
    /// `retry` is asked after each timeout whether to keep trying. Only the first frame can hit the limit.
    /// With `dontWait`, a full queue fails at once (then `retry` is asked).
    /// - Returns: false when `retry` gave up.
    func sendWaiting(_ frames: [Data], dontWait: Bool = false, retry: () -> Bool) throws -> Bool {
        for (index, frame) in frames.enumerated() {
            var flags = index == frames.count - 1 ? Int32(0) : ZMQ_SNDMORE
            if dontWait && index == 0 { flags |= ZMQ_DONTWAIT }
            while true {
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
                if rc >= 0 { break }
                let code = zmq_errno()
                if (code == EAGAIN || code == EINTR) && index == 0 {
                    if retry() { continue }
                    return false
                }
                throw ZMQError(operation: "zmq_send", code: code)
            }
        }
        return true
    }

    /// Receives one multipart message; nil when `dontWait` and nothing is waiting.
    func receive(dontWait: Bool = false) throws -> [Data]? {
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            let flags = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, handle, flags) < 0 {
                if zmq_errno() == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError.last("zmq_msg_recv")
            }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    func close(lingerMilliseconds: Int32 = 1000) {
        try? setOption(ZMQ_LINGER, lingerMilliseconds)
        zmq_close(handle)
    }
}

/// A self-pipe that wakes a thread blocked in zmq_poll when another thread queued work for it.
final class WakePipe: @unchecked Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError(operation: "pipe", code: errno) }
        readEnd = fds[0]
        writeEnd = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readEnd, &buffer, buffer.count) > 0 {}
    }
}
