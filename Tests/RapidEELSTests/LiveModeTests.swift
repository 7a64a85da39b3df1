import EELS
import Foundation
import RapidEELS
import XCTest

/// Live mode: the folder watcher, the growing-file reader, the acquisition simulator and the watch loop, with the
/// simulator writing into a real folder on another thread (the integration tests run it as its own process).
final class LiveModeTests: XCTestCase {
    /// An in-memory folder whose files the test grows, renames and removes.
    final class FakeFolder: WatchedFileSystem, @unchecked Sendable {
        let lock = NSLock()
        var files: [String: (size: Int, modified: Double)] = [:]
        func set(_ name: String, size: Int, at time: Double) { lock.lock(); files[name] = (size, time); lock.unlock() }
        func remove(_ name: String) { lock.lock(); files[name] = nil; lock.unlock() }
        func fileNames(in folder: String) -> [String]? { lock.lock(); defer { lock.unlock() }; return Array(files.keys) }
        func status(of path: String) -> (size: Int, modified: Double)? {
            lock.lock(); defer { lock.unlock() }
            return files[(path as NSString).lastPathComponent]
        }
    }

    /// The real folder without inotify events, listing the `*_burst.dm4` files only once `burst` of them exist.
    struct BurstAtOnce: WatchedFileSystem {
        let burst: Int
        let real = LocalFileSystem(usesEvents: false)
        func fileNames(in folder: String) -> [String]? {
            guard let names = real.fileNames(in: folder) else { return nil }
            let landed = names.filter { $0.hasSuffix("_burst.dm4") }
            return landed.count >= burst ? names : names.filter { !$0.hasSuffix("_burst.dm4") }
        }
        func status(of path: String) -> (size: Int, modified: Double)? { real.status(of: path) }
    }

    func testWatcherHandsOutOnlySettledFilesOnceInNameOrder() throws {
        let fs = FakeFolder()
        fs.set("old.dm4", size: 10, at: 0)
        var watcher = FolderWatcher(folder: "/w", pattern: "*.dm4", settle: 0.05, fileSystem: fs)
        XCTAssertEqual(try watcher.poll(now: 0).map(\.name), [], "files present at the start are skipped")
        fs.set("b.dm4", size: 100, at: 1.0)
        fs.set("a.dm4", size: 50, at: 1.0)
        fs.set("notes.txt", size: 5, at: 1.0)
        XCTAssertEqual(try watcher.poll(now: 1.0).map(\.name), [], "just seen: not settled yet")
        fs.set("a.dm4", size: 80, at: 1.04)                        // still being written
        XCTAssertEqual(try watcher.poll(now: 1.06).map(\.name), ["b.dm4"])
        XCTAssertEqual(try watcher.poll(now: 1.08).map(\.name), [], "a.dm4 changed 0.04 s ago")
        XCTAssertEqual(try watcher.poll(now: 1.2).map(\.name), ["a.dm4"])
        XCTAssertEqual(try watcher.poll(now: 2).map(\.name), [], "each file once")
        fs.set("c.dm4", size: 10, at: 2)
        _ = try watcher.poll(now: 2)
        fs.remove("c.dm4")
        XCTAssertEqual(try watcher.poll(now: 3).map(\.name), [])
        XCTAssertEqual(watcher.vanished, ["c.dm4"], "a file removed before it was complete is reported")
        // A handed-out file that could not be read comes back when it changes, and only then.
        fs.set("d.dm4", size: 10, at: 4)
        _ = try watcher.poll(now: 4)
        XCTAssertEqual(try watcher.poll(now: 4.1).map(\.name), ["d.dm4"])
        watcher.retryIfChanged("d.dm4")
        XCTAssertEqual(try watcher.poll(now: 4.2).map(\.name), [])
        fs.set("d.dm4", size: 20, at: 4.3)
        _ = try watcher.poll(now: 4.3)
        XCTAssertEqual(try watcher.poll(now: 4.4).map(\.name), ["d.dm4"])
        XCTAssertEqual(try watcher.poll(now: 5).map(\.name), [])
    }

    func testWatcherReportsAMissingFolder() {
        var watcher = FolderWatcher(folder: "/nonexistent/\(UUID().uuidString)")
        XCTAssertThrowsError(try watcher.poll(now: 0)) { XCTAssertTrue("\($0)".contains("cannot be read"), "\($0)") }
    }

