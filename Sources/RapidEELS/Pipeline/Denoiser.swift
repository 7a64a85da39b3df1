import EELS
import Foundation
import NeuralCore

/// Noise added to the training inputs, drawn afresh every epoch (a fixed draw lets the network learn the noise of
/// its training set: at 500 epochs the held-out MSE rose while the training loss fell). The paper's text says
/// Poisson noise; the released code adds Gaussian noise of sigma 0.4 twice to the scaled inputs (0.566 in all).
public enum TrainingNoise: Equatable, Sendable {
    case none
    /// Each raw count c is replaced by a Poisson deviate of mean c before scaling (the paper's text). The raw
    /// counts are already shot-noise limited, so this doubles their variance.
    case poisson
    /// N(0, sigma) added to the scaled inputs (the released code: `.gaussian(sigma: 0.4 * 2.squareRoot())`).
    case gaussian(sigma: Double)
    /// Each pixel is redrawn as Poisson counts of its ground-truth block's mean raw spectrum: a fresh 400 FPS pixel
    /// with the statistics of the measured ones (the variance is not doubled) every epoch.
    case resampled

    /// The released code's noise.
    public static let released = TrainingNoise.gaussian(sigma: 0.4 * 2.0.squareRoot())
}

/// The denoiser: the autoencoder plus what it needs to run on raw data (the robust scaler fitted on the
/// training pixels and the preprocessing). The paper's is `Denoiser(seed:)`; any edge takes a method.
///
///     let denoiser = Denoiser(seed: 1)
///     try denoiser.train(on: train, epochs: 500)
///     let clean = try denoiser.denoise(si)   // rows x columns x 240, background-subtracted counts
///     let mn = try Denoiser(seed: 1, method: mnMethod, latent: 8)   // any window and latent size
public final class Denoiser {
    public let autoencoder: PaperAutoencoder
    public private(set) var scaler: RobustScaler?
    public let method: PreprocessingMethod
    /// The last training run's losses (nil before training).
    public private(set) var history: TrainingHistory?
    /// Training spectra used (pixels of the training images).
    public private(set) var trainingSpectra = 0
    /// Latent units found dead (0 for every checked training spectrum) after an epoch and revived, in order.
    public private(set) var revivedUnits: [(epoch: Int, unit: Int)] = []
    /// Latent units dead at the end of the last training run (empty when all carry information).
    public private(set) var deadUnits: [Int] = []

    /// The paper's denoiser (240 channels, latent 5).
    public init(seed: UInt64 = 0, backend: ComputeBackend = CPUBackend()) {
        autoencoder = PaperAutoencoder(seed: seed, backend: backend)
        self.method = .paper
    }

    /// A denoiser for `method`'s window with a `latent`-unit latent space.
    /// - Throws: `RapidEELSError.value` for a method or latent size that makes no network.
    public init(seed: UInt64 = 0, method: PreprocessingMethod, latent: Int = PaperArchitecture.latentSize,
                backend: ComputeBackend = CPUBackend()) throws {
        try method.validate()
        do {
            autoencoder = try PaperAutoencoder.make(seed: seed, length: method.channels, latent: latent,
                                                    backend: backend)
        } catch NeuralError.invalidArgument(let message) {
            throw RapidEELSError.value(message)
        }
        self.method = method
    }

    init(autoencoder: PaperAutoencoder, scaler: RobustScaler?, method: PreprocessingMethod) {
        self.autoencoder = autoencoder
        self.scaler = scaler
        self.method = method
    }

    /// Whether a scaler exists (the model has been trained or loaded with its metadata).
    public var isTrained: Bool { scaler != nil }

