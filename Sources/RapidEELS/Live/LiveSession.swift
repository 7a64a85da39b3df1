import EELS
import Foundation

/// What to watch and when to stop.
///
///     var options = LiveOptions(folder: "/data/session", pattern: "*.dm4")
///     options.frames = 100           // stop after 100 frames (nil: until interrupted)
public struct LiveOptions: Sendable {
    public var folder: String
    public var pattern: String
    /// Files that grow (row blocks appended, or a DigitalMicrograph image that fills) rather than one per frame.
    public var growing = false
    /// Stop after this many frames (nil: no limit).
    public var frames: Int?
    /// Stop after this many seconds (nil: no limit).
    public var seconds: Double?
    /// Also process files already in the folder when the watch starts.
    public var includeExisting = false
    /// Seconds a file's size must stay unchanged to count as complete.
    public var settle = 0.05
    /// Seconds between looks at the folder while idle (short, so an interrupt is seen at once; a file landing
    /// wakes the watch sooner where the operating system reports it).
    public var pollInterval = 0.01
    /// The newest frames whose maps are kept.
    public var keepMaps = 20
    /// A line is written when this many complete files wait (and again each time the backlog doubles).
    public var backlogWarning = 8

    public init(folder: String, pattern: String = "*") {
        self.folder = folder
        self.pattern = pattern
    }
}

/// The watch loop: polls the folder, reads each complete file (or each new row block of a growing one), runs the
/// pipeline, records the result in a `LiveRun` and calls `update` after each frame. It never blocks longer than a
/// poll interval or one frame's processing, so an interrupt (`isCancelled`) stops it between frames. Bad files become
/// problem lines and the watch goes on; files waiting are the backlog (they stay on disk, nothing is dropped).
///
///     let session = LiveSession(options: options, pipeline: pipeline)
///     let run = try session.run(isCancelled: { cancelled }) { run, final in show(run) }
public final class LiveSession {
    public let options: LiveOptions
    public let pipeline: LivePipeline
    private var watcher: FolderWatcher
    private let fileSystem: WatchedFileSystem
    private let clock: () -> Double

    public init(options: LiveOptions, pipeline: LivePipeline, fileSystem: WatchedFileSystem = LocalFileSystem(),
                clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.options = options
        self.pipeline = pipeline
        self.clock = clock
        self.fileSystem = fileSystem
        watcher = FolderWatcher(folder: options.folder, pattern: options.pattern, settle: options.settle,
                                includeExisting: options.includeExisting, growing: options.growing,
                                fileSystem: fileSystem)
    }

    /// A frame's first shape (rows x columns); later frames of another shape are refused.
    private var shape: (rows: Int, columns: Int)?
    private var growing: [String: (reader: GrowingFileReader, map: LiveMap, result: LiveFrameResult, busy: Double,
                                   landed: Double)] = [:]
    private var lastFolderError: String?
    private var nextBacklogWarning = 0

    /// Watches until the frame or time limit, or until `isCancelled` returns true (between frames).
    /// - Parameter update: called after each frame and problem (`final` false) and once at the end (`final` true).
    /// - Returns: the run, also when interrupted (its `stopReason` says why it stopped).
    public func run(isCancelled: () -> Bool, update: (LiveRun, Bool) -> Void) -> LiveRun {
        let run = LiveRun(classNames: pipeline.classNames, axis: pipeline.method.axis,
                          source: (options.folder as NSString).appendingPathComponent(options.pattern),
                          keepMaps: options.keepMaps)
        let start = clock()
        run.startedAt = start
        nextBacklogWarning = options.backlogWarning
        var queue: [WatchedFile] = []
        var head = 0
        func problem(_ kind: LiveProblemKind, _ file: String, _ message: String) {
            run.add(problem: LiveProblem(time: clock() - start, file: file, kind: kind, message: message))
            update(run, false)
        }
        while true {
            run.elapsed = clock() - start
            if isCancelled() { run.stopReason = "interrupted"; break }
            if let n = options.frames, run.processedFiles >= n { run.stopReason = "\(n) frames"; break }
            if let s = options.seconds, run.elapsed >= s { run.stopReason = "time limit \(s) s"; break }
            do {
                let ready = try watcher.poll(now: clock())
                lastFolderError = nil
                for name in watcher.vanished {
                    problem(.vanished, name, "removed before it was completely written or read")
                }
                queue.append(contentsOf: ready)
            } catch {
                let message = "\(error)"
                if message != lastFolderError { problem(.folder, options.folder, message) }
                lastFolderError = message
            }
            if head > 1024 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
            run.backlog = queue.count - head
            run.maxBacklog = max(run.maxBacklog, run.backlog)
            if run.backlog >= nextBacklogWarning {
                problem(.backlog, options.folder, "\(run.backlog) complete files are waiting (files land faster than "
                    + "they are processed); they are all processed in order, none is dropped")
                nextBacklogWarning *= 2
            } else if run.backlog < options.backlogWarning / 2 {
                nextBacklogWarning = options.backlogWarning
            }
            guard head < queue.count else {
                fileSystem.wait(in: options.folder, timeout: options.pollInterval)   // wakes early when a file lands
                continue
            }
            let file = queue[head]
            head += 1
            run.backlog = queue.count - head
            if options.growing {
                processGrowing(file, run: run, start: start, problem: problem, update: update)
            } else {
                processFile(file, next: head < queue.count ? queue[head] : nil, run: run, start: start,
                            problem: problem, update: update)
            }
        }
        finishReadAhead()
        run.elapsed = clock() - start
        run.backlog = queue.count - head
        update(run, true)
        return run
    }