    func testGrowingNPYIsReadInCompleteRowsOnly() throws {
        let folder = try temporaryFolder()
        let si = SpectrumImage(rows: 5, columns: 3, energy: UniformAxis(offset: 600, scale: 0.5, size: 4),
                               data: (0..<60).map(Float.init))
        let path = folder + "/g.npy"
        let full = NPYFormat.encode(values: si.data, shape: [5, 3, 4])
        let header = full.count - 240
        FileManager.default.createFile(atPath: path, contents: Data(full[0..<(header + 2 * 48 + 20)]))
        var reader = GrowingFileReader(path: path)
        let first = try XCTUnwrap(try reader.nextRows())
        XCTAssertEqual(first.firstRow, 0)
        XCTAssertEqual(first.image.rows, 2, "the third row is incomplete")
        XCTAssertEqual(first.image.data, Array(si.data[0..<24]))
        XCTAssertNil(try reader.nextRows())
        XCTAssertFalse(reader.isFinished)
        FileManager.default.createFile(atPath: path, contents: Data(full))
        let second = try XCTUnwrap(try reader.nextRows())
        XCTAssertEqual(second.firstRow, 2)
        XCTAssertEqual(second.image.data, Array(si.data[24...]))
        XCTAssertTrue(reader.isFinished)
    }

    func testGrowingDMImageYieldsTheAcquiredRows() throws {
        let folder = try temporaryFolder()
        var si = SpectrumImage(rows: 4, columns: 3, energy: UniformAxis(offset: 600, scale: 0.5, size: 8),
                               data: (0..<96).map { Float($0 + 1) })
        let complete = si
        for k in 48..<96 { si.data[k] = 0 }                         // rows 2 and 3 not acquired yet
        let path = folder + "/g.dm4"
        try DMWriter.write(si, to: path)
        var reader = GrowingFileReader(path: path)
        let first = try XCTUnwrap(try reader.nextRows())
        XCTAssertEqual(first.image.rows, 2)
        XCTAssertNil(try reader.nextRows())
        try DMWriter.write(complete, to: path)
        let second = try XCTUnwrap(try reader.nextRows())
        XCTAssertEqual(second.firstRow, 2)
        XCTAssertEqual(second.image.data, Array(complete.data[48...]))
        XCTAssertTrue(reader.isFinished)
    }

    func testSimulatedAnnealConvertsAlongTheScan() throws {
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 2
        plan.columns = 20
        plan.frames = 5
        let simulator = try AcquisitionSimulator(plan: plan)
        XCTAssertEqual((0..<5).map(plan.front), [0, 3, 10, 17, 20])
        XCTAssertEqual(plan.trueFraction(2), 0.5)
        let first = simulator.frame(0), last = simulator.frame(4)
        XCTAssertEqual(first.rows, 2)
        XCTAssertNotEqual(first.data, last.data)
        XCTAssertEqual(plan.fileName(11), "frame_00012.dm4")
    }

    /// A small Mn2+ / Mn3+ model trained on pure frames of the simulator (the two classes differ by 1.6 eV).
    static let model: (Denoiser, OxidationClassifier) = {
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 8
        plan.columns = 40
        plan.frames = 2
        plan.pool = 3
        plan.seed = 77
        let simulator = try! AcquisitionSimulator(plan: plan)
        var items: [DatasetItem] = []
        for r in 0..<3 {
            var p2 = plan
            p2.seed = 77 + UInt64(r)
            let s = try! AcquisitionSimulator(plan: p2)
            items.append(DatasetItem(image: s.frame(0), label: 0, name: "mn2-\(r)"))
            items.append(DatasetItem(image: s.frame(1), label: 1, name: "mn3-\(r)"))
        }
        _ = simulator
        let method = try! PreprocessingMethod(window: 632...664, binWidth: 0.4, background: 600...630,
                                              block: (rows: 2, columns: 8))
        let denoiser = try! Denoiser(seed: 1, method: method, latent: 5)
        let data = Dataset(items, classNames: plan.classNames)
        try! denoiser.train(on: data, epochs: 25, batchSize: 64, seed: 1)
        let classifier = try! OxidationClassifier(denoiser: denoiser, classNames: plan.classNames, seed: 1)
        try! classifier.train(on: data, epochs: 200, batchSize: 64, seed: 1)
        return (denoiser, classifier)
    }()

