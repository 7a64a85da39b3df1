import EELS
import Foundation
import RapidEELS
import ScriptLanguage

/// Live mode in the cell language: `watch(...)` follows a folder as the microscope writes into it, and
/// `startAcquisition(...)` runs the acquisition simulator as its own process (README, "Live mode").
extension RapidEELSCommands {
    static func registerLive(_ r: CommandRegistry) {
        r.register(Command(name: "watch", parameters: [
            .string("_ folder", doc: "the folder the acquisition writes into"),
            .string("pattern", default: "*.dm4", doc: "a glob for the frame files' names"),
            .object("denoiser", DenoiserObject.self, "Autoencoder", dynamic: "none", doc: "a trained autoencoder"),
            .object("classifier", ClassifierObject.self, "Classifier", dynamic: "none", doc: "a trained classifier"),
            .int("frames", dynamic: "no limit", doc: "stop after this many frames"),
            .double("seconds", dynamic: "no limit", doc: "stop after this many seconds"),
            .bool("growing", default: false, doc: "files grow row by row (NPY rows appended, or "
                + "a DigitalMicrograph image that fills); each new row block is processed as it lands"),
            .value("show", "[String]", dynamic: "all", doc: "panels: \"classMap\", \"probability\", "
                + "\"spectrum\", \"fractions\""),
            .object("truth", AcquisitionObject.self, "Acquisition", dynamic: "none", doc: "draw a simulated acquisition's true "
                + "fraction beside the measured one"),
            .bool("existing", default: false, doc: "also process files already in the folder"),
            .int("keepMaps", default: 20, doc: "the newest frames whose maps the result keeps"),
            .double("refresh", default: 0.25, doc: "seconds between display updates (at most)"),
            .int("denoise", default: 1024, doc: "pixels of each frame denoised for the mean "
                + "spectrum and the class references, evenly spread over the frame (.all: every pixel); classes, "
                + "probabilities and fractions always cover every pixel"),
        ], returns: "LiveRun", doc: "Watches a folder: every new file, once completely written (stable size, or "
            + "renamed into place), is read, prepared with the model's own method, denoised and classified, and one "
            + "display updates in place: the newest class and probability maps, the mean denoised spectrum (of "
            + "1,024 pixels spread over the frame unless denoise: says otherwise) against each class's running "
            + "reference, the class fractions against time, throughput and latency, and one "
            + "line per bad file (unreadable, vanished, other shape or energy axis) or backlog. Runs until "
            + "interrupted (it stops between frames) or a frame or time limit; returns the time series of maps.",
           example: "let run = watch(\"/data/session\", pattern: \"*.dm4\", classifier: classifier, frames: 100)")
        { args, ctx in
            try watchCommand(args, ctx)
        })
        r.register(Command(name: "startAcquisition", parameters: [
            .string("_ folder", doc: "the folder to write into (created)"),
            .string("edge", default: "srfeo3", doc: "\"srfeo3\" (the paper's O K edge, "
                + "SrFeO3 -> SrFeO2.5) or \"mn\" (Mn L2,3, Mn2+ -> Mn3+)"),
            .int("frames", default: 20),
            .double("rate", default: 5, doc: "files per second (growing: row blocks per second)"),
            .int("rows", default: 10), .int("columns", default: 638),
            .double("from", default: 0, doc: "converted fraction of the first frame"),
            .double("to", default: 1, doc: "converted fraction of the last frame"),
            .string("mode", default: "files", doc: "\"files\" (one per frame) or \"growing\""),
            .string("format", default: "dm4", doc: "\"dm4\" or \"npy\""),
            .int("seed", default: 1),
        ], returns: "Acquisition", doc: "Starts `rapideels-kernel simulate-acquisition` as its own process: an "
            + "in-situ anneal written into the folder at the given rate (frame_00001.dm4, ...), the converted "
            + "region growing along the scan, with truth.csv beside the frames. `.stop()` ends it, `.truth` reads "
            + "what it wrote.",
           example: "let acq = startAcquisition(\"out/live\", frames: 30, rate: 4)") { args, ctx in
            let folder = try args.string("folder")
            var options = ["--edge", try args.string("edge"),
                           "--frames", String(try args.int("frames")),
                           "--rate", String(try args.double("rate")),
                           "--rows", String(try args.int("rows")),
                           "--columns", String(try args.int("columns")),
                           "--from", String(try args.double("from")),
                           "--to", String(try args.double("to")),
                           "--mode", try args.string("mode"),
                           "--format", try args.string("format"),
                           "--seed", String(try args.int("seed"))]
            options += ["--parent", String(getpid())]
            return .object(try AcquisitionObject.start(folder: folder, options: options, ctx: ctx))
        })
    }

