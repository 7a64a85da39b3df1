import Foundation

/// An in-situ experiment to write into a folder as a microscope would: one spectrum image per frame (or growing
/// files that fill row by row), at a given rate, while a region of the film converts from one state to another.
///
/// The anneal: in frame i the first `front(i)` columns of the scan have converted (the annealed / oxidised state),
/// the rest have not; the converted fraction rises smoothly from `startFraction` to `endFraction` over the frames
/// (f(u) = start + (end - start)(3u² - 2u³), u = i / (frames - 1)). Every pixel is one pure state, so the true class
/// fraction of a frame is exactly `front / columns`, written to `truth.csv` as each frame lands.
///
///     var plan = AcquisitionPlan(edge: .srfeo3)
///     plan.frames = 20; plan.rate = 5
///     let simulator = try AcquisitionSimulator(plan: plan)
///     try simulator.run(into: "/tmp/live")            // 20 DM4 files at 5 per second, and truth.csv
public struct AcquisitionPlan: Sendable, Equatable {
    /// Which simulator: the paper's SrFeO3 -> SrFeO2.5 O K edge, or the Mn L2,3 one (Mn2+ -> Mn3+).
    public enum Edge: String, Sendable, CaseIterable { case srfeo3, mn }
    /// One complete file per frame (written under a hidden name, then renamed), or one file per frame that grows.
    public enum Mode: String, Sendable, CaseIterable { case files, growing }
    public enum Format: String, Sendable, CaseIterable { case dm4, npy }

    public var edge: Edge
    public var mode: Mode = .files
    public var format: Format = .dm4
    /// Frames (files) to write.
    public var frames = 20
    /// Files per second (growing mode: row blocks per second).
    public var rate = 5.0
    public var rows = 10
    public var columns = 638
    /// The converted fraction of the first and last frame.
    public var startFraction = 0.0
    public var endFraction = 1.0
    /// Distinct noise realisations per state; frames cycle through them (simulating is slower than writing).
    public var pool = 2
    /// Growing mode: rows appended per write.
    public var rowsPerWrite = 2
    /// Keep only the newest `keep` frame files (0 = keep all): long runs without filling the disk.
    public var keep = 0
    /// Write frames straight into their final name in four pieces (a writer that is not atomic), not by rename.
    public var direct = false
    public var seed: UInt64 = 1
    /// File names: `<prefix>_00001.dm4`.
    public var prefix = "frame"

    public init(edge: Edge) { self.edge = edge }

    /// The class names the frames' states go by (index 0 = unconverted, 1 = converted).
    public var classNames: [String] {
        edge == .srfeo3 ? OxidationState.classNames : [MnValence.mn2.label, MnValence.mn3.label]
    }

    /// Converted columns in frame `index`.
    public func front(_ index: Int) -> Int {
        let u = frames > 1 ? Double(index) / Double(frames - 1) : 1
        let f = startFraction + (endFraction - startFraction) * (3 * u * u - 2 * u * u * u)
        return Swift.min(columns, Swift.max(0, Int((f * Double(columns)).rounded())))
    }

    /// The true converted fraction of frame `index` (exact: every pixel is pure).
    public func trueFraction(_ index: Int) -> Double { Double(front(index)) / Double(columns) }

    /// The name of frame `index` (1-based in the name, zero-padded so names sort in time order).
    public func fileName(_ index: Int) -> String { String(format: "%@_%05d.%@", prefix, index + 1, format.rawValue) }

