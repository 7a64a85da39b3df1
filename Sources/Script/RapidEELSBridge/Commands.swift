import EELS
import Foundation
import NeuralCore
import RapidEELS
import SVGPlot
import ScriptLanguage

extension Interpreter {
    /// An interpreter with the RapidEELS commands installed (the kernel's and `rapideels-kernel run`'s); they
    /// come back after `%reset`.
    ///
    ///     let interpreter = Interpreter.rapidEELS(output: sink)
    ///     interpreter.execute("help(denoise)")
    public static func rapidEELS(output: ScriptOutput) -> Interpreter {
        let interpreter = Interpreter(output: output)
        interpreter.install(RapidEELSCommands.install)
        return interpreter
    }
}

/// The RapidEELS commands of the cell language (DESIGN.md, "The RapidEELS module").
///
///     let interpreter = Interpreter(output: sink)
///     interpreter.install(RapidEELSCommands.install)
public enum RapidEELSCommands {
    /// Registers every command and the magic hooks on `interpreter`.
    public static func install(_ interpreter: Interpreter) {
        if !interpreter.importableModules.contains("RapidEELS") {   // `%reset` runs this again
            interpreter.importableModules = ["RapidEELS"] + interpreter.importableModules + ["EELS"]
        }
        interpreter.pathArgumentCommands.formUnion(["load", "loadModel", "loadClassifier", "loadDenoiser"])
        interpreter.knownObjectTypes.formUnion(["Spectrum", "SpectrumImage", "Dataset", "Autoencoder", "Classifier",
                                                "Classification", "PCA", "PeakFit", "PeakFitMap", "Embedding",
                                                "Figure", "Table", "TrainingHistory", "Method", "ConfusionMatrix",
                                                "DriftMap", "Navigator", "Image", "LiveRun", "Acquisition"])
        interpreter.hooks.device = { name in
            let device = try ComputeDevice(parsing: name)
            if device == .cpu { return "device: cpu" }
            if device == .cuda {   // say it here, once, rather than at the next command that needs the GPU
                do { _ = try CUDAContext.shared() } catch {
                    throw ScriptError(kind: .device, message: "CUDA is unavailable: \(error); the device "
                        + "setting is unchanged (use %device cpu or %device auto)")
                }
            }
            return "device: \(name); " + ComputeDevice.cudaStatusLine
        }
        let r = interpreter.registry
        registerData(r)
        registerDatasets(r)
        registerSimulations(r)
        registerModels(r)
        registerAnalysis(r)
        registerPlots(r)
        registerNavigator(r)
        registerFigureCommands(r)
        registerLive(r)   // LiveCommands.swift
    }

    /// The spectrum image argument `name` (declared `.object(name, SpectrumImageObject.self, "SpectrumImage")`).
    static func image(_ args: Arguments, _ name: String) throws -> SpectrumImageObject {
        try args.object(name, as: SpectrumImageObject.self)
    }