    private func classify(_ error: Error, path: String) -> (LiveProblemKind, String) {
        if !FileManager.default.fileExists(atPath: path) {
            return (.vanished, "removed before it was read")
        }
        if case RapidEELSError.incompatible(let m) = error { return (.incompatible, m) }
        return (.unreadable, "\(error)")
    }

    private func check(rows: Int, columns: Int, name: String,
                       problem: (LiveProblemKind, String, String) -> Void) -> Bool {
        if let shape, !options.growing, (rows, columns) != shape {
            problem(.shape, name, "\(rows) x \(columns) pixels, the watch's frames are \(shape.rows) x "
                + "\(shape.columns); skipped")
            return false
        }
        return true
    }

    /// A frame file read and prepared (off the watch thread when it is prefetched).
    struct FrameRead {
        /// The frame's pixels, rows x columns (nil: not read as a spectrum image).
        var shape: (rows: Int, columns: Int)?
        /// Why the file could not be read as a spectrum image (nil: read, or not a spectrum image at all).
        var loadError: Error?
        var prepared: Result<LivePipeline.PreparedFrame, Error>?
    }

    /// Reads `file` and prepares it for the networks: a DM frame's window binned straight from the file, anything
    /// else loaded and prepared.
    private func read(_ file: WatchedFile) -> FrameRead {
        var read = FrameRead()
        let suffix = (file.name as NSString).pathExtension.lowercased()
        if suffix == "dm4" || suffix == "dm3", let dm = try? DMFile(path: file.path) {
            do {
                if let frame = try pipeline.prepare(dm) {
                    read.shape = (frame.rows, frame.columns)
                    read.prepared = .success(frame)
                    return read
                }
            } catch {
                if let image = dm.images.first, image.axes.count == 3 {
                    read.shape = (image.axes[1].size, image.axes[2].size)
                }
                read.prepared = .failure(error)
                return read
            }
        }
        let si: SpectrumImage?
        do {
            si = try load(file.path).spectrumImage
        } catch {
            read.loadError = error
            return read
        }
        if let si {
            read.shape = (si.rows, si.columns)
            read.prepared = Result { try pipeline.prepare(si) }
        }
        return read
    }

    /// The next frame file read and prepared on its own thread while the networks run on the present one (two
    /// cores: the reading and preprocessing, which run on one core, overlap the networks, which run on both).
    /// Holds one frame at most; the watch waits for it before it returns.
    final class Prefetch: @unchecked Sendable {
        let name: String
        private var outcome: FrameRead?
        private let done = DispatchSemaphore(value: 0)

        init(_ file: WatchedFile, _ work: @escaping @Sendable (WatchedFile) -> FrameRead) {
            name = file.name
            Thread { [self] in
                outcome = work(file)
                done.signal()
            }.start()
        }

        func wait() -> FrameRead {
            done.wait()
            done.signal()          // a second wait returns at once
            return outcome!
        }
    }
    private var prefetch: Prefetch?

    /// Starts reading `file` ahead (single files only).
    private func readAhead(_ file: WatchedFile) {
        guard !options.growing, prefetch == nil else { return }
        prefetch = Prefetch(file) { [unowned self] in self.read($0) }
    }

    /// Waits for a read ahead still running (at the end of the watch, or when another file comes first).
    private func finishReadAhead() {
        _ = prefetch?.wait()
        prefetch = nil
    }