    static func watchCommand(_ args: Arguments, _ ctx: CallContext) throws -> Value {
        var options = LiveOptions(folder: try args.string("folder"), pattern: try args.string("pattern"))
        let denoiser = try args.has("denoiser") ? try args.object("denoiser", as: DenoiserObject.self) : nil
        let classifier = try args.has("classifier") ? try args.object("classifier", as: ClassifierObject.self) : nil
        if let n = try args.given("frames") {
            let frames = try args.int("frames")
            guard frames > 0 else { throw ctx.error(.value, "watch: frames must be at least 1, not \(n)") }
            options.frames = frames
        }
        if try args.has("seconds") {
            let seconds = try args.double("seconds")
            guard seconds > 0 else { throw ctx.error(.value, "watch: seconds must be positive") }
            options.seconds = seconds
        }
        options.growing = try args.bool("growing")
        var panels = LiveView.Panel.allCases
        if case .array(let items)? = try args.given("show") {
            panels = try items.map { item in
                guard case .string(let s) = item, let panel = LiveView.Panel(rawValue: s) else {
                    throw ctx.error(.value, "watch: show: takes " + LiveView.Panel.allCases
                        .map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
                }
                return panel
            }
        } else if let v = try args.given("show") { throw args.wrong("show", "an array of panel names", v) }
        let acquisition = try args.has("truth") ? try args.object("truth", as: AcquisitionObject.self) : nil
        options.includeExisting = try args.bool("existing")
        options.keepMaps = try args.int("keepMaps")
        guard (1...10_000).contains(options.keepMaps) else {
            throw ctx.error(.value, "watch: keepMaps must be 1 to 10000")
        }
        let refresh = try args.double("refresh")
        var denoisedPerFrame: Int?   // nil: every pixel (.all)
        if case .symbol("all")? = try args.given("denoise") {
            denoisedPerFrame = nil
        } else {
            denoisedPerFrame = try args.int("denoise")
            guard denoisedPerFrame! >= 1 else { throw ctx.error(.value, "watch: denoise: must be at least 1 pixel, or .all") }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.folder, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ctx.error(.file, "watch: \(options.folder) is not a folder (start the acquisition first, or "
                + "create it)")
        }
        let pipeline: LivePipeline
        do {
            pipeline = try LivePipeline(denoiser: denoiser?.denoiser, classifier: classifier?.classifier,
                                        denoisedPerFrame: denoisedPerFrame)
        } catch let error as RapidEELSError {
            throw ctx.error(.value, "watch: \(error.description)")
        }
        // The kept maps are the one part of the result that can be large: check them against the budget up front
        // (1 byte per pixel for the class, 4 per pixel and class for the probabilities, for 10^6-pixel frames).
        let k = max(pipeline.classNames.count, 1)
        try ctx.interpreter.memory.check(adding: options.keepMaps * 10_000 * (1 + 4 * k) + (64 << 20),
                                         for: "watch keeping \(options.keepMaps) frames' maps", at: ctx.location)
        let display = ctx.progressDisplay(interval: 0)
        var lastShown = 0.0
        func truthCurve(_ run: LiveRun) -> [(time: Double, fraction: Double)] {
            guard let acquisition, let truth = try? AcquisitionTruth(folder: acquisition.folder) else { return [] }
            return truth.frames.map { ($0.unixTime - run.startedAt, $0.fraction) }
        }
        let session = LiveSession(options: options, pipeline: pipeline)
        let run = session.run(isCancelled: { ctx.cancellation.isCancelled }) { run, final in
            let now = Date().timeIntervalSince1970
            guard final || now - lastShown >= refresh else { return }
            display.update(DisplayBundle(LiveDisplay(run, truth: truthCurve(run), panels: panels)), force: true)
            lastShown = Date().timeIntervalSince1970
        }
        return .object(LiveRunObject(run, truthFolder: acquisition?.folder))
    }
}

/// The result of a watch: the time series of class fractions, latencies and maps.
final class LiveRunObject: RichDisplayed {
    let run: LiveRun
    let truthFolder: String?
    init(_ run: LiveRun, truthFolder: String?) { self.run = run; self.truthFolder = truthFolder }
    var typeName: String { "LiveRun" }
    var summary: String { "LiveRun(\(run.source): \(run.stopReason); " + run.statusLine + ")" }
    var memberNames: [String] {
        ["frames", "spectra", "files", "times", "fractions", "latencies", "latencyP50", "latencyP99",
         "spectraPerSecond", "problems", "problemCounts", "classes", "classifications", "latest", "maxBacklog",
         "stopReason", "references"]
    }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "frames": return .int(run.processedFiles)
        case "spectra": return .int(run.processedSpectra)
        case "files": return .array(run.frames.map { .string($0.file) })
        case "times": return .array(run.frames.map { .double($0.landed) })
        case "fractions":
            return .array(run.classNames.indices.map { c in .array(run.frames.map { .double($0.fractions[c]) }) })
        case "latencies": return .array(run.frames.map { .double($0.latency) })
        case "latencyP50": return .double(run.latencyQuantile(0.5))
        case "latencyP99": return .double(run.latencyQuantile(0.99))
        case "spectraPerSecond": return .double(run.spectraPerBusySecond)
        case "problems": return .array(run.problems.map { .string($0.line) })
        case "problemCounts":
            var d = OrderedDictionary()
            for kind in LiveProblemKind.allCases { try d.set(.string(kind.rawValue), .int(run.count(kind))) }
            return .dictionary(d)
        case "classes": return .array(run.classNames.map { .string($0) })
        case "classifications": return .array(run.maps.map { .object(ClassificationObject(classification($0))) })
        case "latest": return run.maps.last.map { .object(ClassificationObject(classification($0))) } ?? .none
        case "maxBacklog": return .int(run.maxBacklog)
        case "stopReason": return .string(run.stopReason)
        case "references":
            return .array(run.references.enumerated().compactMap { c, values in
                values.isEmpty ? nil : .object(SpectrumObject(Spectrum(values: values, energy: run.axis, metadata: [
                    "title": "mean denoised, \(c < run.classNames.count ? run.classNames[c] : "all")"])))
            })
        default: return nil
        }
    }

    func classification(_ map: LiveMap) -> Classification {
        Classification(rows: map.rows, columns: map.columns, probabilities: map.probabilities,
                       classNames: run.classNames, trueLabels: nil, title: map.file)
    }

    /// Measured converted fraction against the simulator's, matched by file name.
    func comparison() throws -> [(file: String, time: Double, measured: Double, truth: Double)] {
        guard let truthFolder else {
            throw ScriptError(kind: .value, message: "this watch was started without truth: (an Acquisition)")
        }
        let truth = try AcquisitionTruth(folder: truthFolder)
        let c = run.classNames.count > 1 ? 1 : 0
        return run.frames.compactMap { f in
            truth.fraction(of: f.file).map { (f.file, f.landed, f.fractions[c], $0) }
        }
    }

    var methodNames: [String] { ["plotFractions", "fractionError", "save"] }
    func method(_ name: String) -> Command? {
        switch name {
        case "plotFractions":
            return Command(name: "plotFractions", returns: "Figure", doc: "The class fractions against time, with "
                            + "the simulator's truth when the watch had one.", example: "run.plotFractions()") { _, _ in
                var truth: [(time: Double, fraction: Double)] = []
                if let folder = self.truthFolder, let t = try? AcquisitionTruth(folder: folder) {
                    truth = t.frames.map { ($0.unixTime - self.run.startedAt, $0.fraction) }
                }
                let svg = try LiveView.figure(self.run, truth: truth, panels: [.fractions]).svg()
                return .object(FigureObject(svg: svg, text: "Figure(class fractions against time, "
                    + "\(self.run.processedFiles) frames)"))
            }
        case "fractionError":
            return Command(name: "fractionError", returns: "Double", doc: "Mean absolute difference between the "
                            + "measured and the true converted fraction over the frames the simulator wrote.",
                           example: "run.fractionError()") { _, ctx in
                let rows = try self.comparison()
                guard !rows.isEmpty else { throw ctx.error(.value, "no processed frame is in the truth") }
                return .double(rows.reduce(0) { $0 + abs($1.measured - $1.truth) } / Double(rows.count))
            }
        case "save":
            return Command(name: "save", parameters: [.string("_ path")], doc: "Writes the time series "
                            + "as CSV: frame, file, landed (s), latency (s), one fraction column per class.",
                           example: "run.save(\"anneal.csv\")") { args, _ in
                let path = try args.string("path")
                var csv = "frame,file,landed_s,latency_s," + self.run.classNames.map { "fraction_" + $0 }
                    .joined(separator: ",") + "\n"
                for f in self.run.frames {
                    csv += "\(f.index),\(f.file)," + String(format: "%.4f,%.4f", f.landed, f.latency)
                        + f.fractions.map { String(format: ",%.6f", $0) }.joined() + "\n"
                }
                do { try csv.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                    throw EELSError.file(path: path, detail: "cannot write: \(error.localizedDescription)")
                }
                return .none
            }
        default: return nil
        }
    }
    var richDisplay: RichDisplayable {
        var truth: [(time: Double, fraction: Double)] = []
        if let folder = truthFolder, let t = try? AcquisitionTruth(folder: folder) {
            truth = t.frames.map { ($0.unixTime - run.startedAt, $0.fraction) }
        }
        return LiveDisplay(run, truth: truth)
    }
}