    func validate() throws {
        guard frames > 0, frames <= 10_000_000 else { throw EELSError.value("frames \(frames): need 1 to 10 million") }
        guard rate > 0, rate <= 10_000 else { throw EELSError.value("rate \(rate) files/s: need (0, 10000]") }
        guard rows > 0, columns > 1, rows * columns <= 1_000_000 else {
            throw EELSError.value("\(rows) x \(columns) pixels per frame: need 1 to 1,000,000 and 2+ columns")
        }
        guard (0...1).contains(startFraction), (0...1).contains(endFraction) else {
            throw EELSError.value("the converted fractions must be within 0...1")
        }
        guard pool >= 1, pool <= 64 else { throw EELSError.value("pool \(pool): need 1 to 64") }
        guard rowsPerWrite >= 1 else { throw EELSError.value("rowsPerWrite must be at least 1") }
        guard keep >= 0 else { throw EELSError.value("keep must be 0 (all) or more") }
        guard !prefix.isEmpty, !prefix.contains("/") else { throw EELSError.value("the prefix must be a file name") }
    }
}

/// Writes an `AcquisitionPlan` into a folder at its rate. Simulating the two states' spectrum images takes a
/// moment at start (`pool` realisations each); frames are then cut from them (columns `0..<front` from the
/// converted state), so files land at the requested rate.
public final class AcquisitionSimulator: @unchecked Sendable {
    public let plan: AcquisitionPlan
    /// pool[state][realisation]
    private let pool: [[SpectrumImage]]

    /// - Throws: `EELSError.value` for a plan out of range.
    public init(plan: AcquisitionPlan) throws {
        try plan.validate()
        self.plan = plan
        var images: [[SpectrumImage]] = [[], []]
        for state in 0..<2 {
            for r in 0..<plan.pool {
                let seed = mixSeed(plan.seed, UInt64(1_000 * state + r + 1))
                images[state].append(try Self.simulate(plan, state: state, seed: seed))
            }
        }
        pool = images
    }

    private static func simulate(_ plan: AcquisitionPlan, state: Int, seed: UInt64) throws -> SpectrumImage {
        switch plan.edge {
        case .srfeo3:
            var spec = SpectrumImageSpec(state: state == 0 ? .initial : .annealed, thickness: 0.7...0.8, seed: seed)
            spec.rows = plan.rows
            spec.columns = plan.columns
            spec.physics = PaperDatasetOptions().physics
            return try simulateSpectrumImage(spec).image
        case .mn:
            let simulator = try CoreLossSimulator.manganese()
            var spec = CoreLossImageSpec(classIndex: state, classCount: 3, thickness: 0.35...0.45, seed: seed)
            spec.rows = plan.rows
            spec.columns = plan.columns
            spec.pixelSize = 2
            return try simulateCoreLossImage(spec, with: simulator).image
        }
    }

    /// The spectrum image of frame `index`.
    public func frame(_ index: Int) -> SpectrumImage {
        let r = index % plan.pool
        var si = pool[0][r]
        let converted = pool[1][(r + 1) % plan.pool]
        let front = plan.front(index), channels = si.channels, columns = plan.columns
        if front > 0 {
            si.data.withUnsafeMutableBufferPointer { out in
                converted.data.withUnsafeBufferPointer { src in
                    for row in 0..<plan.rows {
                        let start = (row * columns) * channels
                        for k in start..<start + front * channels { out[k] = src[k] }
                    }
                }
            }
        }
        si.metadata["title"] = String(plan.fileName(index).dropLast(4))
        return si
    }

