import EELS
import Foundation
import NeuralCore
import RapidEELS
import SVGPlot

/// The RapidEELS commands of the cell language (DESIGN.md, "The RapidEELS module").
///
///     let interpreter = Interpreter(output: sink)
///     interpreter.install(RapidEELSCommands.install)
public enum RapidEELSCommands {
    /// Registers every command and the magic hooks on `interpreter`.
    public static func install(_ interpreter: Interpreter) {
        interpreter.knownObjectTypes.formUnion(["Spectrum", "SpectrumImage", "Dataset", "Autoencoder", "Classifier",
                                                "Classification", "PCA", "PeakFit", "PeakFitMap", "Embedding",
                                                "Figure", "Table", "TrainingHistory"])
        interpreter.hooks.device = { name in
            let device = try ComputeDevice(parsing: name)
            if device == .cpu { return "device: cpu" }
            if device == .cuda {   // say it here, once, rather than at the next command that needs the GPU
                do { _ = try CUDAContext.shared() } catch {
                    throw ScriptError(kind: "DeviceError", message: "CUDA is unavailable: \(error); the device "
                        + "setting is unchanged (use %device cpu or %device auto)")
                }
            }
            return "device: \(name); " + ComputeDevice.cudaStatusLine
        }
        let r = interpreter.registry
        registerData(r)
        registerModels(r)
        registerAnalysis(r)
        registerPlots(r)
    }

    static func image(_ args: Arguments, _ i: Int) throws -> SpectrumImageObject {
        try args.object(i, as: SpectrumImageObject.self, named: "SpectrumImage")
    }

    /// A list of spectrum images: one, an array of them, or a dataset (its test images).
    static func images(_ v: Value) throws -> [SpectrumImageObject] {
        switch v {
        case .object(let o as SpectrumImageObject): return [o]
        case .object(let o as DatasetObject): return o.items
        case .array(let items):
            return try items.map {
                guard case .object(let o as SpectrumImageObject) = $0 else {
                    throw ScriptError(kind: "TypeError", message: "expected spectrum images, found \($0.typeName)")
                }
                return o
            }
        default: throw ScriptError(kind: "TypeError", message: "expected a SpectrumImage, an array of them or a "
            + "Dataset, not \(v.typeName)")
        }
    }

    static func backend(_ ctx: CallContext) throws -> ComputeBackend {
        let device = try ComputeDevice(parsing: ctx.device)
        if device == .cpu { return CPUBackend(threads: ctx.interpreter.settings.threads) }
        return try device.makeBackend { ctx.output.stream(.stderr, $0 + "\n") }
    }

    // MARK: - Data