    func testEveryFrameOnceInOrderAndTheFractionsFollowTheAnneal() throws {
        let folder = try temporaryFolder()
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 8
        plan.columns = 40
        plan.frames = 12
        plan.rate = 25
        plan.direct = true          // written in pieces into the final name: the watcher must wait for them
        plan.seed = 5
        let simulator = try AcquisitionSimulator(plan: plan)
        let pipeline = try LivePipeline(denoiser: Self.model.0, classifier: Self.model.1)
        var options = LiveOptions(folder: folder, pattern: "*.dm4")
        options.frames = 12
        options.seconds = 60
        let session = LiveSession(options: options, pipeline: pipeline)
        let writer = Thread { try? simulator.run(into: folder) }
        writer.start()
        var updates = 0
        let run = session.run(isCancelled: { false }) { _, _ in updates += 1 }
        XCTAssertEqual(run.frames.map(\.file), (0..<12).map(plan.fileName), "each frame once, in order")
        XCTAssertEqual(run.problemTotal, 0, run.problems.map(\.line).joined(separator: "\n"))
        XCTAssertGreaterThanOrEqual(updates, 13)
        let truth = try AcquisitionTruth(folder: folder)
        let errors = run.frames.map { abs($0.fractions[1] - truth.fraction(of: $0.file)!) }
        print("live: converted fraction error per frame", errors.map { String(format: "%.3f", $0) })
        XCTAssertLessThan(errors.reduce(0, +) / Double(errors.count), 0.1)
        XCTAssertLessThan(run.frames.first!.fractions[1], 0.2)
        XCTAssertGreaterThan(run.frames.last!.fractions[1], 0.8)
        XCTAssertEqual(run.maps.count, 12)
        XCTAssertEqual(run.references.filter { !$0.isEmpty }.count, 2)
    }