    /// Reads (or takes the read-ahead of) `file`, starts reading `next` ahead, and runs the networks.
    private func processFile(_ file: WatchedFile, next: WatchedFile?, run: LiveRun, start: Double,
                             problem: (LiveProblemKind, String, String) -> Void, update: (LiveRun, Bool) -> Void) {
        let began = clock()     // busy time: this thread's, a read ahead counted only where it is waited for
        let frame: FrameRead
        if let ahead = prefetch, ahead.name == file.name {
            frame = ahead.wait()
            prefetch = nil
        } else {
            finishReadAhead()
            frame = read(file)
        }
        if let next { readAhead(next) }
        if let error = frame.loadError {
            let (kind, message) = classify(error, path: file.path)
            if kind == .unreadable { watcher.retryIfChanged(file.name) }
            problem(kind, file.name, message + (kind == .unreadable ? "; read again if it changes" : ""))
            return
        }
        guard let size = frame.shape, let prepared = frame.prepared else {
            problem(.unreadable, file.name, "not a spectrum image")
            return
        }
        guard check(rows: size.rows, columns: size.columns, name: file.name, problem: problem) else { return }
        let result: LiveFrameResult
        do {
            result = try pipeline.process(prepared.get())
        } catch {
            let (kind, message) = classify(error, path: file.path)
            problem(kind == .vanished ? .unreadable : kind, file.name, message)
            return
        }
        if shape == nil { shape = size }
        let map = result.labels.isEmpty ? nil : LiveMap(index: run.processedFiles, file: file.name, rows: size.rows,
                                                        columns: size.columns, labels: result.labels,
                                                        probabilities: result.probabilities)
        let now = clock()
        let landed = min(file.modified, file.firstSeen)
        run.add(frame: LiveFrameRecord(index: run.processedFiles, file: file.name, landed: landed - start,
                                       latency: now - landed, fractions: result.fractions,
                                       pixels: size.rows * size.columns),
                map: map, result: result, busy: now - began)
        run.elapsed = now - start
        update(run, false)
    }

    private func processGrowing(_ file: WatchedFile, run: LiveRun, start: Double,
                                problem: (LiveProblemKind, String, String) -> Void, update: (LiveRun, Bool) -> Void) {
        guard !watcher.isFinished(file.name) else { return }   // an earlier hand-out of it finished it
        var entry = growing[file.name]
        var reader = entry?.reader ?? GrowingFileReader(path: file.path)
        while true {
            let began = clock()
            let block: GrowingFileReader.Block?
            do {
                block = try reader.nextRows()
            } catch {
                let (kind, message) = classify(error, path: file.path)
                if kind == .vanished { growing[file.name] = nil } else { watcher.retryIfChanged(file.name) }
                problem(kind, file.name, message)
                if kind == .vanished { return }
                break
            }
            guard let block else { break }
            let result: LiveFrameResult
            do {
                result = try pipeline.process(block.image)
            } catch {
                let (kind, message) = classify(error, path: file.path)
                problem(kind, file.name, message + "; this file is skipped")
                watcher.finish(file.name)
                growing[file.name] = nil
                return
            }
            let columns = block.image.columns, k = max(pipeline.classNames.count, 1)
            if entry == nil {
                let pixels = block.totalRows * columns
                entry = (reader, LiveMap(index: run.processedFiles, file: file.name, rows: block.totalRows,
                                         columns: columns, labels: [UInt8](repeating: 0, count: pixels),
                                         probabilities: [Float](repeating: 0, count: result.probabilities.isEmpty
                                                                    ? 0 : pixels * k)),
                         LiveFrameResult(rows: block.totalRows, columns: columns, labels: [], probabilities: [],
                                         meanDenoised: [], classSums: [], classCounts: [Int](repeating: 0, count: k)),
                         0, min(file.modified, file.firstSeen))
            }
            let offset = block.firstRow * columns
            for (i, l) in result.labels.enumerated() { entry!.map.labels[offset + i] = l }
            for (i, p) in result.probabilities.enumerated() { entry!.map.probabilities[offset * k + i] = p }
            for c in 0..<k { entry!.result.classCounts[c] += result.classCounts[c] }
            run.addReferences(result)
            entry!.busy += clock() - began
            run.growingProgress = (file.name, block.firstRow + block.image.rows, block.totalRows)
            update(run, false)
        }
        guard var done = entry else { return }
        done.reader = reader
        if reader.isFinished {
            watcher.finish(file.name)
            growing[file.name] = nil
            run.growingProgress = nil
            let now = clock()
            let landed = max(done.landed, file.modified)
            var references = done.result
            references.classSums = []   // already added block by block
            run.add(frame: LiveFrameRecord(index: run.processedFiles, file: file.name, landed: landed - start,
                                           latency: now - landed, fractions: done.result.fractions,
                                           pixels: done.map.rows * done.map.columns),
                    map: done.map.labels.isEmpty || pipeline.classifier == nil ? nil : done.map,
                    result: references, busy: done.busy)
            run.elapsed = now - start
            update(run, false)
        } else {
            growing[file.name] = done
        }
    }
}
