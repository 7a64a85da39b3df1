import EELS
import Foundation
import NeuralCore

/// The state classifier: the denoiser's frozen encoder -> latent -> Dense k softmax over the dataset's classes.
/// The paper's is k = 2 (initial SrFeO3, annealed SrFeO2.5).
///
///     let classifier = try OxidationClassifier(denoiser: denoiser, classNames: ["Mn2+", "Mn3+", "Mn4+"])
///     try classifier.train(on: train, epochs: 500)
///     let map = try classifier.classify(item)       // per-pixel classes, probabilities, accuracy where labelled
public final class OxidationClassifier {
    public let network: PaperClassifier
    public let scaler: RobustScaler
    public let method: PreprocessingMethod
    /// Class names by index.
    public let classNames: [String]
    public private(set) var history: TrainingHistory?
    /// Set by `train` when the head ended at chance level (loss >= 0.99 ln k): what happened and what to do.
    public private(set) var warning: String?

    /// A classifier on `denoiser`'s encoder (copied, frozen during training) for `classNames` (k >= 2; the
    /// default is the paper's two).
    /// - Throws: `RapidEELSError.model` when the denoiser has not been trained (no scaler), `.value` for fewer
    ///   than two classes.
    public init(denoiser: Denoiser, classNames: [String] = OxidationState.classNames, seed: UInt64 = 0) throws {
        guard let scaler = denoiser.scaler else {
            throw RapidEELSError.model("train the autoencoder before the classifier: its encoder and scaler are used")
        }
        guard classNames.count >= 2 else {
            throw RapidEELSError.value("a classifier needs at least two classes; the data have "
                + (classNames.isEmpty ? "none (label the images: dataset(..., labels: ...))" : "only '\(classNames[0])'"))
        }
        network = PaperClassifier(encoder: denoiser.autoencoder, classes: classNames.count, seed: seed)
        self.scaler = scaler
        method = denoiser.method
        self.classNames = classNames
    }

    init(network: PaperClassifier, scaler: RobustScaler, method: PreprocessingMethod, classNames: [String]) {
        self.network = network
        self.scaler = scaler
        self.method = method
        self.classNames = classNames
    }

    /// The scaled inputs and labels of every labelled pixel of `dataset` (unlabelled pixels are left out).
    /// - Throws: `RapidEELSError.value` for a label outside the classes or a class without a pixel.
    func labelledInputs(_ dataset: Dataset, isCancelled: () -> Bool) throws -> (inputs: [Float], labels: [Int]) {
        var inputs: [Float] = [], labels: [Int] = []
        let k = classNames.count
        for item in dataset.items {
            if isCancelled() { throw CancellationError() }
            let pixelLabels = item.pixelLabels
            guard pixelLabels.contains(where: { $0 != nil }) else { continue }
            let x = try method.inputs(item.image)
            for (p, label) in pixelLabels.enumerated() {
                guard let label else { continue }
                guard label >= 0, label < k else {
                    throw RapidEELSError.value("\(item.name) has class label \(label); the classifier has \(k) "
                        + "classes (0..<\(k))")
                }
                inputs += x.data[p * method.channels..<(p + 1) * method.channels]
                labels.append(label)
            }
        }
        var counts = [Int](repeating: 0, count: k)
        for label in labels { counts[label] += 1 }
        if let empty = counts.firstIndex(of: 0) {
            throw RapidEELSError.value("class '\(classNames[empty])' has no labelled pixel in the training images; "
                + "label some (dataset(..., labels:) or .labelRegion) or leave the class out")
        }
        return (try scaler.transform(spectra: inputs), labels)
    }

    /// Trains the head on every labelled pixel of `dataset`.
    /// - Parameter validationSplit: fraction of the pixels (the last ones, as Keras) kept for a validation loss.
    @discardableResult
    public func train(on dataset: Dataset, epochs: Int, batchSize: Int = 512, seed: UInt64 = 0,
                      validationSplit: Double = 0, progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: @escaping () -> Bool = { false }) throws -> TrainingHistory {
        guard !dataset.items.isEmpty else { throw RapidEELSError.value("the training set has no spectrum images") }
        let (inputs, labels) = try labelledInputs(dataset, isCancelled: isCancelled)
        let (sample, sampleCount) = LatentHealth.sample(inputs, channels: method.channels)
        let dead = try network.deadLatentUnits(inputs: sample, count: sampleCount)
        if dead.count == network.latentSize {
            throw RapidEELSError.model("every latent unit of the encoder is 0 for every training spectrum (dead "
                + "ReLUs), so the latent carries nothing to classify: retrain the autoencoder (more epochs or "
                + "another seed)")
        }
        do {
            history = try network.train(inputs: inputs, labels: labels, epochs: epochs, batchSize: batchSize,
                                        seed: seed, validationSplit: validationSplit, progress: progress,
                                        isCancelled: isCancelled)
        } catch is CancellationError {
            history = network.lastHistory
            throw CancellationError()
        }
        let chance = log(Double(classNames.count))
        warning = nil
        if let last = history!.loss.last, last >= 0.99 * chance {
            warning = String(format: "the classifier did not learn: its loss ended at %.4f, the chance level ln %d = "
                + "%.4f", last, classNames.count, chance)
                + (dead.isEmpty ? "" : "; latent units \(dead.map(String.init).joined(separator: ", ")) of the "
                    + "encoder are dead (0 for every training spectrum)")
                + ". Train the head for more epochs, or the autoencoder longer or with another seed"
        }
        return history!
    }