    func testBadFilesAreLinesAndTheWatchGoesOn() throws {
        let folder = try temporaryFolder()
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 8
        plan.columns = 40
        plan.frames = 3
        let simulator = try AcquisitionSimulator(plan: plan)
        let pipeline = try LivePipeline(denoiser: nil, classifier: Self.model.1)
        var options = LiveOptions(folder: folder, pattern: "*.dm4")
        options.frames = 3
        options.seconds = 30
        options.backlogWarning = 4
        // The size-and-time rule alone (FileManager.createFile writes by renaming into place, which inotify would
        // report complete at once, and a3_vanishing.dm4 could then be read before it is removed), and the burst
        // shown only once all eight are renamed in: a busy machine can pause the writer between two renames.
        let session = LiveSession(options: options, pipeline: pipeline, fileSystem: BurstAtOnce(burst: 8))
        let good = simulator.encode(simulator.frame(0))
        var otherAxis = simulator.frame(1)
        otherAxis.energy.scale = 0.37                               // a dispersion the method cannot bin
        let other = otherAxis
        let small = try simulator.frame(2).rowBlock(0..<4)
        let writer = Thread {
            usleep(150_000)
            func put(_ name: String, _ bytes: [UInt8]) {
                FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(bytes))
            }
            put("a1_corrupt.dm4", [UInt8](repeating: 7, count: 5000))
            put("a2_truncated.dm4", Array(good[0..<(good.count / 2)]))
            put("a3_vanishing.dm4", good)
            unlink(folder + "/a3_vanishing.dm4")
            put("a4_good.dm4", good)
            usleep(200_000)
            put("a5_other_shape.dm4", simulator.encode(small))
            put("a6_other_axis.dm4", simulator.encode(other))
            for i in 0..<8 { put(".b\(i)_burst.dm4.part", good) }
            for i in 0..<8 {                                        // landing at once: faster than processing
                rename(folder + "/.b\(i)_burst.dm4.part", folder + "/b\(i)_burst.dm4")
            }
        }
        writer.start()
        let run = session.run(isCancelled: { false }) { _, _ in }
        XCTAssertEqual(run.frames.map(\.file), ["a4_good.dm4", "b0_burst.dm4", "b1_burst.dm4"])
        print(run.problems.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(run.count(.unreadable), 2, "corrupt and truncated")
        XCTAssertEqual(run.count(.shape), 1)
        XCTAssertEqual(run.count(.incompatible), 1)
        XCTAssertGreaterThanOrEqual(run.count(.backlog), 1, "the burst is reported")
        XCTAssertGreaterThanOrEqual(run.maxBacklog, 4)
        XCTAssertTrue(run.problems.contains { $0.file == "a1_corrupt.dm4" && $0.kind == .unreadable })
        XCTAssertTrue(run.problems.contains { $0.file == "a6_other_axis.dm4" && $0.kind == .incompatible },
                      run.problems.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(run.backlog, 6, "the rest of the burst (8 - 2) waits, reported, not dropped")
    }

    func testGrowingFilesAreProcessedRowBlockByRowBlock() throws {
        let folder = try temporaryFolder()
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 8
        plan.columns = 40
        plan.frames = 2
        plan.rate = 40
        plan.mode = .growing
        plan.format = .npy
        plan.rowsPerWrite = 2
        plan.startFraction = 0.5
        plan.endFraction = 0.5
        let simulator = try AcquisitionSimulator(plan: plan)
        let pipeline = try LivePipeline(denoiser: Self.model.0, classifier: Self.model.1)
        var options = LiveOptions(folder: folder, pattern: "*.npy")
        options.frames = 2
        options.seconds = 60
        options.growing = true
        options.includeExisting = true      // the simulator starts writing before the first look
        let session = LiveSession(options: options, pipeline: pipeline)
        let writer = Thread { try? simulator.run(into: folder) }
        writer.start()
        var partial: [Int] = []
        let run = session.run(isCancelled: { false }) { run, _ in
            if let g = run.growingProgress { partial.append(g.rows) }
        }
        XCTAssertEqual(run.frames.map(\.file), ["frame_00001.npy", "frame_00002.npy"])
        XCTAssertTrue(partial.contains { $0 < 8 }, "rows were processed before the file was complete: \(partial)")
        let whole = try pipeline.process(simulator.frame(1))
        XCTAssertEqual(run.maps.last!.labels, whole.labels, "row blocks give the same map as the whole frame")
        XCTAssertEqual(run.frames.last!.fractions[1], 0.5, accuracy: 0.15)
    }

    func testThePipelineGivesWhatClassifyAndDenoiseGive() throws {
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 4
        plan.columns = 40
        plan.frames = 3
        let si = try AcquisitionSimulator(plan: plan).frame(1)
        let (denoiser, classifier) = Self.model
        let live = try LivePipeline(denoiser: denoiser, classifier: classifier)
        XCTAssertTrue(live.sharedEncoder, "the classifier was trained on this denoiser's encoder")
        let result = try live.process(si)
        let reference = try classifier.classify(si)
        XCTAssertEqual(result.labels.map(Int.init), reference.labels)
        XCTAssertEqual(result.probabilities, reference.probabilities, "bit for bit: same inputs, same network")
        let clean = try denoiser.denoise(si)
        for j in 0..<clean.channels {
            let mean = (0..<si.pixelCount).reduce(0.0) { $0 + Double(clean.data[$1 * clean.channels + j]) }
                / Double(si.pixelCount)
            XCTAssertEqual(Double(result.meanDenoised[j]), mean, accuracy: 1e-3 * max(1, abs(mean)))
        }
        XCTAssertEqual(result.fractions.reduce(0, +), 1, accuracy: 1e-12)
    }

    func testASampleOfPixelsIsDenoisedAndEveryPixelClassified() throws {
        var plan = AcquisitionPlan(edge: .mn)
        plan.rows = 4
        plan.columns = 40
        plan.frames = 3
        let si = try AcquisitionSimulator(plan: plan).frame(2)
        let (denoiser, classifier) = Self.model
        let all = try LivePipeline(denoiser: denoiser, classifier: classifier).process(si)
        let sampled = try LivePipeline(denoiser: denoiser, classifier: classifier, denoisedPerFrame: 16)
        let result = try sampled.process(si)
        XCTAssertEqual(result.labels, all.labels, "classes cover every pixel")
        XCTAssertEqual(result.probabilities, all.probabilities)
        XCTAssertEqual(result.classCounts, all.classCounts)
        XCTAssertEqual(all.denoisedPixels, 160)
        XCTAssertEqual(result.denoisedPixels, 16)
        let pixels = try XCTUnwrap(sampled.denoisedPixels(of: 160))
        XCTAssertEqual(pixels, Array(stride(from: 0, to: 160, by: 10)), "evenly spread over the frame")
        XCTAssertNil(sampled.denoisedPixels(of: 12), "a frame smaller than the sample is denoised whole")
        let clean = try denoiser.denoise(si)
        let k = classifier.classNames.count
        XCTAssertEqual(result.denoisedClassCounts, (0..<k).map { c in pixels.filter { Int(all.labels[$0]) == c }.count })
        for j in 0..<clean.channels {
            let values = pixels.map { Double(clean.data[$0 * clean.channels + j]) }
            let mean = values.reduce(0, +) / Double(pixels.count)
            XCTAssertEqual(Double(result.meanDenoised[j]), mean, accuracy: 1e-3 * max(1, abs(mean)))
            for c in 0..<k {
                let sum = pixels.filter { Int(all.labels[$0]) == c }
                    .reduce(0.0) { $0 + Double(clean.data[$1 * clean.channels + j]) }
                XCTAssertEqual(result.classSums[c][j], sum, accuracy: 1e-3 * max(1, abs(sum)))
            }
        }
        // Without the shared encoder (a denoiser alone) the same pixels are denoised.
        let alone = try LivePipeline(denoiser: denoiser, classifier: nil, denoisedPerFrame: 16).process(si)
        for j in 0..<clean.channels {
            XCTAssertEqual(alone.meanDenoised[j], result.meanDenoised[j], accuracy: 1e-3 * max(1, abs(result.meanDenoised[j])))
        }
        XCTAssertThrowsError(try LivePipeline(denoiser: denoiser, classifier: nil, denoisedPerFrame: 0)) {
            XCTAssertTrue("\($0)".contains("at least 1"), "\($0)")
        }
        // The run's references average the denoised pixels, not the frame's pixel count.
        let run = LiveRun(classNames: classifier.classNames, axis: sampled.method.axis, source: "test")
        run.addReferences(result)
        for c in 0..<k where result.denoisedClassCounts[c] > 0 {
            XCTAssertEqual(Double(run.references[c][0]), result.classSums[c][0] / Double(result.denoisedClassCounts[c]),
                           accuracy: 1e-4 * max(1, abs(result.classSums[c][0])))
        }
    }

    /// Linux reports a file renamed into the folder: the watcher hands it out at once instead of after the settle
    /// time. A file written in place waits for the size-and-time rule even after its writer closes it (writers
    /// close and reopen).
    func testAFileRenamedIntoTheFolderIsCompleteAtOnce() throws {
        #if os(Linux)
        let folder = try temporaryFolder()
        let staging = try temporaryFolder()
        var watcher = FolderWatcher(folder: folder, pattern: "*.dm4", settle: 30)   // the rule alone would wait 30 s
        XCTAssertEqual(try watcher.poll(now: Date().timeIntervalSince1970).map(\.name), [])
        FileManager.default.createFile(atPath: staging + "/a.dm4", contents: Data(repeating: 1, count: 100))
        XCTAssertEqual(rename(staging + "/a.dm4", folder + "/a.dm4"), 0)
        let descriptor = open(folder + "/b.dm4", O_CREAT | O_WRONLY, 0o644)   // in place (createFile renames)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        let writer = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        writer.write(Data(repeating: 2, count: 100))
        XCTAssertEqual(try watcher.poll(now: Date().timeIntervalSince1970).map(\.name), ["a.dm4"],
                       "renamed in: complete; b.dm4 is still being written")
        writer.write(Data(repeating: 3, count: 100))
        try writer.close()
        XCTAssertEqual(try watcher.poll(now: Date().timeIntervalSince1970).map(\.name), [],
                       "closed by its writer, but written in place: the 30 s rule")
        XCTAssertEqual(try watcher.poll(now: Date().timeIntervalSince1970 + 31).map(\.name), ["b.dm4"])
        XCTAssertEqual(try watcher.poll(now: Date().timeIntervalSince1970 + 32).map(\.name), [], "each file once")
        // The same folder without events: only the rule, so nothing is complete within the 30 s.
        var plain = FolderWatcher(folder: folder, pattern: "*.dm4", settle: 30, fileSystem: LocalFileSystem(usesEvents: false))
        _ = try plain.poll(now: Date().timeIntervalSince1970)
        FileManager.default.createFile(atPath: staging + "/c.dm4", contents: Data(repeating: 1, count: 100))
        XCTAssertEqual(rename(staging + "/c.dm4", folder + "/c.dm4"), 0)
        XCTAssertEqual(try plain.poll(now: Date().timeIntervalSince1970).map(\.name), [])
        // A wait returns early when a file lands.
        let events = FolderEvents(folder: folder)
        XCTAssertTrue(events.isActive)
        let landing = Thread {
            usleep(50_000)
            FileManager.default.createFile(atPath: staging + "/d.dm4", contents: Data(repeating: 1, count: 10))
            _ = rename(staging + "/d.dm4", folder + "/d.dm4")
        }
        let start = Date()
        landing.start()
        events.wait(timeout: 5)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "woken by the landing, not the 5 s timeout")
        XCTAssertEqual(events.completedNames(), ["d.dm4"])
        #else
        throw XCTSkip("inotify is Linux's")
        #endif
    }

