import Foundation

/// A file's bytes, read-only: memory-mapped from disk (no copy; pages come from the page cache as they are
/// touched) or owned in memory. The DM reader parses tags from these and decodes image data straight out of
/// them, so a large spectrum image is touched once, by the pass that lays it out as rows x columns x channels.
///
///     let bytes = try FileBytes(mapping: "EELS_SI.dm4")
///     bytes.count            // the file's size
///     bytes[3]               // 4 for a DM4 file
///
/// Every subscript is bounds-checked. A mapped file that another process truncates while it is mapped can
/// raise SIGBUS on access; readers keep the mapping only while they decode (`load(_:)` returns owned arrays).
public struct FileBytes: RandomAccessCollection, @unchecked Sendable {
    /// Owns the memory: an mmap region (unmapped on deinit) or an allocation holding a copy.
    private final class Storage {
        let base: UnsafeRawPointer?
        let count: Int
        let mapped: Bool

        init(base: UnsafeRawPointer?, count: Int, mapped: Bool) {
            self.base = base
            self.count = count
            self.mapped = mapped
        }

        deinit {
            guard let base else { return }
            if mapped {
                munmap(UnsafeMutableRawPointer(mutating: base), count)
            } else {
                base.deallocate()
            }
        }
    }

    private let storage: Storage
    /// The first byte, fixed for the life of the value (nil when empty).
    private let base: UnsafeRawPointer?

    public let startIndex = 0
    /// The number of bytes.
    public let endIndex: Int

    private init(storage: Storage) {
        self.storage = storage
        base = storage.base
        endIndex = storage.count
    }

    /// A copy of `bytes`.
    public init(_ bytes: [UInt8]) {
        var base: UnsafeRawPointer?
        if !bytes.isEmpty {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
            bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            base = UnsafeRawPointer(memory)
        }
        self.init(storage: Storage(base: base, count: bytes.count, mapped: false))
    }

    /// Maps the file at `path` read-only.
    ///
    /// - Throws: `EELSError.file` when it cannot be opened, is a directory, or cannot be mapped.
    public init(mapping path: String) throws {
        let (fd, info) = try openForReading(path)
        defer { close(fd) }
        let size = Int(info.st_size)
        guard size > 0 else {
            self.init([])
            return
        }
        guard let memory = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), memory != MAP_FAILED else {
            throw EELSError.file(path: path, detail: "cannot map: \(String(cString: strerror(errno)))")
        }
        self.init(storage: Storage(base: UnsafeRawPointer(memory), count: size, mapped: true))
    }

    /// The byte at `position` (bounds-checked).
    @inline(__always)
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < endIndex, "FileBytes index \(position) out of 0..<\(endIndex)")
        return base.unsafelyUnwrapped.load(fromByteOffset: position, as: UInt8.self)
    }

    /// Calls `body` with the bytes; the pointer is valid only inside `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeRawBufferPointer(start: base, count: endIndex))
        }
    }

    /// The bytes as an array (a copy).
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }
}