    /// A list of spectrum images: one, an array of them, or a dataset (its test images).
    static func images(_ v: Value) throws -> [SpectrumImageObject] {
        switch v {
        case .object(let o as SpectrumImageObject): return [o]
        case .object(let o as DatasetObject): return o.items
        case .array(let items):
            return try items.map {
                guard case .object(let o as SpectrumImageObject) = $0 else {
                    throw ScriptError(kind: .type, message: "expected spectrum images, found \($0.typeName)")
                }
                return o
            }
        default: throw ScriptError(kind: .type, message: "expected a SpectrumImage, an array of them or a "
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
        r.register(Command(name: "load", parameters: [.string("_ path", doc: "a DM3, DM4, MSA/EMSA, "
                            + "two-column text, NPY or HyperSpy .hspy file; the format is read from the content"),
                                                      .int("column", default: 1, doc: "value column of a text table")],
                           returns: "SpectrumImage, Spectrum or Image",
                           doc: "Reads a measured spectrum, spectrum image or 2D map (an array of them for a .hspy "
                            + "file with several experiments).",
                           example: "let si = load(\"EELS_SI.dm4\")") { args, _ in
            try loadedValue(try args.string("path"), column: try args.int("column"))  // HyperSpyFiles.swift
        })
        r.register(Command(name: "simulatePaperDataset", parameters: [
            .seed(),
            .double("scale", default: 1, doc: "fraction of each SI's 638 columns (0 < scale <= 1)"),
        ], returns: "Dataset", doc: "The paper's 24 SrFeO3 / SrFeO2.5 spectrum images (10 x 638 px, 440-580 eV at "
            + "0.125 eV), simulated; one SI per category held out for testing.",
           example: "let data = simulatePaperDataset(seed: 1, scale: 0.25)") { args, ctx in
            let seed = try args.seed(ctx)
            let scale = try args.double("scale")
            guard scale > 0, scale <= 1 else { throw ctx.error(.value, "scale must be in (0, 1], got \(scale)") }
            let data = try simulatePaperDataset(seed: seed, scale: scale,
                                                isCancelled: { ctx.cancellation.isCancelled })
            var (dataset, test) = data.dataset
            for i in dataset.items.indices { dataset.items[i].image.metadata["title"] = dataset.items[i].name }
            return .object(DatasetObject(dataset: dataset, testIndices: Set(test),
                                         title: "simulated, seed \(seed), scale \(scale)"))
        })
        r.register(Command(name: "groundTruth", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                             methodParameter()],
                           returns: "SpectrumImage", doc: "The \"1 FPS\" ground truth of every pixel: its block's "
                            + "mean, power-law background subtracted, cut to the method's window. The paper's: "
                            + "10 x 40 blocks, background 498-528 eV, 520-580 eV at 0.25 eV.",
                           example: "let truth = groundTruth(data.test[0])") { args, _ in
            let si = try image(args, "si")
            return si.derived(try methodArgument(args).targets(si.image))
        })
        r.register(Command(name: "modelInput", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                            methodParameter()],
                           returns: "SpectrumImage", doc: "What the network sees of raw data: binned to the method's "
                            + "bin width and cut to its window (the paper's: 0.25 eV, 520-580 eV, 240 channels), raw "
                            + "counts.", example: "modelInput(si)") { args, _ in
            let si = try image(args, "si")
            return si.derived(try methodArgument(args).inputs(si.image))
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
            var bundle: DisplayBundle = ["text/plain": text]
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
        r.register(Command(name: "autoencoder", parameters: [
            .int("latent", default: PaperArchitecture.latentSize), .seed(),
            methodParameter(doc: "the preprocessing; its window sets the network's length"),
        ], returns: "Autoencoder", doc: "The paper's denoising autoencoder: window channels -> latent -> window "
            + "channels, Glorot-initialised (44,678 parameters for the paper's 240 channels and latent 5). Any "
            + "window of 16 or more channels works: each stride-2 encoder layer rounds its length up, and the "
            + "matching decoder layer gives 2n - 1 channels there, so nothing is padded or cropped.",
           example: "let model = autoencoder(latent: 5)\nlet mn = autoencoder(latent: 8, method: method(window: "
            + "635...665, bin: 0.25, background: 610...635, block: [4, 8]))") { args, ctx in
            let latent = try args.int("latent")
            guard latent >= 1, latent <= 1024 else {
                throw ctx.error(.value, "the latent size must be in 1...1024, got \(latent)")
            }
            let seed = try args.seed(ctx)
            if try !args.has("method") && latent == PaperArchitecture.latentSize {
                return .object(DenoiserObject(Denoiser(seed: seed, backend: try backend(ctx))))
            }
            return .object(DenoiserObject(try Denoiser(seed: seed, method: try methodArgument(args),
                                                       latent: latent, backend: try backend(ctx))))
        })
        r.register(Command(name: "train", parameters: [
            .object("_ model", DenoiserObject.self, "Autoencoder"),
            .object("on", DatasetObject.self, "Dataset", doc: "its training images are used"),
            .int("epochs", default: 500),
            .int("batchSize", default: 512),
            .symbol("noise", type: "Noise", allowed: ["poisson", "released", "gaussian", "resampled", "none"],
                    default: "resampled", doc: ".resampled (the paper's Poisson noise as "
                + "fresh Poisson draws of each pixel's expected counts, its block mean), .poisson (Poisson draws on top of "
                + "the measured counts, doubling their variance), .released "
                + "(Gaussian σ 0.4 twice, the released code), .gaussian, .resampled (each pixel redrawn from its block's mean "
                + "counts), .none; drawn afresh every epoch"),
            .seed(),
            .double("validation", default: 0, doc: "fraction of the training spectra (the "
                + "last images', as Keras) kept out to report a validation loss per epoch; the paper used 0.2"),
            .string("checkpoint", dynamic: "none", doc: "a file: training resumes from it when it exists and "
                + "rewrites it every 5 epochs, so a run stopped by an interrupt, a restart or a crash carries on "
                + "where it was, with the result of one uninterrupted run"),
        ], returns: "TrainingHistory", doc: "Trains the autoencoder on every pixel of the training images (labelled "
            + "or not): robust-scaled raw inputs -> the \"1 FPS\" ground truth of the model's method, Adam 1e-3, "
            + "MSE. Shows live progress; an interrupt keeps the best weights so far. The history draws the "
            + "training and validation loss curves.",
           example: "let history = train(model, on: data, epochs: 50, validation: 0.2)") { args, ctx in
            let model = try args.object("model", as: DenoiserObject.self)
            let data = try args.object("on", as: DatasetObject.self)
            let noiseName = try args.symbol("noise")
            let noise: TrainingNoise = noiseName == "poisson" ? .poisson : noiseName == "none" ? .none
                : noiseName == "gaussian" ? .gaussian(sigma: 0.4) : noiseName == "resampled" ? .resampled : .released
            do {
                let h = try model.denoiser.train(on: data.trainSet, epochs: try args.int("epochs"),
                                                 batchSize: try args.int("batchSize"), noise: noise,
                                                 seed: try args.seed(ctx),
                                                 validationSplit: try args.double("validation"),
                                                 checkpoint: try args.has("checkpoint")
                                                    ? TrainingCheckpointing(url: URL(fileURLWithPath:
                                                        try args.string("checkpoint")), every: 5) : nil,
                                                 progress: progressReporter(ctx, title: "autoencoder"),
                                                 isCancelled: { ctx.cancellation.isCancelled })
                return .object(HistoryObject(h, title: "autoencoder loss"))
            } catch is CancellationError {
                let epochs = model.denoiser.history?.loss.count ?? 0
                throw ctx.error(.interrupted, "training interrupted after \(epochs) complete epoch(s); the model "
                    + "keeps the best weights so far" + (try args.has("checkpoint")
                        ? "; the same train(...) call carries on from the checkpoint's last epoch" : ""))
            }
        })
        r.register(Command(name: "trainClassifier", parameters: [
            .object("_ model", DenoiserObject.self, "Autoencoder"), .object("on", DatasetObject.self, "Dataset"),
            .int("epochs", default: 500), .int("batchSize", default: 512),
            .seed(),
            .double("validation", default: 0, doc: "fraction of the labelled training pixels "
                + "kept out for a validation loss"),
        ], returns: "Classifier", doc: "The classifier: the autoencoder's frozen encoder -> latent -> Dense k "
            + "softmax over the dataset's k classes, trained on the labelled pixels of the training images "
            + "(categorical cross-entropy; for the paper's two classes binary cross-entropy over the pair, which "
            + "is the same loss). Unlabelled pixels are left out; a class without a pixel is an error.",
           example: "let classifier = trainClassifier(model, on: data, epochs: 50)") { args, ctx in
            let model = try args.object("model", as: DenoiserObject.self)
            let data = try args.object("on", as: DatasetObject.self)
            let seed = try args.seed(ctx)
            let classifier = try OxidationClassifier(denoiser: model.denoiser, classNames: data.dataset.classNames,
                                                     seed: seed)
            do {
                try classifier.train(on: data.trainSet, epochs: try args.int("epochs"),
                                     batchSize: try args.int("batchSize"), seed: seed,
                                     validationSplit: try args.double("validation"),
                                     progress: progressReporter(ctx, title: "classifier"),
                                     isCancelled: { ctx.cancellation.isCancelled })
            } catch is CancellationError {
                throw ctx.error(.interrupted, "classifier training interrupted")
            }
            if let warning = classifier.warning { ctx.output.stream(.stderr, "Warning: " + warning + "\n") }
            return .object(ClassifierObject(classifier))
        })
        r.register(Command(name: "denoise", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                         .object("with", DenoiserObject.self, "Autoencoder"),
                                                         .ints("window", default: [1, 1],
                                                                          doc: "beyond the paper: [rows, columns] "
                                                                            + "(odd) of pixels whose denoised spectra "
                                                                            + "are averaged around each pixel"),
                                                         .ints("anchor", dynamic: "none",
                                                               doc: "beyond the paper: [rows, columns] (odd) around "
                                                                + "each pixel whose mean denoised spectrum is set to "
                                                                + "the data's own, background subtracted")],
                           returns: "SpectrumImage", doc: "Denoises every pixel with the model's own preprocessing: "
                            + "the model's window (520-580 eV at 0.25 eV for the paper's), in the ground truth's "
                            + "units (background-subtracted counts per bin). `window:` and `anchor:` also use the "
                            + "image's spatial structure (the paper's method is neither): with `anchor: [21, 161]` "
                            + "the network gives the variation inside that window and the data themselves its mean, "
                            + "which removes what one pixel cannot tell the model (an offset of the whole image, the "
                            + "pull of an uncertain pixel towards the other class).",
                           example: "let clean = denoise(data.test[0], with: model, window: [3, 9], anchor: [21, 161])") { args, ctx in
            let si = try image(args, "si")
            let model = try args.object("with", as: DenoiserObject.self)
            let window = try args.ints("window")
            guard window.count == 2 else { throw ctx.error(.value, "window: takes [rows, columns], got \(window)") }
            var anchor: (rows: Int, columns: Int)?
            if try args.has("anchor") {
                let a = try args.ints("anchor")
                guard a.count == 2 else { throw ctx.error(.value, "anchor: takes [rows, columns], got \(a)") }
                anchor = (a[0], a[1])
            }
            return si.derived(try model.denoiser.denoise(si.image, window: (window[0], window[1]), anchor: anchor))
        })
        r.register(Command(name: "classify", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                          .object("with", ClassifierObject.self, "Classifier"),
                                                          .value("label", "Int or String",
                                                                 dynamic: "the image's labels",
                                                                 doc: "the true class of every pixel"),
                                                          .ints("window", default: [1, 1],
                                                                           doc: "beyond the paper: [rows, columns] "
                                                                            + "(odd) of pixels whose class "
                                                                            + "probabilities are averaged around "
                                                                            + "each pixel")],
                           returns: "Classification", doc: "Classifies every pixel into the classifier's classes with "
                            + "its own preprocessing (data of another dispersion are rebinned when it divides the "
                            + "bin width). Shows the class map; where the image's classes are known (a dataset's "
                            + "labels or regions), the accuracy and the confusion matrix.",
                           example: "classify(data.test[0], with: classifier)") { args, ctx in
            let si = try image(args, "si")
            let classifier = try args.object("with", as: ClassifierObject.self).classifier
            var item = si.item
            if let given = try args.given("label") {
                let label: Int
                switch given {
                case .int(let i): label = i
                case .string(let name):
                    guard let i = classifier.classNames.firstIndex(of: name) else {
                        throw ctx.error(.value, "'\(name)' is not one of the classifier's classes "
                            + classifier.classNames.joined(separator: ", "))
                    }
                    label = i
                default: throw args.wrong("label", "a class index or name", given)
                }
                item.label = label
                item.regions = []
            } else if !si.classNames.isEmpty, si.classNames != classifier.classNames, item.isLabelled {
                throw ctx.error(.value, "the image's classes (" + si.classNames.joined(separator: ", ")
                    + ") are not the classifier's (" + classifier.classNames.joined(separator: ", ") + ")")
            }
            let window = try args.ints("window")
            guard window.count == 2 else { throw ctx.error(.value, "window: takes [rows, columns], got \(window)") }
            return .object(ClassificationObject(try classifier.classify(item, window: (window[0], window[1]))))
        })
        r.register(Command(name: "loadModel", parameters: [.string("_ path")],
                           returns: "Autoencoder or Classifier", doc: "Loads a model saved with .save (safetensors "
                            + "with its scaler and preprocessing), the paper's released autoencoder weights, or one of "
                            + "this project's reference models by name (\"srfeo3-sim-autoencoder\", "
                            + "\"srfeo3-sim-classifier\": trained on the simulated SrFeO3/SrFeO2.5 dataset at the "
                            + "paper's size; their SHA-256 is checked against models/catalog.json).",
                           example: "let model = loadModel(\"srfeo3-sim-autoencoder\")") { args, _ in
            let path = try args.string("path")
            let url = ReferenceModels.isName(path) && !FileManager.default.fileExists(atPath: path)
                ? try ReferenceModels.url(for: path) : URL(fileURLWithPath: path)
            if let classifier = try? OxidationClassifier.load(from: url) { return .object(ClassifierObject(classifier)) }
            return .object(DenoiserObject(try Denoiser.load(from: url)))
        })
    }