    static func registerData(_ r: CommandRegistry) {
        r.register(Command(name: "load", parameters: [CommandParameter(nil, "String", doc: "a DM3, DM4, MSA/EMSA, "
                            + "two-column text or NPY file; the format is read from the content"),
                                                      CommandParameter("column", "Int", default: "1",
                                                                       doc: "value column of a text table")],
                           returns: "SpectrumImage or Spectrum",
                           doc: "Reads a measured spectrum or spectrum image.",
                           example: "let si = load(\"EELS_SI.dm4\")") { args, _ in
            let path = try args.string(0)
            let loaded = try EELS.load(path, column: try args.int(1, default: 1))
            switch loaded {
            case .spectrum(var s):
                if s.metadata["title"] == nil { s.metadata["title"] = (path as NSString).lastPathComponent }
                return .object(SpectrumObject(s))
            case .spectrumImage(var si):
                if si.metadata["title"] == nil { si.metadata["title"] = (path as NSString).lastPathComponent }
                return .object(SpectrumImageObject(si))
            default:
                throw ScriptError(kind: "FileError", message: "\(path) holds \(loaded.kind) data, not a spectrum "
                    + "or a spectrum image")
            }
        })
        r.register(Command(name: "simulatePaperDataset", parameters: [
            CommandParameter("seed", "Int", default: "%seed"),
            CommandParameter("scale", "Double", default: "1.0", doc: "fraction of each SI's 638 columns (0 < scale <= 1)"),
        ], returns: "Dataset", doc: "The paper's 24 SrFeO3 / SrFeO2.5 spectrum images (10 x 638 px, 440-580 eV at "
            + "0.125 eV), simulated; one SI per category held out for testing.",
           example: "let data = simulatePaperDataset(seed: 1, scale: 0.25)") { args, ctx in
            let seed = UInt64(max(0, try args.int(0, default: Int(ctx.seed))))
            let scale = try args.double(1, default: 1)
            guard scale > 0, scale <= 1 else { throw ctx.error("ValueError", "scale must be in (0, 1], got \(scale)") }
            let data = try simulatePaperDataset(seed: seed, scale: scale,
                                                isCancelled: { ctx.cancellation.isCancelled })
            let items = data.items.map { item -> SpectrumImageObject in
                var si = item.image
                si.metadata["title"] = item.name
                let range = item.thicknessRange
                return SpectrumImageObject(si, label: item.label, thickness: (range.lowerBound + range.upperBound) / 2)
            }
            return .object(DatasetObject(items: items, testNames: Set(data.test.map(\.name)),
                                         title: "simulated, seed \(seed), scale \(scale)"))
        })
        r.register(Command(name: "groundTruth", parameters: [CommandParameter(nil, "SpectrumImage")],
                           returns: "SpectrumImage", doc: "The paper's \"1 FPS\" ground truth of every pixel: the "
                            + "10 x 40 block mean, power-law background (498-528 eV) subtracted, 520-580 eV at 0.25 eV.",
                           example: "let truth = groundTruth(data.test[0])") { args, _ in
            let si = try image(args, 0)
            return si.derived(try PaperMethod().targets(si.image))
        })
        r.register(Command(name: "modelInput", parameters: [CommandParameter(nil, "SpectrumImage")],
                           returns: "SpectrumImage", doc: "What the network sees of raw data: binned to 0.25 eV and "
                            + "cut to 520-580 eV (240 channels), raw counts.", example: "modelInput(si)") { args, _ in
            let si = try image(args, 0)
            return si.derived(try PaperMethod().inputs(si.image))
        })
    }

    // MARK: - Models

    static func progressReporter(_ ctx: CallContext, title: String) -> (TrainingProgress) -> Void {
        let display = ctx.progressDisplay(interval: 0.3)
        var losses: [Double] = []
        var lastEpoch = 0
        return { p in
            if p.epoch != lastEpoch, p.step == p.steps || p.epoch > lastEpoch {
                if p.step == p.steps { losses.append(p.loss); lastEpoch = p.epoch }
            }
            let percent = Int(p.fraction * 100)
            let text = String(format: "%@: epoch %d/%d, step %d/%d, loss %.5g, ETA %.0f s", title, p.epoch, p.epochs,
                              p.step, p.steps, p.loss, p.eta)
            var bundle: MIMEBundle = ["text/plain": text]
            var html = "<div><progress value=\"\(percent)\" max=\"100\" style=\"width:60%\"></progress> "
                + "<code>\(text)</code></div>"
            if losses.count >= 2 {
                if let svg = try? Figures.loss(losses, title: title).svg() { html += svg }
            }
            bundle["text/html"] = html
            display.update(bundle, force: p.step == p.steps && p.epoch == p.epochs)
        }
    }