    /// Trains on every pixel of `dataset` (inputs: raw windowed counts, robust-scaled; targets: the "1 FPS"
    /// ground truth). Fits the scaler on these training pixels first. Labels are not used: unlabelled images
    /// train the denoiser like labelled ones.
    /// - Parameters:
    ///   - validationSplit: the fraction of spectra (the last images' pixels, as Keras) kept out of training to
    ///     report a validation loss per epoch (`history.validationLoss`).
    ///   - checkpoint: resume from this `TrainingCheckpoint` file when it exists and rewrite it as training goes:
    ///     a run spread over several sittings ends with the weights of one uninterrupted run (CPU backend). The
    ///     revived-unit list (`revivedUnits`) covers the last sitting only.
    /// - Throws: `CancellationError` when `isCancelled` turns true (the best weights so far stay),
    ///   `RapidEELSError` for data off the model's axis, `NeuralError` for non-finite losses.
    @discardableResult
    public func train(on dataset: Dataset, epochs: Int, batchSize: Int = 512, noise: TrainingNoise = .resampled,
                      seed: UInt64 = 0, validationSplit: Double = 0, checkpoint: TrainingCheckpointing? = nil,
                      progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: @escaping () -> Bool = { false }) throws -> TrainingHistory {
        guard !dataset.items.isEmpty else { throw RapidEELSError.value("the training set has no spectrum images") }
        guard epochs >= 1 else { throw RapidEELSError.value("epochs must be at least 1, got \(epochs)") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw RapidEELSError.value("the validation split must be in [0, 1), got \(validationSplit)")
        }
        var inputs: [Float] = [], targets: [Float] = [], expected: [Float] = []
        for item in dataset.items {
            if isCancelled() { throw CancellationError() }
            try method.checkBlock(item.image, name: item.name)
            let corrected = try method.corrected(item.image).image
            let raw = try method.inputs(corrected: corrected)
            inputs += raw.data
            targets += try method.targets(corrected: corrected).data
            if noise == .resampled {
                expected += try raw.blockMean(rows: method.blockRows, columns: method.blockColumns).data
            }
        }
        let scaler = try RobustScaler(fittingSpectra: inputs, channels: method.channels)
        let clean = inputs
        inputs = try scaler.transform(spectra: inputs)
        self.scaler = scaler
        trainingSpectra = inputs.count / method.channels
        // Validation (the last pixels) sees measured inputs; only the training inputs get fresh noise each epoch.
        let epochInputs: ((Int) throws -> [Float])?
        switch noise {
        case .none: epochInputs = nil
        case .poisson:
            epochInputs = { epoch in try scaler.transform(spectra: NoiseDraw.poisson(means: clean, seed: seed, epoch: epoch)) }
        case .resampled:
            epochInputs = { [expected] epoch in
                try scaler.transform(spectra: NoiseDraw.poisson(means: expected, seed: seed, epoch: epoch))
            }
        case .gaussian(let sigma):
            epochInputs = { [inputs] epoch in NoiseDraw.gaussian(adding: sigma, to: inputs, seed: seed, epoch: epoch) }
        }
        // Health check after every epoch on up to 4,096 training spectra spread over all images.
        let (sample, sampleCount) = LatentHealth.sample(inputs, channels: method.channels)
        revivedUnits = []
        deadUnits = []
        let autoencoder = self.autoencoder
        var revived: [(epoch: Int, unit: Int)] = []
        let epochEnd: (Int) throws -> Void = { epoch in
            let dead = try autoencoder.deadLatentUnits(inputs: sample, count: sampleCount)
            guard !dead.isEmpty, epoch < epochs else { return }
            try autoencoder.revive(units: dead, inputs: sample, count: sampleCount, seed: seed &+ UInt64(epoch))
            revived += dead.map { (epoch, $0) }
        }
        let result: TrainingHistory
        defer {
            revivedUnits = revived
            deadUnits = (try? autoencoder.deadLatentUnits(inputs: sample, count: sampleCount)) ?? []
        }
        do {
            result = try autoencoder.train(inputs: inputs, targets: targets, epochs: epochs, batchSize: batchSize,
                                           seed: seed, validationSplit: validationSplit, epochInputs: epochInputs,
                                           epochEnd: epochEnd, checkpoint: checkpoint, progress: progress,
                                           isCancelled: isCancelled)
        } catch is CancellationError {
            history = autoencoder.network.lastHistory
            throw CancellationError()
        }
        history = result
        return result
    }

    /// Robust-scaled network inputs of every pixel: [pixels x channels].
    public func scaledInputs(_ si: SpectrumImage) throws -> [Float] {
        guard let scaler else { throw RapidEELSError.model("the denoiser is not trained yet: call train first") }
        return try scaler.transform(spectra: method.inputs(si).data)
    }