    /// A DM frame's window is binned straight from the file; it must be what loading the file and preparing the
    /// image gives, bit for bit, wherever the window falls on the file's channels and for each bin factor.
    func testADMFrameIsPreparedStraightFromTheFileBitForBit() throws {
        let folder = try temporaryFolder()
        let (denoiser, classifier) = Self.model        // window 632-664 eV in 0.4 eV bins
        let pipeline = try LivePipeline(denoiser: denoiser, classifier: classifier)
        var rng = SeededGenerator(seed: 9)
        for (index, (offset, scale)) in [(600.0, 0.1), (600.37, 0.1), (598.9, 0.2), (620.05, 0.4), (610.0, 0.05)]
            .enumerated() {
            let energy = UniformAxis(offset: offset, scale: scale, size: Int(70 / scale))
            let data = (0..<(3 * 4 * energy.size)).map { _ in Float(rng.nextPoisson(mean: 40)) - 0.5 }
            let si = SpectrumImage(rows: 3, columns: 4, energy: energy, data: data)
            let path = folder + "/frame_\(index).dm4"
            try DMWriter.write(si, to: path)
            let direct = try XCTUnwrap(try pipeline.prepare(DMFile(path: path)), "offset \(offset) scale \(scale)")
            let loaded = try pipeline.prepare(XCTUnwrap(try load(path).spectrumImage))
            XCTAssertEqual(direct.inputs, loaded.inputs, "offset \(offset) scale \(scale)")
            XCTAssertEqual(direct.classifierInputs, loaded.classifierInputs)
            XCTAssertEqual(direct.rows, 3)
            XCTAssertEqual(direct.columns, 4)
        }
        // Data that do not cover the window: nil, so the watch loads the file and the method says why.
        let short = SpectrumImage(rows: 1, columns: 2, energy: UniformAxis(offset: 600, scale: 0.1, size: 400),
                                  data: [Float](repeating: 1, count: 800))
        try DMWriter.write(short, to: folder + "/short.dm4")
        XCTAssertNil(try pipeline.prepare(DMFile(path: folder + "/short.dm4")))
        // A dispersion that does not divide the bin width: the method's error.
        let odd = SpectrumImage(rows: 1, columns: 2, energy: UniformAxis(offset: 600, scale: 0.3, size: 300),
                                data: [Float](repeating: 1, count: 600))
        try DMWriter.write(odd, to: folder + "/odd.dm4")
        XCTAssertThrowsError(try pipeline.prepare(DMFile(path: folder + "/odd.dm4"))) {
            XCTAssertTrue("\($0)".contains("dispersion"), "\($0)")
        }
    }