    static func registerModels(_ r: CommandRegistry) {
        r.register(Command(name: "autoencoder", parameters: [CommandParameter("latent", "Int", default: "5"),
                                                             CommandParameter("seed", "Int", default: "%seed")],
                           returns: "Autoencoder", doc: "The paper's denoising autoencoder (44,678 parameters): "
                            + "240 channels -> 5-dim latent -> 240 channels, Glorot-initialised.",
                           example: "let model = autoencoder(latent: 5)") { args, ctx in
            let latent = try args.int(0, default: 5)
            guard latent == PaperArchitecture.latentSize else {
                throw ctx.error("ValueError", "the paper's architecture has a 5-dimensional latent space; got \(latent)")
            }
            let seed = UInt64(max(0, try args.int(1, default: Int(ctx.seed))))
            return .object(DenoiserObject(Denoiser(seed: seed, backend: try backend(ctx))))
        })
        r.register(Command(name: "train", parameters: [
            CommandParameter(nil, "Autoencoder"),
            CommandParameter("on", "Dataset", doc: "its training images are used"),
            CommandParameter("epochs", "Int", default: "500"),
            CommandParameter("batchSize", "Int", default: "512"),
            CommandParameter("noise", "Noise", default: ".poisson", doc: ".poisson (the paper's text), .released "
                + "(Gaussian σ 0.4 twice, the released code), .gaussian, .none"),
            CommandParameter("seed", "Int", default: "%seed"),
        ], returns: "TrainingHistory", doc: "Trains the autoencoder on every training pixel: robust-scaled raw inputs "
            + "-> the \"1 FPS\" ground truth, Adam 1e-3, MSE. Shows live progress; an interrupt keeps the best "
            + "weights so far.", example: "let history = train(model, on: data, epochs: 50)") { args, ctx in
            let model = try args.object(0, as: DenoiserObject.self, named: "Autoencoder")
            let data = try args.object(1, as: DatasetObject.self, named: "Dataset")
            let noiseName = try args.symbol(4, allowed: ["poisson", "released", "gaussian", "none"], default: "poisson")
            let noise: TrainingNoise = noiseName == "poisson" ? .poisson : noiseName == "none" ? .none
                : noiseName == "gaussian" ? .gaussian(sigma: 0.4) : .released
            do {
                let h = try model.denoiser.train(on: data.dataset(data.training), epochs: try args.int(2, default: 500),
                                                 batchSize: try args.int(3, default: 512), noise: noise,
                                                 seed: UInt64(max(0, try args.int(5, default: Int(ctx.seed)))),
                                                 progress: progressReporter(ctx, title: "autoencoder"),
                                                 isCancelled: { ctx.cancellation.isCancelled })
                return .object(HistoryObject(h, title: "autoencoder loss"))
            } catch is CancellationError {
                let epochs = model.denoiser.history?.loss.count ?? 0
                throw ctx.error("Interrupted", "training interrupted after \(epochs) complete epoch(s); the model "
                    + "keeps the best weights so far")
            }
        })
        r.register(Command(name: "trainClassifier", parameters: [
            CommandParameter(nil, "Autoencoder"), CommandParameter("on", "Dataset"),
            CommandParameter("epochs", "Int", default: "500"), CommandParameter("batchSize", "Int", default: "512"),
            CommandParameter("seed", "Int", default: "%seed"),
        ], returns: "Classifier", doc: "The paper's classifier: the autoencoder's frozen encoder -> 5-dim latent -> "
            + "Dense 2 softmax, trained with binary cross-entropy on the training pixels' labels.",
           example: "let classifier = trainClassifier(model, on: data, epochs: 50)") { args, ctx in
            let model = try args.object(0, as: DenoiserObject.self, named: "Autoencoder")
            let data = try args.object(1, as: DatasetObject.self, named: "Dataset")
            let seed = UInt64(max(0, try args.int(4, default: Int(ctx.seed))))
            let classifier = try OxidationClassifier(denoiser: model.denoiser, seed: seed)
            do {
                try classifier.train(on: data.dataset(data.training), epochs: try args.int(2, default: 500),
                                     batchSize: try args.int(3, default: 512), seed: seed,
                                     progress: progressReporter(ctx, title: "classifier"),
                                     isCancelled: { ctx.cancellation.isCancelled })
            } catch is CancellationError {
                throw ctx.error("Interrupted", "classifier training interrupted")
            }
            return .object(ClassifierObject(classifier))
        })
        r.register(Command(name: "denoise", parameters: [CommandParameter(nil, "SpectrumImage"),
                                                         CommandParameter("with", "Autoencoder")],
                           returns: "SpectrumImage", doc: "Denoises every pixel: 520-580 eV at 0.25 eV, in the ground "
                            + "truth's units (background-subtracted counts).",
                           example: "let clean = denoise(data.test[0], with: model)") { args, _ in
            let si = try image(args, 0)
            let model = try args.object(1, as: DenoiserObject.self, named: "Autoencoder")
            return si.derived(try model.denoiser.denoise(si.image))
        })
        r.register(Command(name: "classify", parameters: [CommandParameter(nil, "SpectrumImage"),
                                                          CommandParameter("with", "Classifier"),
                                                          CommandParameter("label", "Int", default: "the image's label")],
                           returns: "Classification", doc: "Classifies every pixel as initial (SrFeO3) or annealed "
                            + "(SrFeO2.5). Data of another dispersion are rebinned to 0.25 eV when possible.",
                           example: "classify(data.test[0], with: classifier)") { args, _ in
            let si = try image(args, 0)
            let classifier = try args.object(1, as: ClassifierObject.self, named: "Classifier")
            let label = args[2] == nil ? si.label : try args.int(2)
            return .object(ClassificationObject(try classifier.classifier.classify(si.image, trueLabel: label)))
        })
        r.register(Command(name: "loadModel", parameters: [CommandParameter(nil, "String")],
                           returns: "Autoencoder or Classifier", doc: "Loads a model saved with .save (safetensors "
                            + "with its scaler and preprocessing), or the paper's released autoencoder weights.",
                           example: "let model = loadModel(\"aec.safetensors\")") { args, _ in
            let url = URL(fileURLWithPath: try args.string(0))
            if let classifier = try? OxidationClassifier.load(from: url) { return .object(ClassifierObject(classifier)) }
            return .object(DenoiserObject(try Denoiser.load(from: url)))
        })
    }

