import Foundation
import NeuralCore

/// The paper's oxidation-state classifier: the autoencoder's encoder, frozen, -> Dense 2 -> softmax.
/// Class 0 = initial (SrFeO3), class 1 = annealed (SrFeO2.5).
///
/// The encoder weights are copied from the autoencoder when the classifier is made, so later training of the
/// autoencoder does not change the classifier.
///
///     let classifier = PaperClassifier(encoder: model, seed: 2)
///     try classifier.train(inputs: x, labels: y, epochs: 100)
///     let p = try classifier.probabilities(inputs: x)    // [count, 2]
public final class PaperClassifier {
    /// Encoder layers, then "classifier" (Dense 2) and a softmax.
    public let network: Sequential
    /// Index of the trainable Dense layer.
    public let headIndex: Int
    /// Class names saved with the model.
    public static let defaultLabels = ["initial (SrFeO3)", "annealed (SrFeO2.5)"]
    /// The losses of the last (possibly interrupted) head training.
    public private(set) var lastHistory: TrainingHistory?
    /// Metadata saved with the model; filled by `load(from:)`.
    public var metadata: [String: String] = [:]

    /// A classifier whose encoder is a copy of `encoder`'s and whose head is Glorot-initialised from `seed`.
    public init(encoder: PaperAutoencoder, seed: UInt64 = 0, backend: ComputeBackend = CPUBackend()) {
        let layers = PaperArchitecture.encoderLayers()
        let head = try! Dense(name: "classifier", inputSize: PaperArchitecture.latentSize, units: 2)
        PaperArchitecture.initialize([head], seed: seed)
        headIndex = layers.count
        network = try! Sequential(layers + [head, Softmax(name: "classifier.softmax", shape: [2])], backend: backend)
        encoder.network.engine.synchronizeParameters()
        let source = Dictionary(uniqueKeysWithValues: encoder.network.parameters.map { ($0.name, $0) })
        for target in network.parameters.prefix(while: { $0.name != head.kernel.name }) {
            if let stored = source[target.name] { target.values = stored.values }
        }
        metadata = encoder.metadata
    }

    /// Loads a classifier saved by `save(to:metadata:)` or the paper's released weights file.
    /// - Throws: `NeuralError.weightFile` naming a missing or mis-shaped tensor.
    public static func load(from url: URL, backend: ComputeBackend = CPUBackend()) throws -> PaperClassifier {
        let classifier = PaperClassifier(encoder: PaperAutoencoder(seed: 0), backend: backend)
        classifier.metadata = try classifier.network.load(from: url)
        return classifier
    }

    /// Saves the encoder and head tensors with `metadata` (merged over `self.metadata`).
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        var all = metadata.merging(extra) { $1 }
        all["architecture"] = "rapideels-paper-classifier"
        try network.save(to: url, metadata: all)
    }

    /// One row per layer.
    public var parameterTable: [LayerSummary] { network.summary }

    /// Class probabilities: inputs [count, 240] -> [count, 2] (rows sum to 1).
    /// - Throws: `NeuralError.shapeMismatch` for a wrong size, `.nonFiniteInput` for NaN/Inf.
    public func probabilities(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: PaperArchitecture.spectrumLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n)
    }

    /// The most probable class of each spectrum.
    public func classify(inputs: [Float], count: Int? = nil) throws -> [Int] {
        let p = try probabilities(inputs: inputs, count: count)
        return stride(from: 0, to: p.count, by: 2).map { p[$0 + 1] > p[$0] ? 1 : 0 }
    }

    /// Trains the head (encoder frozen) with Adam on binary cross-entropy against one-hot `labels` (0 or 1).
    ///
    /// The encoder is frozen, so its latent vectors are computed once (inference mode) and the 12-weight head is
    /// trained on them: the same model as Keras's frozen-encoder classifier, at a small fraction of the cost, so
    /// the head can be trained to convergence. (Keras would also apply the encoder's dropout while the head
    /// trains; here the head sees the latents it will see at inference.)
    /// - Throws: `NeuralError.invalidArgument` for a label other than 0/1 or a count mismatch, and as
    ///   `PaperAutoencoder.train`.
    @discardableResult
    public func train(inputs: [Float], labels: [Int], epochs: Int, batchSize: Int = 512, seed: UInt64 = 0,
                      validationSplit: Double = 0, learningRate: Float = 1e-3,
                      progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: () -> Bool = { false }) throws -> TrainingHistory {
        let n = try PaperArchitecture.sampleCount(inputs, size: PaperArchitecture.spectrumLength, what: "inputs",
                                                  count: labels.count)
        var targets = [Float](repeating: 0, count: n * 2)
        for (row, label) in labels.enumerated() {
            guard label == 0 || label == 1 else {
                throw NeuralError.invalidArgument("label \(label) at sample \(row) must be 0 (initial) or 1 (annealed)")
            }
            targets[row * 2 + label] = 1
        }
        let latents = try latent(inputs: inputs, count: n)
        let dead = deadLatentUnits(latents)
        guard dead.count < PaperArchitecture.latentSize else {
            throw NeuralError.invalidArgument("every latent unit of the encoder is zero on the training data (dead "
                + "ReLUs): the autoencoder did not train; train it again with another seed")
        }
        let head = try Sequential([try Dense(name: "classifier", inputSize: PaperArchitecture.latentSize, units: 2),
                                   Softmax(name: "classifier.softmax", shape: [2])])
        network.engine.synchronizeParameters()
        head.restore(network.parameters.suffix(from: headParameterIndex).map(\.values))
        let options = TrainingOptions(epochs: epochs, batchSize: batchSize, seed: seed, validationSplit: validationSplit,
                                      loss: .binaryCrossEntropy, learningRate: learningRate)
        defer {
            let trained = head.snapshot()
            for (target, values) in zip(network.parameters.suffix(from: headParameterIndex), trained) {
                target.values = values
            }
            network.parametersDidChange()
            lastHistory = head.lastHistory
        }
        return try head.fit(inputs: latents, targets: targets, count: n, options: options, progress: progress,
                            isCancelled: isCancelled)
    }

    /// The encoder's 5-dim latent vectors: inputs [count, 240] -> [count, 5].
    public func latent(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: PaperArchitecture.spectrumLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n, layers: 0..<headIndex)
    }

    /// Latent units that are zero for every sample (dead ReLUs carry no information for the head).
    public func deadLatentUnits(_ latents: [Float]) -> [Int] {
        let k = PaperArchitecture.latentSize
        return (0..<k).filter { unit in stride(from: unit, to: latents.count, by: k).allSatisfy { latents[$0] <= 0 } }
    }

    /// Index of the head's first parameter in `network.parameters`.
    private var headParameterIndex: Int { network.layers.prefix(headIndex).reduce(0) { $0 + $1.parameters.count } }
}