    /// Writes every frame into `folder` (created if needed) at the plan's rate, appending to `truth.csv`
    /// (`frame,file,time_s,unix_time,converted_fraction,class_0,class_1`) as each lands. Returns early when `isCancelled` turns true.
    /// - Parameter log: called with one line per frame written.
    /// - Throws: `EELSError.file` when the folder cannot be written.
    public func run(into folder: String, isCancelled: () -> Bool = { false }, log: (String) -> Void = { _ in }) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EELSError.file(path: folder, detail: "cannot create the acquisition folder: \(error.localizedDescription)")
        }
        Self.clear(folder: folder, prefix: plan.prefix)
        let base = URL(fileURLWithPath: folder)
        let truthPath = base.appendingPathComponent("truth.csv").path
        let truth = "frame,file,time_s,unix_time,converted_fraction,class_0,class_1\n"
        try write(Array(truth.utf8), to: truthPath)
        let start = Date().timeIntervalSince1970
        let interval = 1 / plan.rate
        var tick = 0
        func waitForTick() {
            tick += 1
            let due = start + Double(tick) * interval
            while !isCancelled() {
                let left = due - Date().timeIntervalSince1970
                if left <= 0 { break }
                usleep(UInt32(min(left, 0.05) * 1e6))
            }
        }
        for index in 0..<plan.frames {
            if isCancelled() { return }
            let name = plan.fileName(index)
            let path = base.appendingPathComponent(name).path
            let si = frame(index)
            switch plan.mode {
            case .files:
                let bytes = encode(si)
                if plan.direct {
                    try writeInPieces(bytes, to: path)
                } else {
                    let hidden = base.appendingPathComponent("." + name + ".part").path
                    try write(bytes, to: hidden)
                    guard rename(hidden, path) == 0 else {
                        throw EELSError.file(path: path, detail: "cannot rename the finished frame into place")
                    }
                }
            case .growing:
                try writeGrowing(si, to: path, isCancelled: isCancelled, waitForTick: waitForTick)
            }
            let now = Date().timeIntervalSince1970, time = now - start
            let line = String(format: "%d,%@,%.4f,%.4f,%.6f,%@,%@\n", index, name, time, now, plan.trueFraction(index),
                              plan.classNames[0], plan.classNames[1])
            try append(Array(line.utf8), to: truthPath)
            log(String(format: "frame %d %@ at %.3f s, converted %.4f", index, name, time, plan.trueFraction(index)))
            if plan.keep > 0, index >= plan.keep {
                let old = base.appendingPathComponent(plan.fileName(index - plan.keep)).path
                unlink(old)
                if plan.format == .npy { unlink(NPYFormat.sidecarPath(for: old)) }
            }
            if plan.mode == .files && index + 1 < plan.frames { waitForTick() }
        }
    }

    /// Removes the frames and truth a previous run of this plan left in `folder` (`<prefix>_NNNNN.dm4|npy`, their
    /// sidecars and partial files, truth.csv), so a new run's files are new to a watcher.
    public static func clear(folder: String, prefix: String = "frame") {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            let bare = name.hasPrefix(".") ? String(name.dropFirst()) : name
            guard name == "truth.csv" || bare.hasPrefix(prefix + "_") else { continue }
            let rest = bare.dropFirst(prefix.count + 1)
            guard name == "truth.csv" || rest.prefix(5).allSatisfy(\.isNumber) else { continue }
            unlink((folder as NSString).appendingPathComponent(name))
        }
    }

    /// The file bytes of one frame in the plan's format.
    public func encode(_ si: SpectrumImage) -> [UInt8] {
        plan.format == .dm4 ? DMWriter.bytes(si, version: 4) : NPYFormat.encode(values: si.data,
                                                                             shape: [si.rows, si.columns, si.channels])
    }

    private func writeSidecar(_ si: SpectrumImage, for path: String) throws {
        let axes = [(si.rowAxis, true), (si.columnAxis, true), (si.energy, false)].map {
            NPYFormat.Sidecar.Axis(name: $0.0.name, offset: $0.0.offset, scale: $0.0.scale, size: $0.0.size,
                                   units: $0.0.units, navigate: $0.1)
        }
        let sidecar = NPYFormat.Sidecar(kind: "spectrumImage", axes: axes, metadata: si.metadata)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(sidecar)) ?? Data()
        let target = NPYFormat.sidecarPath(for: path)
        let dir = (target as NSString).deletingLastPathComponent
        let hidden = dir + "/." + (target as NSString).lastPathComponent + ".part"
        try write([UInt8](data), to: hidden)
        rename(hidden, target)
    }

    private func writeGrowing(_ si: SpectrumImage, to path: String, isCancelled: () -> Bool,
                              waitForTick: () -> Void) throws {
        let rowLength = si.columns * si.channels
        switch plan.format {
        case .npy:
            try writeSidecar(si, for: path)
            let full = NPYFormat.encode(values: si.data, shape: [si.rows, si.columns, si.channels])
            let dataOffset = full.count - si.data.count * 4
            try write(Array(full[0..<dataOffset]), to: path)
            var row = 0
            while row < si.rows {
                if isCancelled() { return }
                waitForTick()
                let end = Swift.min(si.rows, row + plan.rowsPerWrite)
                try append(Array(full[(dataOffset + row * rowLength * 4)..<(dataOffset + end * rowLength * 4)]), to: path)
                row = end
            }
        case .dm4:
            // DigitalMicrograph's way: the whole image exists from the start; acquired rows fill in.
            var partial = si
            for k in partial.data.indices { partial.data[k] = 0 }
            var row = 0
            let base = (path as NSString).deletingLastPathComponent
            let hidden = base + "/." + (path as NSString).lastPathComponent + ".part"
            while row < si.rows {
                if isCancelled() { return }
                waitForTick()
                let end = Swift.min(si.rows, row + plan.rowsPerWrite)
                for k in row * rowLength..<end * rowLength { partial.data[k] = si.data[k] }
                try write(DMWriter.bytes(partial, version: 4), to: hidden)
                guard rename(hidden, path) == 0 else {
                    throw EELSError.file(path: path, detail: "cannot rename the growing image into place")
                }
                row = end
            }
        }
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        try put(bytes, to: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
    }

    private func append(_ bytes: [UInt8], to path: String) throws {
        try put(bytes, to: path, flags: O_WRONLY | O_APPEND)
    }

    private func put(_ bytes: [UInt8], to path: String, flags: Int32) throws {
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw EELSError.file(path: path, detail: "cannot open for writing") }
        defer { close(fd) }
        var offset = 0
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                guard n > 0 else { throw EELSError.file(path: path, detail: "cannot write (disk full?)") }
                offset += n
            }
        }
    }

    private func writeInPieces(_ bytes: [UInt8], to path: String) throws {
        try write([], to: path)
        let piece = (bytes.count + 3) / 4
        var offset = 0
        while offset < bytes.count {
            let end = Swift.min(bytes.count, offset + piece)
            try append(Array(bytes[offset..<end]), to: path)
            offset = end
            if offset < bytes.count { usleep(10_000) }
        }
    }
}