    /// Classifies every pixel of `si` (any dispersion that divides the bin width and covers the window).
    /// - Parameter trueLabel: the image's known class, for the accuracy.
    public func classify(_ si: SpectrumImage, trueLabel: Int? = nil) throws -> Classification {
        try classify(si, trueLabels: trueLabel.map { [Int?](repeating: $0, count: si.pixelCount) })
    }

    /// Classifies every pixel of a dataset item, scoring it against the item's per-pixel labels.
    public func classify(_ item: DatasetItem, window: (rows: Int, columns: Int) = (1, 1)) throws -> Classification {
        var result = try classify(item.image, trueLabels: item.isLabelled ? item.pixelLabels : nil, window: window)
        result.title = item.name
        return result
    }

    /// Classifies every pixel of `si`; `trueLabels` (one per pixel, nil where unknown) score the result.
    /// - Throws: `RapidEELSError.value` for a true label outside the classes, `.incompatible` for data the
    ///   model's method cannot prepare (another edge or window).
    /// - Parameter window: beyond the paper: class probabilities averaged over this many (odd) rows x columns of
    ///   pixels centred on each pixel (spatial context); (1, 1) is the paper's per-pixel method.
    public func classify(_ si: SpectrumImage, trueLabels: [Int?]?,
                         window: (rows: Int, columns: Int) = (1, 1)) throws -> Classification {
        if let trueLabels {
            guard trueLabels.count == si.pixelCount else {
                throw RapidEELSError.value("\(trueLabels.count) true labels for \(si.pixelCount) pixels")
            }
            if let bad = trueLabels.compactMap({ $0 }).first(where: { $0 < 0 || $0 >= classNames.count }) {
                throw RapidEELSError.value("true label \(bad) is outside the classifier's \(classNames.count) classes")
            }
        }
        let x = try scaler.transform(spectra: method.inputs(si).data)
        var p = try network.probabilities(inputs: x, count: si.pixelCount)
        if window != (1, 1) {
            do {
                p = try slidingMean(p, rows: si.rows, columns: si.columns, depth: classNames.count, window: window)
            } catch let error as EELSError { throw RapidEELSError.value(error.description) }
        }
        return Classification(rows: si.rows, columns: si.columns, probabilities: p, classNames: classNames,
                              trueLabels: trueLabels, title: si.metadata["title"] ?? "", rowAxis: si.rowAxis,
                              columnAxis: si.columnAxis)
    }

    /// Saves encoder + head weights with the scaler, the preprocessing and the class names.
    public func save(to url: URL) throws {
        var metadata = try ModelMetadata.encode(scaler: scaler, method: method)
        metadata["labels"] = classNames.joined(separator: "|")
        try network.save(to: url, metadata: metadata)
    }

    /// Loads a classifier saved by `save(to:)`.
    /// - Throws: `RapidEELSError.model` when the file carries no scaler (it cannot prepare raw data) or its class
    ///   names do not match its head.
    public static func load(from url: URL) throws -> OxidationClassifier {
        let network = try PaperClassifier.load(from: url)
        let (scaler, method) = try ModelMetadata.decode(network.metadata)
        guard let scaler else {
            throw RapidEELSError.model("\(url.lastPathComponent) has no scaler metadata; save it with "
                + "OxidationClassifier.save so raw spectra can be prepared as in training")
        }
        let names = network.metadata["labels"].map { $0.split(separator: "|", omittingEmptySubsequences: false)
            .map(String.init) } ?? (network.classCount == 2 ? OxidationState.classNames
                : (0..<network.classCount).map { "class \($0)" })
        guard names.count == network.classCount, method.channels == network.inputLength else {
            throw RapidEELSError.model("\(url.lastPathComponent): \(names.count) class names and a \(method.channels)-"
                + "channel method for a \(network.classCount)-class head on \(network.inputLength) channels")
        }
        return OxidationClassifier(network: network, scaler: scaler, method: method, classNames: names)
    }
}
