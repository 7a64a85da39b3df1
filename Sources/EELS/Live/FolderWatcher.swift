import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// What the file system looks like from a watcher: a listing and a file's size. Tests give an in-memory fake;
/// `LocalFileSystem` is the real one.
public protocol WatchedFileSystem: Sendable {
    /// The names (not paths) of the regular files directly in `folder`; nil when the folder cannot be read.
    func fileNames(in folder: String) -> [String]?
    /// The size and modification time of `path`, or nil when it does not exist (any more).
    func status(of path: String) -> (size: Int, modified: Double)?
    /// Names in `folder` the operating system reported complete (renamed in) since the last call; empty where it
    /// does not report (the default).
    func completedNames(in folder: String) -> Set<String>
    /// Sleeps up to `timeout` seconds, returning early when a file in `folder` is renamed in, created, written or
    /// closed, where that is reported.
    func wait(in folder: String, timeout: Double)
}

extension WatchedFileSystem {
    public func completedNames(in folder: String) -> Set<String> { [] }
    public func wait(in folder: String, timeout: Double) { usleep(UInt32(max(0, min(timeout, 60)) * 1e6)) }
}

/// The local file system through `opendir`/`stat` (no Foundation enumerator: it allocates per entry), with
/// inotify's completion events where Linux gives them (`FolderEvents`).
public struct LocalFileSystem: WatchedFileSystem {
    /// One `FolderEvents` per watched folder, made at the first question about that folder.
    private final class EventSources: @unchecked Sendable {
        let lock = NSLock()
        var byFolder: [String: FolderEvents] = [:]
        func events(_ folder: String) -> FolderEvents {
            lock.lock()
            defer { lock.unlock() }
            if let e = byFolder[folder] { return e }
            let e = FolderEvents(folder: folder)
            byFolder[folder] = e
            return e
        }
    }
    private let sources = EventSources()
    /// Whether inotify events are used (true by default; false leaves only the size-and-time rule).
    public var usesEvents: Bool

    public init(usesEvents: Bool = true) { self.usesEvents = usesEvents }

    public func completedNames(in folder: String) -> Set<String> {
        usesEvents ? sources.events(folder).completedNames() : []
    }

    public func wait(in folder: String, timeout: Double) {
        if usesEvents { sources.events(folder).wait(timeout: timeout) } else { usleep(UInt32(max(0, min(timeout, 60)) * 1e6)) }
    }

    public func fileNames(in folder: String) -> [String]? {
        guard let dir = opendir(folder) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || name.hasPrefix(".") { continue }   // hidden: temporary files of writers
            names.append(name)
        }
        return names
    }

    public func status(of path: String) -> (size: Int, modified: Double)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int(info.st_size), Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9)
    }
}

/// A file the watcher hands out: complete (its size has stopped changing, or it appeared whole by an atomic
/// rename) or, in growing mode, one whose size grew since it was last handed out.
public struct WatchedFile: Sendable, Equatable {
    public var path: String
    public var name: String
    public var size: Int
    /// The file's last modification (seconds since 1970): when its last byte landed.
    public var modified: Double
    /// When the watcher first saw the file (seconds since 1970): the start of its latency.
    public var firstSeen: Double
    /// When the watcher saw it complete (or grown).
    public var readySince: Double
}

/// Polls a folder for files whose names match a glob and hands each one out once it is completely written, in
/// name order (acquisition software numbers its files): a file is complete when its size and modification time
/// have not changed for `settle` seconds, so a half-written file is never read, or at once when the operating
/// system reports that it was renamed into place (written under a hidden or non-matching name, then renamed: the
/// atomic way; `FolderEvents`). Memory is bounded by the folder's listing: state is kept only for files still in the folder.
///
///     var watcher = FolderWatcher(folder: "/data/session", pattern: "frame_*.dm4")
///     while running {
///         for file in watcher.poll(now: Date().timeIntervalSince1970) { process(file.path) }
///         usleep(20_000)
///     }
public struct FolderWatcher: Sendable {
    public let folder: String
    public let pattern: String
    /// Seconds a file's size must stay unchanged before it counts as complete.
    public var settle: Double
    /// Files already present when the watch started are skipped unless true.
    public var includeExisting: Bool
    /// In growing mode a file is handed out again every time it grew (then settled), until it is marked finished.
    public var growing: Bool
    let fileSystem: WatchedFileSystem

