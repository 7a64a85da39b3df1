import Foundation

/// A bounds-checked cursor over a file's bytes. Every read checks the remaining length and throws
/// `EELSError.file(path:detail:)` naming the offset, so corrupt or truncated input can never crash or hang.
///
/// `Bytes` is `[UInt8]` or a memory-mapped `FileBytes`.
///
///     var reader = ByteReader(bytes: [0, 0, 0, 3], path: "x.dm3")
///     let version = try reader.readUInt32(bigEndian: true, what: "version")   // 3
public struct ByteReader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
    /// The whole file.
    public let bytes: Bytes
    /// The file's path, used in error messages.
    public let path: String
    /// The next byte to read.
    public var offset: Int = 0

    /// A reader at offset 0.
    public init(bytes: Bytes, path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Bytes left after `offset`.
    public var remaining: Int { bytes.count - offset }

    /// An error at the current offset.
    public func error(_ detail: String) -> EELSError {
        .file(path: path, detail: "\(detail) (at byte offset \(offset) of \(bytes.count))")
    }

    /// Throws unless `count` more bytes are available.
    public func require(_ count: Int, _ what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw error("truncated: \(what()) needs \(count) bytes but only \(Swift.max(remaining, 0)) remain")
        }
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws {
        try require(count, what())
        offset += count
    }

    /// One byte.
    public mutating func readUInt8(what: @autoclosure () -> String) throws -> UInt8 {
        try require(1, what())
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An unsigned integer of `width` bytes (1...8) in the given byte order.
    public mutating func readUInt(width: Int, bigEndian: Bool, what: @autoclosure () -> String) throws -> UInt64 {
        try require(width, what())
        var value: UInt64 = 0
        if bigEndian {
            for i in 0..<width { value = (value << 8) | UInt64(bytes[offset + i]) }
        } else {
            for i in stride(from: width - 1, through: 0, by: -1) { value = (value << 8) | UInt64(bytes[offset + i]) }
        }
        offset += width
        return value
    }

    /// A 16-bit unsigned integer.
    public mutating func readUInt16(bigEndian: Bool, what: @autoclosure () -> String) throws -> UInt16 {
        UInt16(try readUInt(width: 2, bigEndian: bigEndian, what: what()))
    }

    /// A 32-bit unsigned integer.
    public mutating func readUInt32(bigEndian: Bool, what: @autoclosure () -> String) throws -> UInt32 {
        UInt32(try readUInt(width: 4, bigEndian: bigEndian, what: what()))
    }

    /// A 64-bit unsigned integer.
    public mutating func readUInt64(bigEndian: Bool, what: @autoclosure () -> String) throws -> UInt64 {
        try readUInt(width: 8, bigEndian: bigEndian, what: what())
    }

    /// `count` raw bytes.
    public mutating func readBytes(_ count: Int, what: @autoclosure () -> String) throws -> Bytes.SubSequence {
        try require(count, what())
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}

/// Reads a whole file into memory with one read call per chunk, throwing `EELSError.file` on failure.
///
///     let bytes = try readFileBytes("/data/EELS_SI.dm4")
public func readFileBytes(_ path: String) throws -> [UInt8] {
    let (fd, info) = try openForReading(path)
    defer { close(fd) }
    let size = Int(info.st_size)
    var failure: String?
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        var done = 0
        while done < size {
            let n = read(fd, buffer.baseAddress! + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                break
            }
            if n == 0 { break }
            done += n
        }
        initialized = done
    }
    if let failure { throw EELSError.file(path: path, detail: "read failed: \(failure)") }
    return bytes
}

/// Opens `path` read-only and stats it; the caller closes the descriptor.
///
/// Only regular files are read: a FIFO, a device or a socket could block a cell for good or never end, so it
/// is refused before anything is read (the open itself does not wait: O_NONBLOCK).
/// - Throws: `EELSError.file` when it cannot be opened or stat'ed, or is a directory or not a regular file.
func openForReading(_ path: String) throws -> (fd: Int32, info: stat) {
    let fd = open(path, O_RDONLY | O_NONBLOCK)
    guard fd >= 0 else {
        throw EELSError.file(path: path, detail: "cannot open: \(String(cString: strerror(errno)))")
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
        let detail = "cannot stat: \(String(cString: strerror(errno)))"
        close(fd)
        throw EELSError.file(path: path, detail: detail)
    }
    guard (info.st_mode & S_IFMT) != S_IFDIR else {
        close(fd)
        throw EELSError.file(path: path, detail: "is a directory, not a file")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        close(fd)
        throw EELSError.file(path: path, detail: "is not a regular file (a pipe, device or socket); only files "
            + "can be loaded")
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    return (fd, info)
}
