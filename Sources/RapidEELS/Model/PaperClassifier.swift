import Foundation
import NeuralCore

/// The paper's oxidation-state classifier: the autoencoder's encoder, frozen, -> Dense k -> softmax over k classes.
/// The paper's model is k = 2: class 0 = initial (SrFeO3), class 1 = annealed (SrFeO2.5).
///
/// The encoder weights are copied from the autoencoder when the classifier is made, so later training of the
/// autoencoder does not change the classifier.
///
///     let classifier = PaperClassifier(encoder: model, seed: 2)
///     try classifier.train(inputs: x, labels: y, epochs: 100)
///     let p = try classifier.probabilities(inputs: x)    // [count, 2]
public final class PaperClassifier {
    /// Encoder layers, then "classifier" (Dense k) and a softmax.
    public let network: Sequential
    /// Number of classes k (2 for the paper).
    public let classCount: Int
    /// Channels per input spectrum and latent size (the encoder's).
    public let inputLength: Int
    public let latentSize: Int
    /// Index of the trainable Dense layer.
    public let headIndex: Int
    /// Class names saved with the model.
    public static let defaultLabels = ["initial (SrFeO3)", "annealed (SrFeO2.5)"]
    /// The losses of the last (possibly interrupted) head training.
    public private(set) var lastHistory: TrainingHistory?
    /// Metadata saved with the model; filled by `load(from:)`.
    public var metadata: [String: String] = [:]

    /// A classifier whose encoder is a copy of `encoder`'s and whose k-class head is Glorot-initialised from `seed`.
    /// - Precondition: `classes` >= 2.
    public init(encoder: PaperAutoencoder, classes: Int = 2, seed: UInt64 = 0, backend: ComputeBackend = CPUBackend()) {
        precondition(classes >= 2, "a classifier needs at least 2 classes")
        let layers = PaperArchitecture.encoderLayers(length: encoder.inputLength, latent: encoder.latentSize)
        let head = try! Dense(name: "classifier", inputSize: encoder.latentSize, units: classes)
        PaperArchitecture.initialize([head], seed: seed)
        headIndex = layers.count
        classCount = classes
        inputLength = encoder.inputLength
        latentSize = encoder.latentSize
        network = try! Sequential(layers + [head, Softmax(name: "classifier.softmax", shape: [classes])],
                                  backend: backend)
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
        let (tensors, metadata) = try SafeTensors.read(url)
        let (length, latent) = PaperArchitecture.dimensions(metadata: metadata, tensors: tensors)
        // Without a head tensor, a 2-class head is assumed; loading then names the missing tensor.
        let classes = Swift.max(2, tensors["classifier.kernel"]?.shape.last ?? 2)
        let encoder = try PaperAutoencoder.make(seed: 0, length: length, latent: latent)
        let classifier = PaperClassifier(encoder: encoder, classes: classes, backend: backend)
        try classifier.network.load(tensors, source: url.lastPathComponent)
        classifier.metadata = metadata
        return classifier
    }

    /// Saves the encoder and head tensors with `metadata` (merged over `self.metadata`).
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        var all = metadata.merging(extra) { $1 }
        all["architecture"] = "rapideels-paper-classifier"
        all["input_length"] = String(inputLength)
        all["latent"] = String(latentSize)
        try network.save(to: url, metadata: all)
    }

    /// One row per layer.
    public var parameterTable: [LayerSummary] { network.summary }

    /// Class probabilities: inputs [count, inputLength] -> [count, k] (rows sum to 1).
    /// - Throws: `NeuralError.shapeMismatch` for a wrong size, `.nonFiniteInput` for NaN/Inf.
    public func probabilities(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n)
    }

    /// The most probable class of each spectrum.
    public func classify(inputs: [Float], count: Int? = nil) throws -> [Int] {
        let p = try probabilities(inputs: inputs, count: count)
        let k = classCount
        return stride(from: 0, to: p.count, by: k).map { row in
            var best = 0
            for c in 1..<k where p[row + c] > p[row + best] { best = c }
            return best
        }
    }

    /// Trains the head (encoder frozen) with Adam against one-hot `labels` (0..<k): categorical cross-entropy for
    /// k > 2; for the paper's k = 2, binary cross-entropy over the softmax pair as the released code, which equals
    /// categorical cross-entropy there (-(log p_c + log(1 - p_other)) / 2 = -log p_c).
    ///
    /// The encoder is frozen, so its latent vectors are computed once (inference mode) and the 12-weight head is
    /// trained on them: the same model as Keras's frozen-encoder classifier, at a small fraction of the cost, so
    /// the head can be trained to convergence. (Keras would also apply the encoder's dropout while the head
    /// trains; here the head sees the latents it will see at inference.)
    /// - Throws: `NeuralError.invalidArgument` for a label outside 0..<k or a count mismatch, and as
    ///   `PaperAutoencoder.train`.
    @discardableResult
    public func train(inputs: [Float], labels: [Int], epochs: Int, batchSize: Int = 512, seed: UInt64 = 0,
                      validationSplit: Double = 0, learningRate: Float = 1e-3,
                      progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: () -> Bool = { false }) throws -> TrainingHistory {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: labels.count)
        let k = classCount
        var targets = [Float](repeating: 0, count: n * k)
        for (row, label) in labels.enumerated() {
            guard label >= 0, label < k else {
                throw NeuralError.invalidArgument(k == 2
                    ? "label \(label) at sample \(row) must be 0 (initial) or 1 (annealed)"
                    : "label \(label) at sample \(row) must be a class index in 0..<\(k)")
            }
            targets[row * k + label] = 1
        }
        let latents = try latent(inputs: inputs, count: n)
        let dead = deadLatentUnits(latents)
        guard dead.count < latentSize else {
            throw NeuralError.invalidArgument("every latent unit of the encoder is zero on the training data (dead "
                + "ReLUs): the autoencoder did not train; train it again with another seed")
        }
        let head = try Sequential([try Dense(name: "classifier", inputSize: latentSize, units: k),
                                   Softmax(name: "classifier.softmax", shape: [k])])
        network.engine.synchronizeParameters()
        head.restore(network.parameters.suffix(from: headParameterIndex).map(\.values))
        let options = TrainingOptions(epochs: epochs, batchSize: batchSize, seed: seed, validationSplit: validationSplit,
                                      loss: k == 2 ? .binaryCrossEntropy : .categoricalCrossEntropy,
                                      learningRate: learningRate)
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

    /// The encoder's latent vectors: inputs [count, inputLength] -> [count, latentSize].
    public func latent(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n, layers: 0..<headIndex)
    }

    /// Latent units that are zero for every sample (dead ReLUs carry no information for the head).
    public func deadLatentUnits(_ latents: [Float]) -> [Int] {
        let k = latentSize
        return (0..<k).filter { unit in stride(from: unit, to: latents.count, by: k).allSatisfy { latents[$0] <= 0 } }
    }

    /// Index of the head's first parameter in `network.parameters`.
    private var headParameterIndex: Int { network.layers.prefix(headIndex).reduce(0) { $0 + $1.parameters.count } }
}