    // MARK: - Analysis

    static func registerAnalysis(_ r: CommandRegistry) {
        r.register(Command(name: "mse", parameters: [CommandParameter(nil, "SpectrumImage"),
                                                     CommandParameter(nil, "SpectrumImage")],
                           returns: "Double", doc: "Mean squared error over every pixel and channel.",
                           example: "mse(denoised, truth)") { args, _ in
            if case .object(let a as SpectrumObject) = try args.value(0),
               case .object(let b as SpectrumObject) = try args.value(1) {
                return .double(try EELS.mse(a.spectrum, b.spectrum))
            }
            return .double(try EELS.mse(try image(args, 0).image, try image(args, 1).image))
        })
        r.register(Command(name: "accuracy", parameters: [CommandParameter(nil, "Classification or [Classification]")],
                           returns: "Double", doc: "The fraction of pixels classified as their image's true class "
                            + "(pooled over an array of classifications).",
                           example: "accuracy(classify(si, with: classifier))") { args, ctx in
            var correct = 0, total = 0
            let values: [Value]
            if case .array(let a) = try args.value(0) { values = a } else { values = [try args.value(0)] }
            for v in values {
                guard case .object(let c as ClassificationObject) = v, let label = c.result.trueLabel else {
                    throw ctx.error("TypeError", "accuracy needs classifications of images with a known label")
                }
                correct += c.result.counts[label]
                total += c.result.rows * c.result.columns
            }
            return .double(total == 0 ? 0 : Double(correct) / Double(total))
        })
        r.register(Command(name: "pca", parameters: [CommandParameter(nil, "SpectrumImage"),
                                                     CommandParameter("components", "Int", default: "3")],
                           returns: "PCA", doc: "Principal components (mean-centred, LAPACK) of the pixels' spectra.",
                           example: "let model = pca(si, components: 5)") { args, _ in
            let si = try image(args, 0)
            return .object(PCAObject(try EELS.pca(si.image, components: try args.int(1, default: 3)), source: si))
        })
        r.register(Command(name: "pcaDenoise", parameters: [CommandParameter(nil, "SpectrumImage"),
                                                            CommandParameter("components", "Int", default: "3")],
                           returns: "SpectrumImage", doc: "The paper's PCA baseline: the binned raw image rebuilt from "
                            + "k components, each pixel's power-law background subtracted, 520-580 eV.",
                           example: "pcaDenoise(si, components: 5)") { args, _ in
            let si = try image(args, 0)
            return si.derived(try PaperMethod().pcaDenoised(si.image, components: try args.int(1, default: 3)))
        })
        r.register(Command(name: "fit", parameters: [
            CommandParameter(nil, "Spectrum or SpectrumImage"), CommandParameter("peaks", "[Double]", doc: "start positions (eV)"),
            CommandParameter("window", "ClosedRange<Double>", doc: "eV"),
            CommandParameter("background", "Background", default: ".linear", doc: ".linear, .powerLaw or .none"),
        ], returns: "PeakFit or PeakFitMap", doc: "Fits a sum of Gaussians (+ background) by Levenberg-Marquardt, to "
            + "one spectrum or to every pixel in parallel.", example: "fit(si.mean(), peaks: [528, 535], window: 524...545)") {
            args, ctx in
            let bg = try args.symbol(3, allowed: ["linear", "powerLaw", "none"], default: "linear")
            let background = PeakBackground(rawValue: bg) ?? .linear
            let peaks = try args.doubles(1), window = try args.closedRange(2)
            switch try args.value(0) {
            case .object(let s as SpectrumObject):
                return .object(PeakFitObject(try fitGaussians(s.spectrum, peaks: peaks, window: window,
                                                              background: background), spectrum: s.spectrum))
            case .object(let si as SpectrumImageObject):
                let flag = ctx.cancellation
                return .object(PeakFitMapObject(try fitGaussians(si.image, peaks: peaks, window: window,
                                                                 background: background,
                                                                 isCancelled: { flag.isCancelled })))
            case let v: throw args.wrong(0, "a Spectrum or SpectrumImage", v)
            }
        })
        r.register(Command(name: "tsne", parameters: [
            CommandParameter(nil, "[SpectrumImage]"), CommandParameter("perplexity", "Double", default: "30"),
            CommandParameter("seed", "Int", default: "%seed"), CommandParameter("iterations", "Int", default: "750"),
            CommandParameter("maxPoints", "Int", default: "5000", doc: "pixels are subsampled evenly above this"),
            CommandParameter("title", "String", default: "\"t-SNE\""),
        ], returns: "Embedding", doc: "t-SNE (Barnes-Hut, PCA initialisation) of every pixel of the images on the "
            + "model's 240-channel axis (raw data are binned and windowed; each spectrum scaled to unit maximum).",
           example: "tsne(data.test, perplexity: 30)") { args, ctx in
            let sis = try images(try args.value(0))
            let maxPoints = max(10, try args.int(4, default: 5000))
            var rows: [Float] = [], labels: [Int] = [], thick: [Bool] = []
            let total = sis.reduce(0) { $0 + $1.image.pixelCount }
            let step = max(1, Int((Double(total) / Double(maxPoints)).rounded(.up)))
            let method = PaperMethod()
            for si in sis {
                let x = si.image.channels == method.channels ? si.image : try method.inputs(si.image)
                for p in Swift.stride(from: 0, to: x.pixelCount, by: step) {
                    let spectrum = Array(x.data[p * x.channels..<(p + 1) * x.channels])
                    let peak = max(spectrum.max() ?? 1, 1e-6)
                    rows += spectrum.map { $0 / peak }
                    labels.append(si.label ?? 0)
                    thick.append((si.thickness ?? 0) >= 0.815)
                }
            }
            var options = TSNEOptions()
            options.iterations = try args.int(3, default: 750)
            let result = try EELS.tsne(rows, n: labels.count, d: method.channels,
                                       perplexity: try args.double(1, default: 30),
                                       seed: UInt64(max(0, try args.int(2, default: Int(ctx.seed)))),
                                       options: options, isCancelled: { ctx.cancellation.isCancelled })
            return .object(EmbeddingObject(result, labels: labels, thick: thick,
                                           title: try args.string(5, default: "t-SNE")))
        })
    }