    func testAFileRemovedBeforeItIsReadIsALine() throws {
        let folder = try temporaryFolder()
        let fs = FakeFolder()                    // lists a file that is gone from the disk when it is read
        let pipeline = try LivePipeline(denoiser: nil, classifier: Self.model.1)
        var options = LiveOptions(folder: folder)
        options.seconds = 0.5
        options.includeExisting = true
        fs.set("gone.dm4", size: 1000, at: 0)
        let run = LiveSession(options: options, pipeline: pipeline, fileSystem: fs).run(isCancelled: { false }) { _, _ in }
        XCTAssertEqual(run.count(.vanished), 1, run.problems.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(run.problems.first?.file, "gone.dm4")
        XCTAssertEqual(run.processedFiles, 0)
        XCTAssertTrue(run.stopReason.hasPrefix("time limit"))
    }

    func testAnInterruptStopsBetweenFrames() throws {
        let folder = try temporaryFolder()
        let pipeline = try LivePipeline(denoiser: nil, classifier: Self.model.1)
        let session = LiveSession(options: LiveOptions(folder: folder), pipeline: pipeline)
        let start = Date()
        var polls = 0
        let run = session.run(isCancelled: { polls += 1; return Date().timeIntervalSince(start) > 0.3 }) { _, _ in }
        XCTAssertEqual(run.stopReason, "interrupted")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssertGreaterThan(polls, 5, "it polls in short sleeps")
    }

    private func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
