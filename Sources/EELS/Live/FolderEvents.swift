import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's word that a file in a watched folder is complete: on Linux, inotify's `IN_MOVED_TO` (it was renamed
/// into the folder, the atomic way acquisition programs land files). `FolderWatcher` hands such a file out at its
/// next poll instead of waiting `settle` seconds for its size to stay unchanged, and `wait(timeout:)` wakes the
/// watch as soon as a file is renamed in, created, written or closed, instead of sleeping a poll interval.
///
/// A writer closing a file (`IN_CLOSE_WRITE`) is not taken as complete: writers close and reopen (a file created
/// empty, then filled; a frame written in pieces), so such files wait for the size-and-time rule.
///
/// Where inotify does not report (a network share written by another machine, another operating system, or the
/// watch limit reached) no event ever arrives and the watcher's size-and-time rule does the work alone: events only
/// make a complete file known sooner; they never make an incomplete file look complete.
///
///     let events = FolderEvents(folder: "/data/session")
///     events.wait(timeout: 0.01)           // returns early when a file lands
///     let done = events.completedNames()   // names closed after writing or renamed in since the last call
public final class FolderEvents: @unchecked Sendable {
    public let folder: String
    private let lock = NSLock()
    private var descriptor: Int32 = -1

    /// Starts watching `folder` (silently without events where inotify is unavailable).
    public init(folder: String) {
        self.folder = folder
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return }
        let mask = UInt32(IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE)
        guard inotify_add_watch(fd, folder, mask) >= 0 else {
            close(fd)
            return
        }
        descriptor = fd
        #endif
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Whether the operating system reports completions for this folder.
    public var isActive: Bool { descriptor >= 0 }

    /// Waits until an event is pending or `timeout` seconds pass (a plain sleep without events).
    public func wait(timeout: Double) {
        let milliseconds = Int32(max(0, min(timeout, 3600)) * 1000)
        guard descriptor >= 0 else {
            usleep(UInt32(milliseconds) * 1000)
            return
        }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, milliseconds)
    }

    /// The names renamed into the folder since the last call (possibly empty; never blocks).
    public func completedNames() -> Set<String> {
        lock.lock()
        defer { lock.unlock() }
        guard descriptor >= 0 else { return [] }
        var names = Set<String>()
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, capacity)
            guard count > 0 else { break }           // EAGAIN: nothing more pending
            var offset = 0
            // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
            while offset + 16 <= count {
                let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                guard offset + 16 + length <= count else { break }
                if length > 0, mask & UInt32(IN_MOVED_TO) != 0 {
                    let bytes = UnsafeRawBufferPointer(start: buffer + offset + 16, count: length)
                    let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    if !name.isEmpty { names.insert(name) }
                }
                offset += 16 + length
            }
        }
        return names
    }
}