    // MARK: - Plots and tables

    static func registerPlots(_ r: CommandRegistry) {
        r.register(Command(name: "plot", parameters: [
            CommandParameter(nil, "Spectrum, SpectrumImage or an array of them"),
            CommandParameter("labels", "[String]", default: "[]"), CommandParameter("title", "String", default: "\"\""),
        ], returns: "Figure", doc: "Spectra on one energy axis (a spectrum image is drawn as its mean spectrum).",
           example: "plot([si[0, 0], si.mean()], labels: [\"one pixel\", \"mean\"])") { args, _ in
            var items: [Value]
            if case .array(let a) = try args.value(0) { items = a } else { items = [try args.value(0)] }
            let labels = try (args[1].map { v -> [String] in
                guard case .array(let a) = v else { return [] }
                return a.map { $0.description }
            }) ?? []
            var series: [(Spectrum, String)] = []
            for (i, item) in items.enumerated() {
                let label = i < labels.count ? labels[i] : ""
                switch item {
                case .object(let s as SpectrumObject): series.append((s.spectrum, label.isEmpty ? s.spectrum.metadata["title"] ?? "" : label))
                case .object(let si as SpectrumImageObject):
                    series.append((si.image.meanSpectrum(), label.isEmpty ? "mean of \(si.name)" : label))
                default: throw args.wrong(0, "spectra or spectrum images", item)
                }
            }
            let title = try args.string(2, default: "")
            let figure = try Figures.spectra(series, title: title.isEmpty ? nil : title)
            return .object(FigureObject(svg: figure.svg(), text: "Figure(\(series.count) spectra"
                + (title.isEmpty ? "" : ", \"\(title)\"") + ")"))
        })
        r.register(Command(name: "plotMeanStd", parameters: [
            CommandParameter(nil, "[SpectrumImage]"), CommandParameter("labels", "[String]", default: "[]"),
            CommandParameter("title", "String", default: "\"\""),
        ], returns: "Figure", doc: "Mean ± one standard deviation over the pixels of each image (paper Fig. 6).",
           example: "plotMeanStd([denoised, truth], labels: [\"AEC\", \"1 FPS\"])") { args, _ in
            let sis = try images(try args.value(0))
            var labels: [String] = []
            if let v = args[1], case .array(let a) = v { labels = a.map { $0.description } }
            let sets = sis.enumerated().map { ($0.element.image, $0.offset < labels.count ? labels[$0.offset] : $0.element.name) }
            let title = try args.string(2, default: "")
            let figure = try Figures.meanStd(sets, title: title.isEmpty ? nil : title)
            return .object(FigureObject(svg: figure.svg(), text: "Figure(mean ± std of \(sets.count) images)"))
        })
        r.register(Command(name: "bars", parameters: [
            CommandParameter(nil, "[String: [Double]]", doc: "series name -> one value per category"),
            CommandParameter("categories", "[String]"), CommandParameter("yLabel", "String", default: "\"\""),
            CommandParameter("title", "String", default: "\"\""),
        ], returns: "Figure", doc: "Grouped bars (paper Fig. 5).",
           example: "bars([\"AEC\": [0.1, 0.2], \"PCA-3\": [0.3, 0.4]], categories: [\"thin\", \"thick\"])") { args, ctx in
            guard case .dictionary(let d) = try args.value(0) else { throw args.wrong(0, "a dictionary of series", try args.value(0)) }
            var categories: [String] = []
            if let v = args[1], case .array(let a) = v { categories = a.map { $0.description } }
            let series = try d.entries.map { e -> (String, [Double]) in
                guard case .array(let a) = e.value else { throw ctx.error("TypeError", "each series must be an array") }
                return (e.key.description, try Builtins.numbers(a, "bars", ctx.location ?? SourceLocation(line: 1, column: 1)))
            }
            let title = try args.string(3, default: "")
            let figure = try Figures.bars(categories: categories, series: series, title: title.isEmpty ? nil : title,
                                          yLabel: try args.string(2, default: ""))
            return .object(FigureObject(svg: figure.svg(), text: "Figure(bars: \(series.count) series x \(categories.count) categories)"))
        })
        r.register(Command(name: "scatter", parameters: [
            CommandParameter("x", "[Double]"), CommandParameter("y", "[Double]"),
            CommandParameter("labels", "[Int]", default: "all 0"), CommandParameter("title", "String", default: "\"\""),
        ], returns: "Figure", doc: "A scatter plot, coloured by class label (0 blue, 1 orange).",
           example: "scatter(x: e.x, y: e.y)") { args, ctx in
            let x = try args.doubles(0), y = try args.doubles(1)
            guard x.count == y.count else { throw ctx.error("ValueError", "x has \(x.count) values but y has \(y.count)") }
            let labels = try args.ints(2, default: [Int](repeating: 0, count: x.count))
            var points: [Double] = []
            for i in x.indices { points += [x[i], y[i]] }
            let figure = try Figures.embedding(points, labels: labels.count == x.count ? labels : [Int](repeating: 0, count: x.count),
                                               thick: [Bool](repeating: false, count: x.count),
                                               title: try args.string(3, default: ""))
            return .object(FigureObject(svg: figure.svg(), text: "Figure(scatter of \(x.count) points)"))
        })
        r.register(Command(name: "table", parameters: [CommandParameter(nil, "[[Any]]"),
                                                       CommandParameter("headers", "[String]"),
                                                       CommandParameter("title", "String", default: "\"\"")],
                           returns: "Table", doc: "A table (HTML in the notebook); numbers are shown with 4 "
                            + "significant digits.", example: "table([[\"400 FPS\", 0.85]], headers: [\"rate\", \"accuracy\"])") {
            args, _ in
            guard case .array(let rows) = try args.value(0) else { throw args.wrong(0, "an array of rows", try args.value(0)) }
            var headers: [String] = []
            if let v = args[1], case .array(let a) = v { headers = a.map { $0.description } }
            let cells = rows.map { row -> [String] in
                guard case .array(let a) = row else { return [row.description] }
                return a.map { v in
                    if case .double(let d) = v { return fmt(d) }
                    return v.description
                }
            }
            let title = try args.string(2, default: "")
            return .object(TableObject(headers: headers, rows: cells, caption: title.isEmpty ? nil : title))
        })
    }
}