    struct Tracked {
        var size: Int
        var modified: Double
        var firstSeen: Double
        var changedAt: Double
        /// The size last handed out (nil: never handed out).
        var handedSize: Int?
        var finished: Bool
        /// Handed out but unreadable (truncated): handed out again if it changes.
        var retry = false
        /// The operating system reported it renamed in at its present size and time (see `FolderEvents`).
        var reportedComplete = false
    }
    private var tracked: [String: Tracked] = [:]
    private var started = false
    /// Names handed out and then removed from the folder before the watcher saw them complete.
    public private(set) var vanished: [String] = []

    public init(folder: String, pattern: String = "*", settle: Double = 0.05, includeExisting: Bool = false,
                growing: Bool = false, fileSystem: WatchedFileSystem = LocalFileSystem()) {
        self.folder = folder
        self.pattern = pattern
        self.settle = settle
        self.includeExisting = includeExisting
        self.growing = growing
        self.fileSystem = fileSystem
    }

    /// Whether `name` is a growing file whose rows are appended (NPY): it is handed out as soon as it grew, since
    /// its reader takes only the complete rows. Other growing files (DigitalMicrograph images rewritten as they
    /// fill) wait to settle like single frames.
    func appends(_ name: String) -> Bool { growing && name.lowercased().hasSuffix(".npy") }

    /// Whether `name` matches the pattern.
    public func matches(_ name: String) -> Bool { fnmatch(pattern, name, 0) == 0 }

    /// Files seen but not yet complete (being written) at the last poll.
    public var writing: Int { tracked.values.filter { $0.handedSize == nil && !$0.finished }.count }

    /// Marks a growing file as completely processed: it is not handed out again.
    public mutating func finish(_ name: String) { tracked[name]?.finished = true }

    /// Whether `name` was marked finished (or skipped as existing).
    public func isFinished(_ name: String) -> Bool { tracked[name]?.finished ?? false }

    /// A handed-out file could not be read (truncated, corrupt): hand it out again if it changes later (a writer
    /// that paused longer than `settle`), and not otherwise.
    public mutating func retryIfChanged(_ name: String) {
        guard tracked[name] != nil else { return }
        tracked[name]!.finished = false
        tracked[name]!.retry = true
    }

    /// One look at the folder: the files that became complete (or grew) since the last poll, in name order.
    /// Files that disappeared before they were complete are listed in `vanished` (cleared at each poll).
    /// - Throws: `EELSError.file` when the folder cannot be read (it was removed, or permissions changed).
    public mutating func poll(now: Double) throws -> [WatchedFile] {
        vanished.removeAll(keepingCapacity: true)
        guard let names = fileSystem.fileNames(in: folder) else {
            throw EELSError.file(path: folder, detail: "the watched folder cannot be read (removed, or no permission)")
        }
        let present = Set(names.filter(matches))
        let reported = fileSystem.completedNames(in: folder)
        for (name, state) in tracked where !present.contains(name) {
            if state.handedSize == nil && !state.finished { vanished.append(name) }
            tracked[name] = nil
        }
        var ready: [WatchedFile] = []
        for name in present.sorted() {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            guard let status = fileSystem.status(of: path) else {
                if let state = tracked[name], state.handedSize == nil { vanished.append(name) }
                tracked[name] = nil
                continue
            }
            var state: Tracked
            if let known = tracked[name] {
                state = known
                if status.size != state.size || status.modified != state.modified {
                    state.size = status.size
                    state.modified = status.modified
                    state.changedAt = now
                    state.reportedComplete = reported.contains(name)
                    tracked[name] = state
                    if !appends(name) && !state.reportedComplete { continue }
                } else if reported.contains(name) {
                    state.reportedComplete = true
                }
            } else {
                let skip = !started && !includeExisting
                state = Tracked(size: status.size, modified: status.modified, firstSeen: now, changedAt: now,
                                handedSize: skip ? status.size : nil, finished: skip,
                                reportedComplete: reported.contains(name))
                tracked[name] = state
                if skip || !state.reportedComplete { continue }
            }
            tracked[name] = state
            let settled = state.reportedComplete || now - state.changedAt >= settle || appends(name)
            guard !state.finished, settled, status.size > 0 else { continue }
            if state.handedSize == nil || ((growing || state.retry) && status.size != state.handedSize) {
                state.retry = false
                state.handedSize = status.size
                tracked[name] = state
                ready.append(WatchedFile(path: path, name: name, size: status.size, modified: status.modified,
                                         firstSeen: state.firstSeen,
                                         readySince: now))
            }
            if !growing && !(tracked[name]?.retry ?? false) { tracked[name]?.finished = true }
        }
        started = true
        vanished.sort()
        return ready
    }
}