    /// The denoised spectrum image: rows x columns x channels on the method's window (520-580 eV at 0.25 eV for
    /// the paper), in the ground truth's units (background-subtracted counts per bin).
    ///
    ///     let clean = try denoiser.denoise(si)                                        // the paper's method
    ///     let anchored = try denoiser.denoise(si, window: (3, 9), anchor: (21, 81))  // beyond the paper
    /// - Parameters:
    ///   - window: beyond the paper: the denoised spectra averaged over this many (odd) rows x columns of pixels
    ///     centred on each pixel (`slidingMean`); (1, 1) is the paper's method.
    ///   - anchor: beyond the paper: the denoised spectra's local mean over this many (odd) rows x columns around each
    ///     pixel is replaced by the data's own (`PreprocessingMethod.localTargets`): the network supplies the
    ///     variation inside the window, the SI itself its level and shape. This removes what a model cannot know
    ///     from one pixel (an SI-wide offset, the pull of an uncertain pixel towards the other class) and what it
    ///     learned from other data. nil is the paper's method.
    public func denoise(_ si: SpectrumImage, window: (rows: Int, columns: Int) = (1, 1),
                        anchor: (rows: Int, columns: Int)? = nil) throws -> SpectrumImage {
        let x = try scaledInputs(si)
        var y = try autoencoder.predict(inputs: x, count: si.pixelCount)
        do {
            if window != (1, 1) {
                y = try slidingMean(y, rows: si.rows, columns: si.columns, depth: method.channels, window: window)
            }
            if let anchor {
                let local = try method.localTargets(corrected: method.corrected(si).image, window: anchor)
                let modelLocal = try slidingMean(y, rows: si.rows, columns: si.columns, depth: method.channels,
                                                 window: anchor)
                for i in y.indices { y[i] += local.data[i] - modelLocal[i] }
            }
        } catch let error as EELSError { throw RapidEELSError.value(error.description) }
        var out = SpectrumImage(rows: si.rows, columns: si.columns, energy: method.axis, data: y,
                                metadata: si.metadata)
        out.rowAxis = si.rowAxis
        out.columnAxis = si.columnAxis
        out.metadata["title"] = "denoised " + (si.metadata["title"] ?? "")
        return out
    }

    /// The latent vector of every pixel: [pixels x latent].
    public func latent(_ si: SpectrumImage) throws -> [Float] {
        try autoencoder.latent(inputs: scaledInputs(si), count: si.pixelCount)
    }

    /// Saves the weights (safetensors) with the scaler and the preprocessing as JSON metadata.
    public func save(to url: URL) throws {
        try autoencoder.save(to: url, metadata: try ModelMetadata.encode(scaler: scaler, method: method))
    }

    /// Loads a denoiser saved by `save(to:)`; a bare weights file (like the paper's release) loads untrained-scaler.
    public static func load(from url: URL) throws -> Denoiser {
        let model = try PaperAutoencoder.load(from: url)
        let (scaler, method) = try ModelMetadata.decode(model.metadata)
        guard method.channels == model.inputLength else {
            throw RapidEELSError.model("\(url.lastPathComponent): the method has \(method.channels) channels but the "
                + "network takes \(model.inputLength)")
        }
        return Denoiser(autoencoder: model, scaler: scaler, method: method)
    }
}

/// The JSON metadata that travels with a saved model: the scaler and the preprocessing.
enum ModelMetadata {
    static func encode(scaler: RobustScaler?, method: PreprocessingMethod) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var out = ["method": String(decoding: try encoder.encode(method), as: UTF8.self),
                   "energy_axis": "\(method.windowStart):\(method.binWidth):\(method.channels) eV"]
        if let scaler { out["scaler"] = String(decoding: try encoder.encode(scaler), as: UTF8.self) }
        return out
    }

    static func decode(_ metadata: [String: String]) throws -> (RobustScaler?, PreprocessingMethod) {
        let decoder = JSONDecoder()
        var method = PreprocessingMethod.paper
        if let text = metadata["method"] {
            do { method = try decoder.decode(PreprocessingMethod.self, from: Data(text.utf8)) } catch {
                throw RapidEELSError.model("the model's \"method\" metadata is not valid: \(error)")
            }
        }
        var scaler: RobustScaler?
        if let text = metadata["scaler"] {
            do { scaler = try decoder.decode(RobustScaler.self, from: Data(text.utf8)) } catch {
                throw RapidEELSError.model("the model's \"scaler\" metadata is not valid: \(error)")
            }
            guard scaler!.channels == method.channels else {
                throw RapidEELSError.model("the scaler has \(scaler!.channels) channels; the model needs \(method.channels)")
            }
        }
        return (scaler, method)
    }
}
