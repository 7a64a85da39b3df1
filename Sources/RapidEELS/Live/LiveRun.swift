import EELS
import Foundation

/// One kind of trouble met while watching; each is shown as one line, counted, and never stops the watch.
public enum LiveProblemKind: String, Sendable, CaseIterable {
    case unreadable = "unreadable"
    case vanished = "vanished"
    case shape = "other shape"
    case incompatible = "other energy axis"
    case backlog = "backlog"
    case folder = "folder"
}

/// One line about a file that could not be used, or about the backlog.
public struct LiveProblem: Sendable {
    /// Seconds since the watch started.
    public var time: Double
    public var file: String
    public var kind: LiveProblemKind
    public var message: String
    public var line: String { String(format: "%7.2f s  %@: %@ (%@)", time, kind.rawValue, message, file) }
}

/// The numbers of one processed frame (a file, or a growing file once complete).
public struct LiveFrameRecord: Sendable {
    /// 0-based position in the watch.
    public var index: Int
    public var file: String
    /// When the file's last byte landed, seconds since the watch started.
    public var landed: Double
    /// From landing to the result being published to the display, seconds.
    public var latency: Double
    /// Pixel fraction per class.
    public var fractions: [Double]
    public var pixels: Int
}

/// The class and probability maps of one frame.
public struct LiveMap: Sendable {
    public var index: Int
    public var file: String
    public var rows: Int
    public var columns: Int
    public var labels: [UInt8]
    /// [pixels x classes]
    public var probabilities: [Float]
}

/// Everything a watch has produced so far: the time series of class fractions and latencies, the newest maps,
/// running class references (mean denoised spectrum of the pixels of each class), and the problems met.
/// Memory is bounded: `maps` keeps the newest `keepMaps` frames, `frames` the newest `historyLimit` records,
/// `problems` the newest `problemLimit` lines (counts are never dropped).
///
///     let run = try session.run(isCancelled: { false }) { run, _ in print(run.statusLine) }
///     run.frames.map(\.fractions[1])   // the converted fraction against time
public final class LiveRun: @unchecked Sendable {
    public let classNames: [String]
    public let axis: UniformAxis
    public let keepMaps: Int
    public let historyLimit: Int
    public let problemLimit: Int
    public private(set) var frames: [LiveFrameRecord] = []
    /// Records older than the history limit (counted in the totals, no longer listed).
    public private(set) var framesForgotten = 0
    public private(set) var maps: [LiveMap] = []
    public private(set) var problems: [LiveProblem] = []
    public private(set) var problemCounts: [LiveProblemKind: Int] = [:]
    /// The newest frame's mean denoised spectrum (empty without a denoiser).
    public private(set) var latestMean: [Float] = []
    /// How many pixels `latestMean` averages, and how many the frame (or row block) had.
    public private(set) var latestDenoisedPixels = 0
    public private(set) var latestFramePixels = 0
    public private(set) var referenceSums: [[Double]]
    public private(set) var referenceCounts: [Int]
    public private(set) var processedFiles = 0
    public private(set) var processedSpectra = 0
    /// Seconds spent reading and processing (not waiting).
    public private(set) var busySeconds = 0.0
    public internal(set) var elapsed = 0.0
    public internal(set) var backlog = 0
    public internal(set) var maxBacklog = 0
    /// Rows of a growing file processed so far (nil when none is growing).
    public internal(set) var growingProgress: (file: String, rows: Int, total: Int)?
    public internal(set) var stopReason = "running"
    /// When the watch started, seconds since 1970.
    public internal(set) var startedAt = 0.0
    /// The watched folder and pattern.
    public let source: String

    public init(classNames: [String], axis: UniformAxis, source: String, keepMaps: Int = 20,
                historyLimit: Int = 200_000, problemLimit: Int = 1_000) {
        self.classNames = classNames
        self.axis = axis
        self.source = source
        self.keepMaps = max(1, keepMaps)
        self.historyLimit = max(1, historyLimit)
        self.problemLimit = max(1, problemLimit)
        let k = max(classNames.count, 1)
        referenceSums = [[Double]](repeating: [], count: k)
        referenceCounts = [Int](repeating: 0, count: k)
    }

    func add(problem: LiveProblem) {
        problemCounts[problem.kind, default: 0] += 1
        problems.append(problem)
        if problems.count > problemLimit { problems.removeFirst(problems.count - problemLimit) }
    }

    func add(frame: LiveFrameRecord, map: LiveMap?, result: LiveFrameResult, busy: Double) {
        frames.append(frame)
        if frames.count > historyLimit {
            frames.removeFirst(frames.count - historyLimit)
            framesForgotten += 1
        }
        if let map {
            maps.append(map)
            if maps.count > keepMaps { maps.removeFirst(maps.count - keepMaps) }
        }
        processedFiles += 1
        processedSpectra += frame.pixels
        busySeconds += busy
        addReferences(result)
    }

    /// Adds a frame's (or row block's) denoised spectra to the running class references and keeps its mean as the
    /// newest. `add(frame:...)` calls it; a growing file's row blocks call it one by one.
    public func addReferences(_ result: LiveFrameResult) {
        if !result.meanDenoised.isEmpty {
            latestMean = result.meanDenoised
            latestDenoisedPixels = result.denoisedPixels
            latestFramePixels = result.rows * result.columns
        }
        for (c, sum) in result.classSums.enumerated() where !sum.isEmpty && c < referenceSums.count {
            if referenceSums[c].isEmpty { referenceSums[c] = sum } else {
                for j in sum.indices { referenceSums[c][j] += sum[j] }
            }
            referenceCounts[c] += c < result.denoisedClassCounts.count ? result.denoisedClassCounts[c] : result.classCounts[c]
        }
    }

    /// The mean denoised spectrum of every pixel classified into each class so far (empty where none).
    public var references: [[Float]] {
        zip(referenceSums, referenceCounts).map { sum, n in n == 0 || sum.isEmpty ? [] : sum.map { Float($0 / Double(n)) } }
    }

    /// Problems by kind.
    public func count(_ kind: LiveProblemKind) -> Int { problemCounts[kind] ?? 0 }
    public var problemTotal: Int { problemCounts.values.reduce(0, +) }

    /// Spectra per second of processing time (reading included), and per second of wall time.
    public var spectraPerBusySecond: Double { busySeconds > 0 ? Double(processedSpectra) / busySeconds : 0 }
    public var spectraPerSecond: Double { elapsed > 0 ? Double(processedSpectra) / elapsed : 0 }

    /// The q-quantile (0...1) of the listed frames' latencies, seconds (0 without frames).
    public func latencyQuantile(_ q: Double) -> Double {
        let sorted = frames.map(\.latency).sorted()
        guard !sorted.isEmpty else { return 0 }
        let i = min(sorted.count - 1, max(0, Int((q * Double(sorted.count - 1)).rounded())))
        return sorted[i]
    }

    /// One line: frames, spectra/s, latency, backlog, problems.
    public var statusLine: String {
        var s = String(format: "%d frames (%d spectra) in %.1f s; %.3g spectra/s processing, latency p50 %.0f ms, "
                       + "p99 %.0f ms; backlog %d (max %d); problems %d", processedFiles, processedSpectra, elapsed,
                       spectraPerBusySecond, latencyQuantile(0.5) * 1000, latencyQuantile(0.99) * 1000, backlog,
                       maxBacklog, problemTotal)
        if let g = growingProgress { s += "; growing \(g.file): \(g.rows)/\(g.total) rows" }
        return s
    }
}