    // MARK: - Analysis

    static func registerAnalysis(_ r: CommandRegistry) {
        r.register(Command(name: "mse", parameters: [.object("_ a", SpectrumImageObject.self, "SpectrumImage"),
                                                     .object("_ b", SpectrumImageObject.self, "SpectrumImage")],
                           returns: "Double", doc: "Mean squared error over every pixel and channel.",
                           example: "mse(denoised, truth)") { args, _ in
            if case .object(let a as SpectrumObject) = try args.value("a"),
               case .object(let b as SpectrumObject) = try args.value("b") {
                return .double(try EELS.mse(a.spectrum, b.spectrum))
            }
            return .double(try EELS.mse(try image(args, "a").image, try image(args, "b").image))
        })
        r.register(Command(name: "accuracy", parameters: [.value("_ results", "Classification or [Classification]")],
                           returns: "Double", doc: "The fraction of labelled pixels classified as their true class "
                            + "(pooled over an array of classifications).",
                           example: "accuracy(classify(si, with: classifier))") { args, ctx in
            let matrix = try ConfusionMatrix(pooling: try classifications(try args.value("results"), ctx))
            guard matrix.total > 0 else {
                throw ctx.error(.value, "accuracy needs classifications of images with known classes")
            }
            return .double(matrix.accuracy)
        })
        r.register(Command(name: "pca", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                     .int("components", default: 3)],
                           returns: "PCA", doc: "Principal components (mean-centred, LAPACK) of the pixels' spectra.",
                           example: "let model = pca(si, components: 5)") { args, _ in
            let si = try image(args, "si")
            return .object(PCAObject(try EELS.pca(si.image, components: try args.int("components")), source: si))
        })
        r.register(Command(name: "pcaDenoise", parameters: [.object("_ si", SpectrumImageObject.self, "SpectrumImage"),
                                                            .int("components", default: 3)],
                           returns: "SpectrumImage", doc: "The paper's PCA baseline: the binned raw image rebuilt from "
                            + "k components, each pixel's power-law background subtracted, 520-580 eV.",
                           example: "pcaDenoise(si, components: 5)") { args, _ in
            let si = try image(args, "si")
            return si.derived(try PaperMethod().pcaDenoised(si.image, components: try args.int("components")))
        })
        r.register(Command(name: "fit", parameters: [
            .value("_ data", "Spectrum or SpectrumImage"), .doubles("peaks", doc: "start positions (eV)"),
            .range("window", doc: "eV"),
            .symbol("background", type: "Background", allowed: ["linear", "powerLaw", "none"], default: "linear",
                    doc: ".linear, .powerLaw or .none"),
        ], returns: "PeakFit or PeakFitMap", doc: "Fits a sum of Gaussians (+ background) by Levenberg-Marquardt, to "
            + "one spectrum or to every pixel in parallel.", example: "fit(si.mean(), peaks: [528, 535], window: 524...545)") {
            args, ctx in
            let bg = try args.symbol("background")
            let background = PeakBackground(rawValue: bg) ?? .linear
            let peaks = try args.doubles("peaks"), window = try args.range("window")
            switch try args.value("data") {
            case .object(let s as SpectrumObject):
                return .object(PeakFitObject(try fitGaussians(s.spectrum, peaks: peaks, window: window,
                                                              background: background), spectrum: s.spectrum))
            case .object(let si as SpectrumImageObject):
                let flag = ctx.cancellation
                return .object(PeakFitMapObject(try fitGaussians(si.image, peaks: peaks, window: window,
                                                                 background: background,
                                                                 isCancelled: { flag.isCancelled })))
            case let v: throw args.wrong("data", "a Spectrum or SpectrumImage", v)
            }
        })
        r.register(Command(name: "tsne", parameters: [
            .value("_ images", "[SpectrumImage]"), .double("perplexity", default: 30),
            .seed(), .int("iterations", default: 750),
            .int("maxPoints", default: 5000, doc: "pixels are subsampled evenly above this"),
            .string("title", default: "t-SNE"),
            methodParameter(doc: "the window raw data are binned "
                + "and cut to (images already on its channel count are used as they are)"),
        ], returns: "Embedding", doc: "t-SNE (Barnes-Hut, PCA initialisation) of every pixel of the images on the "
            + "method's axis (raw data are binned and windowed; each spectrum scaled to unit maximum), coloured by "
            + "class (unlabelled pixels grey).",
           example: "tsne(data.test, perplexity: 30)") { args, ctx in
            let sis = try images(try args.value("images"))
            let maxPoints = max(10, try args.int("maxPoints"))
            var rows: [Float] = [], labels: [Int] = [], thick: [Bool] = []
            let total = sis.reduce(0) { $0 + $1.image.pixelCount }
            let step = max(1, Int((Double(total) / Double(maxPoints)).rounded(.up)))
            let method = try methodArgument(args)
            for si in sis {
                let x = si.image.channels == method.channels ? si.image : try method.inputs(si.image)
                for p in Swift.stride(from: 0, to: x.pixelCount, by: step) {
                    let spectrum = Array(x.data[p * x.channels..<(p + 1) * x.channels])
                    let peak = max(spectrum.max() ?? 1, 1e-6)
                    rows += spectrum.map { $0 / peak }
                    labels.append(si.label ?? -1)
                    thick.append(si.thickness.map { $0 >= 0.815 } ?? false)
                }
            }
            var options = TSNEOptions()
            options.iterations = try args.int("iterations")
            let result = try EELS.tsne(rows, n: labels.count, d: method.channels,
                                       perplexity: try args.double("perplexity"),
                                       seed: try args.seed(ctx),
                                       options: options, isCancelled: { ctx.cancellation.isCancelled })
            let names = sis.first { !$0.classNames.isEmpty }?.classNames
            return .object(EmbeddingObject(result, labels: labels, thick: thick,
                                           title: try args.string("title"),
                                           classNames: names == OxidationState.classNames ? nil : names))
        })
    }

    // MARK: - Plots and tables

    static func registerPlots(_ r: CommandRegistry) {
        r.register(Command(name: "plot", parameters: [
            .value("_ data", "Spectrum, SpectrumImage or an array of them; or a PeakFit, PeakFitMap, "
                + "Classification or Image"),
            .value("labels", "[String]", default: .array([])), .string("title", default: ""),
            .value("colors", "[String]", default: .array([]), doc: "one per series: blue, orange, green, red, "
                + "purple, gray, black, cyan ... or \"#rrggbb\"; missing ones take the colour cycle"),
            .value("styles", "[String]", default: .array([]), doc: "one per series: solid, dashed, dotted, dashDot"),
            .string("yLabel", default: "Counts"),
        ], returns: "Figure", doc: "Spectra on one energy axis (a spectrum image is drawn as its mean spectrum); a fit as "
            + "data, model and components; a fit map as one calibrated map per parameter; a map as an image.",
           example: "plot([si[0, 0], si.mean()], labels: [\"one pixel\", \"mean\"])\n"
            + "plot([truth[4, 319], clean[4, 319]], labels: [\"1 FPS\", \"AEC\"], colors: [\"gray\", \"blue\"], "
            + "styles: [\"dashed\", \"solid\"])") { args, _ in
            let data = try args.value("data")
            if let figure = try plotFigure(of: data) { return .object(figure) }  // HyperSpyFiles.swift
            var items: [Value]
            if case .array(let a) = data { items = a } else { items = [data] }
            var labels: [String] = []
            if case .array(let a) = try args.value("labels") { labels = a.map { $0.description } }
            var series: [(Spectrum, String)] = []
            // A label the caller gives is always drawn; names taken from the data only tell several series apart.
            let nameSeries = items.count > 1
            for (i, item) in items.enumerated() {
                let label = i < labels.count ? labels[i] : ""
                switch item {
                case .object(let s as SpectrumObject):
                    series.append((s.spectrum, label.isEmpty && nameSeries ? s.spectrum.metadata["title"] ?? "" : label))
                case .object(let si as SpectrumImageObject):
                    series.append((si.image.meanSpectrum(), label.isEmpty && nameSeries ? "mean of \(si.name)" : label))
                default: throw args.wrong("data", "spectra or spectrum images", item)
                }
            }
            let title = try args.string("title")
            let figure = try Figures.spectra(series, styles: try seriesStyles(args, styles: "styles"),
                                             title: title.isEmpty ? nil : title,
                                             yLabel: try args.string("yLabel"))
            return .object(FigureObject(figure, text: "Figure(\(series.count) spectra"
                + (title.isEmpty ? "" : ", \"\(title)\"") + ")"))
        })
        r.register(Command(name: "plotMeanStd", parameters: [
            .value("_ images", "[SpectrumImage]"), .value("labels", "[String]", default: .array([])),
            .string("title", default: ""),
            .value("truth", "SpectrumImage or [SpectrumImage]", dynamic: "none", doc: "drawn over the "
                + "bands as grey dashed mean lines, as the paper's ground truth"),
            .value("colors", "[String]", default: .array([]), doc: "one per image (see plot)"),
            .string("truthLabel", default: "ground truth"),
        ], returns: "Figure", doc: "Mean ± one standard deviation over the pixels of each image (paper Fig. 6), with "
            + "optional ground truth drawn grey and dashed.",
           example: "plotMeanStd([denoised, truth], labels: [\"AEC\", \"1 FPS\"])\n"
            + "plotMeanStd(clean[0..<10, 280..<320], labels: [\"AEC\"], truth: truth[0..<10, 280..<320])") { args, _ in
            let sis = try images(try args.value("images"))
            var labels: [String] = []
            if case .array(let a) = try args.value("labels") { labels = a.map { $0.description } }
            let sets = sis.enumerated().map { ($0.element.image, $0.offset < labels.count ? labels[$0.offset] : $0.element.name) }
            let title = try args.string("title")
            let truthLabel = try args.string("truthLabel")
            let truth = try args.given("truth").map { try images($0) }?.enumerated().map {
                ($0.element.image, $0.offset == 0 ? truthLabel : "")
            } ?? []
            let colors = try seriesStyles(args, styles: nil).compactMap(\.color)
            let figure = try Figures.meanStd(sets, truth: truth, colors: colors, title: title.isEmpty ? nil : title)
            return .object(FigureObject(figure, text: "Figure(mean ± std of \(sets.count) images)"))
        })
        r.register(Command(name: "bars", parameters: [
            .value("_ series", "[String: [Double]]", doc: "series name -> one value per category"),
            .value("categories", "[String]"), .string("yLabel", default: ""),
            .string("title", default: ""),
        ], returns: "Figure", doc: "Grouped bars (paper Fig. 5).",
           example: "bars([\"AEC\": [0.1, 0.2], \"PCA-3\": [0.3, 0.4]], categories: [\"thin\", \"thick\"])") { args, ctx in
            guard case .dictionary(let d) = try args.value("series") else {
                throw args.wrong("series", "a dictionary of series", try args.value("series"))
            }
            var categories: [String] = []
            if case .array(let a) = try args.value("categories") { categories = a.map { $0.description } }
            let series = try d.entries.map { e -> (String, [Double]) in
                guard case .array(let a) = e.value else { throw ctx.error(.type, "each series must be an array") }
                return (e.key.description, try Builtins.numbers(a, "bars", ctx.location ?? SourceLocation(line: 1, column: 1)))
            }
            let title = try args.string("title")
            let figure = try Figures.bars(categories: categories, series: series, title: title.isEmpty ? nil : title,
                                          yLabel: try args.string("yLabel"))
            return .object(FigureObject(figure, text: "Figure(bars: \(series.count) series x \(categories.count) categories)"))
        })
        r.register(Command(name: "scatter", parameters: [
            .doubles("x"), .doubles("y"),
            .ints("labels", dynamic: "all 0"), .string("title", default: ""),
        ], returns: "Figure", doc: "A scatter plot, coloured by class label (0 blue, 1 orange).",
           example: "scatter(x: e.x, y: e.y)") { args, ctx in
            let x = try args.doubles("x"), y = try args.doubles("y")
            guard x.count == y.count else { throw ctx.error(.value, "x has \(x.count) values but y has \(y.count)") }
            let labels = try args.ints("labels", dynamic: [Int](repeating: 0, count: x.count))
            var points: [Double] = []
            for i in x.indices { points += [x[i], y[i]] }
            let figure = try Figures.embedding(points, labels: labels.count == x.count ? labels : [Int](repeating: 0, count: x.count),
                                               thick: [Bool](repeating: false, count: x.count),
                                               title: try args.string("title"))
            return .object(FigureObject(figure, text: "Figure(scatter of \(x.count) points)"))
        })
        r.register(Command(name: "table", parameters: [.value("_ rows", "[[Any]]"), .value("headers", "[String]"),
                                                       .string("title", default: "")],
                           returns: "Table", doc: "A table (HTML in the notebook); numbers are shown with 4 "
                            + "significant digits.", example: "table([[\"400 FPS\", 0.85]], headers: [\"rate\", \"accuracy\"])") {
            args, _ in
            guard case .array(let rows) = try args.value("rows") else {
                throw args.wrong("rows", "an array of rows", try args.value("rows"))
            }
            var headers: [String] = []
            if case .array(let a) = try args.value("headers") { headers = a.map { $0.description } }
            let cells = rows.map { row -> [String] in
                guard case .array(let a) = row else { return [row.description] }
                return a.map { v in
                    if case .double(let d) = v { return fmt(d) }
                    return v.description
                }
            }
            let title = try args.string("title")
            return .object(TableObject(headers: headers, rows: cells, caption: title.isEmpty ? nil : title))
        })
    }
}