/// The simulator's record of what it wrote (`truth.csv`): per frame the file, when it landed and its true converted
/// fraction.
///
///     let truth = try AcquisitionTruth(folder: "/tmp/live")
///     truth.fraction(of: "frame_00003.dm4")    // 0.0312
public struct AcquisitionTruth: Sendable {
    public struct Frame: Sendable {
        public var index: Int
        public var file: String
        /// Seconds since the simulator started, and since 1970.
        public var time: Double
        public var unixTime: Double
        public var fraction: Double
    }
    public var frames: [Frame]
    /// The unconverted and converted class names.
    public var classNames: [String]

    /// Reads `folder/truth.csv`.
    /// - Throws: `EELSError.file` when it is missing or malformed.
    public init(folder: String) throws {
        let path = (folder as NSString).appendingPathComponent("truth.csv")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EELSError.file(path: path, detail: "no truth.csv (written by simulate-acquisition) in this folder")
        }
        var frames: [Frame] = [], names: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 7, let i = Int(f[0]), let t = Double(f[2]), let u = Double(f[3]),
                  let x = Double(f[4]) else {
                throw EELSError.file(path: path, detail: "malformed line '\(line.prefix(80))'")
            }
            frames.append(Frame(index: i, file: f[1], time: t, unixTime: u, fraction: x))
            names = [f[5], f[6]]
        }
        self.frames = frames
        classNames = names
    }

    /// The true converted fraction of `file` (nil when the simulator did not write it).
    public func fraction(of file: String) -> Double? { frames.first { $0.file == file }?.fraction }
}
