import EELS
import Foundation
import NeuralCore

/// The paper's oxidation-state classifier: the denoiser's frozen encoder -> 5-dim latent -> Dense 2 softmax.
///
///     let classifier = try OxidationClassifier(denoiser: denoiser)
///     try classifier.train(on: train, epochs: 500)
///     let map = try classifier.classify(si, trueLabel: 0)
///     map.accuracy   // fraction of pixels classified as initial
public final class OxidationClassifier {
    public let network: PaperClassifier
    public let scaler: RobustScaler
    public let method: PaperMethod
    /// Class names by index (0 = initial SrFeO3, 1 = annealed SrFeO2.5).
    public let classNames: [String]
    public private(set) var history: TrainingHistory?

    /// A classifier on `denoiser`'s encoder (shared weights, frozen during training).
    /// - Throws: `RapidEELSError.model` when the denoiser has not been trained (no scaler).
    public init(denoiser: Denoiser, seed: UInt64 = 0) throws {
        guard let scaler = denoiser.scaler else {
            throw RapidEELSError.model("train the autoencoder before the classifier: its encoder and scaler are used")
        }
        network = PaperClassifier(encoder: denoiser.autoencoder, seed: seed)
        self.scaler = scaler
        method = denoiser.method
        classNames = PaperClassifier.defaultLabels
    }

    init(network: PaperClassifier, scaler: RobustScaler, method: PaperMethod, classNames: [String]) {
        self.network = network
        self.scaler = scaler
        self.method = method
        self.classNames = classNames
    }

    /// Trains the head on every pixel of `dataset`, each labelled with its image's label.
    @discardableResult
    public func train(on dataset: Dataset, epochs: Int, batchSize: Int = 512, seed: UInt64 = 0,
                      progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: @escaping () -> Bool = { false }) throws -> TrainingHistory {
        guard !dataset.items.isEmpty else { throw RapidEELSError.value("the training set has no spectrum images") }
        var inputs: [Float] = [], labels: [Int] = []
        for item in dataset.items {
            if isCancelled() { throw CancellationError() }
            inputs += try method.inputs(item.image).data
            labels += [Int](repeating: item.label, count: item.image.pixelCount)
        }
        inputs = try scaler.transform(spectra: inputs)
        do {
            history = try network.train(inputs: inputs, labels: labels, epochs: epochs, batchSize: batchSize,
                                        seed: seed, progress: progress, isCancelled: isCancelled)
        } catch is CancellationError {
            history = network.lastHistory
            throw CancellationError()
        }
        return history!
    }

    /// Classifies every pixel of `si` (any dispersion that bins to 0.25 eV and covers 520-580 eV).
    /// - Parameter trueLabel: the image's known class, for the accuracy.
    public func classify(_ si: SpectrumImage, trueLabel: Int? = nil) throws -> Classification {
        let x = try scaler.transform(spectra: method.inputs(si).data)
        let p = try network.probabilities(inputs: x, count: si.pixelCount)
        return Classification(rows: si.rows, columns: si.columns, probabilities: p, classNames: classNames,
                              trueLabel: trueLabel, title: si.metadata["title"] ?? "", rowAxis: si.rowAxis,
                              columnAxis: si.columnAxis)
    }

    /// Saves encoder + head weights with the scaler, the preprocessing and the class names.
    public func save(to url: URL) throws {
        var metadata = try ModelMetadata.encode(scaler: scaler, method: method)
        metadata["labels"] = classNames.joined(separator: "|")
        try network.save(to: url, metadata: metadata)
    }

    /// Loads a classifier saved by `save(to:)`.
    /// - Throws: `RapidEELSError.model` when the file carries no scaler (it cannot prepare raw data).
    public static func load(from url: URL) throws -> OxidationClassifier {
        let network = try PaperClassifier.load(from: url)
        let (scaler, method) = try ModelMetadata.decode(network.metadata)
        guard let scaler else {
            throw RapidEELSError.model("\(url.lastPathComponent) has no scaler metadata; save it with "
                + "OxidationClassifier.save so raw spectra can be prepared as in training")
        }
        let names = network.metadata["labels"].map { $0.split(separator: "|").map(String.init) }
            ?? PaperClassifier.defaultLabels
        return OxidationClassifier(network: network, scaler: scaler, method: method, classNames: names)
    }
}

/// Per-pixel classes and probabilities of one spectrum image.
public struct Classification: Sendable {
    public let rows: Int
    public let columns: Int
    /// [pixels x classes] softmax probabilities, row-major pixels.
    public let probabilities: [Float]
    public let classNames: [String]
    /// The image's known class, when given.
    public let trueLabel: Int?
    public let title: String
    /// The classified image's spatial axes (y for rows, x for columns).
    public var rowAxis = EnergyAxis(offset: 0, scale: 1, size: 0, units: "px", name: "y")
    public var columnAxis = EnergyAxis(offset: 0, scale: 1, size: 0, units: "px", name: "x")

    /// The most probable class of every pixel.
    public var labels: [Int] {
        let k = classNames.count
        return (0..<(rows * columns)).map { p in
            var best = 0
            for c in 1..<k where probabilities[p * k + c] > probabilities[p * k + best] { best = c }
            return best
        }
    }

    /// Pixels per predicted class.
    public var counts: [Int] {
        var out = [Int](repeating: 0, count: classNames.count)
        for l in labels { out[l] += 1 }
        return out
    }

    /// Fraction of pixels predicted as `trueLabel` (nil without a true label).
    public var accuracy: Double? {
        guard let trueLabel, rows * columns > 0 else { return nil }
        return Double(counts[trueLabel]) / Double(rows * columns)
    }
}
