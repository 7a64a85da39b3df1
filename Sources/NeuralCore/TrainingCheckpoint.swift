import Foundation

/// Everything `Sequential.fit` needs to carry on after an epoch as if it had never stopped: the weights, Adam's
/// moments and step count, the shuffle generator, the sample order, the best epoch so far and the history. A
/// 500-epoch run can then be spread over several sittings (a shared machine, a session limit, a crash) and end
/// with the same weights, bit for bit, as one uninterrupted run.
///
/// Stored as safetensors (float32 tensors, the rest in the metadata), written atomically, so a run killed while
/// writing leaves the previous checkpoint intact.
///
///     var options = TrainingOptions(epochs: 500, seed: 7)
///     options.checkpoint = TrainingCheckpointing(url: URL(fileURLWithPath: "ae.checkpoint"), every: 5)
///     try net.fit(inputs: x, targets: y, count: n, options: options)   // resumes from ae.checkpoint if it exists
public struct TrainingCheckpoint: Equatable {
    /// Epochs completed.
    public var epoch: Int
    public var weights: [[Float]]
    public var adamIterations: Int
    public var firstMoment: [Float]
    public var secondMoment: [Float]
    /// The shuffle/dropout generator's state after `epoch`.
    public var generatorState: UInt64
    /// The training-sample order after `epoch`'s shuffle (each epoch shuffles the previous order).
    public var order: [Int]
    public var best: (loss: Double, weights: [[Float]])?
    public var history: TrainingHistory
    /// The epochs the run that wrote it asked for: when `epoch` equals it, `epochEnd` treated that epoch as the last
    /// one, and a resume that goes further calls `epochEnd` for it again.
    public var plannedEpochs: Int
    /// What must match for a resume: a checksum of the inputs and targets, parameter count, training samples, batch
    /// size, seed, learning rate, loss, validation split, shuffle and the first trainable layer.
    public var identity: String

    public static func == (a: TrainingCheckpoint, b: TrainingCheckpoint) -> Bool {
        a.epoch == b.epoch && a.weights == b.weights && a.adamIterations == b.adamIterations
            && a.firstMoment == b.firstMoment && a.secondMoment == b.secondMoment
            && a.generatorState == b.generatorState && a.order == b.order && a.best?.loss == b.best?.loss
            && a.best?.weights == b.best?.weights && a.history == b.history && a.identity == b.identity
            && a.plannedEpochs == b.plannedEpochs
    }

    /// The identity of a training run: the settings and data a checkpoint must share with the run that resumes it.
    static func identity(parameterCount: Int, trainCount: Int, options: TrainingOptions, inputs: [Float],
                         targets: [Float]) -> String {
        // FNV-1a over the values' bits: other data (a changed simulator, another file) is another run.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for values in [inputs, targets] {
            values.withUnsafeBufferPointer { buffer in
                for value in buffer { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3 }
            }
        }
        return "data \(String(hash, radix: 16)), parameters \(parameterCount), training samples \(trainCount), batch \(options.batchSize), seed "
            + "\(options.seed), learning rate \(options.learningRate), loss \(options.loss), validation split "
            + "\(options.validationSplit), shuffle \(options.shuffle), first trainable layer \(options.firstTrainableLayer)"
    }

    /// Writes the checkpoint (atomically: a temporary file renamed over `url`).
    /// - Throws: file errors; `NeuralError.invalidArgument` when the sample order is too long to store exactly.
    public func write(to url: URL) throws {
        guard order.count < 1 << 24 else {
            throw NeuralError.invalidArgument("a checkpoint stores the sample order as float32: at most 16,777,215 "
                + "training samples, got \(order.count)")
        }
        var tensors: [NamedTensor] = []
        for (i, w) in weights.enumerated() {
            tensors.append(NamedTensor(name: String(format: "weights.%04d", i), shape: [w.count], values: w))
        }
        if let best {
            for (i, w) in best.weights.enumerated() {
                tensors.append(NamedTensor(name: String(format: "best.%04d", i), shape: [w.count], values: w))
            }
        }
        tensors.append(NamedTensor(name: "adam.m", shape: [firstMoment.count], values: firstMoment))
        tensors.append(NamedTensor(name: "adam.v", shape: [secondMoment.count], values: secondMoment))
        tensors.append(NamedTensor(name: "order", shape: [order.count], values: order.map { Float($0) }))
        func doubles(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: ",") }
        var metadata: [String: String] = [
            "format": "rapideels-training-checkpoint-1", "epoch": "\(epoch)", "plannedEpochs": "\(plannedEpochs)", "adam.iterations": "\(adamIterations)",
            "generator": "\(generatorState)", "identity": identity, "parameters": "\(weights.count)",
            "loss": doubles(history.loss), "validationLoss": doubles(history.validationLoss),
            "seconds": "\(history.seconds)", "trainingSamples": "\(history.trainingSamples)",
        ]
        if let bestEpoch = history.bestEpoch { metadata["bestEpoch"] = "\(bestEpoch)" }
        if let best { metadata["best.loss"] = "\(best.loss)" }
        try SafeTensors.write(tensors, metadata: metadata, to: url)
    }

    /// Reads a checkpoint written by `write(to:)`.
    /// - Throws: `NeuralError.weightFile` naming what is missing or malformed.
    public static func read(from url: URL) throws -> TrainingCheckpoint {
        let (tensors, metadata) = try SafeTensors.read(url)
        let name = url.lastPathComponent
        func fail(_ what: String) -> NeuralError { .weightFile("\(name) is not a usable training checkpoint: \(what)") }
        guard metadata["format"] == "rapideels-training-checkpoint-1" else { throw fail("no checkpoint format tag") }
        func integer(_ key: String) throws -> Int {
            guard let text = metadata[key], let value = Int(text) else { throw fail("no \(key)") }
            return value
        }
        func doubles(_ key: String) throws -> [Double] {
            guard let text = metadata[key] else { throw fail("no \(key)") }
            if text.isEmpty { return [] }
            let values = text.split(separator: ",").compactMap { Double($0) }
            guard values.count == text.split(separator: ",").count else { throw fail("a malformed \(key)") }
            return values
        }
        func tensor(_ key: String) throws -> [Float] {
            guard let t = tensors[key] else { throw fail("no tensor \(key)") }
            return t.values
        }
        let count = try integer("parameters")
        let weights = try (0..<count).map { try tensor(String(format: "weights.%04d", $0)) }
        var best: (Double, [[Float]])?
        if let text = metadata["best.loss"] {
            guard let loss = Double(text) else { throw fail("a malformed best.loss") }
            best = (loss, try (0..<count).map { try tensor(String(format: "best.%04d", $0)) })
        }
        guard let generatorText = metadata["generator"], let generator = UInt64(generatorText) else {
            throw fail("no generator state")
        }
        var history = TrainingHistory()
        history.loss = try doubles("loss")
        history.validationLoss = try doubles("validationLoss")
        history.bestEpoch = metadata["bestEpoch"].flatMap(Int.init)
        history.seconds = Double(metadata["seconds"] ?? "") ?? 0
        history.trainingSamples = try integer("trainingSamples")
        let order = try tensor("order").map { Int($0) }
        let checkpoint = TrainingCheckpoint(
            epoch: try integer("epoch"), weights: weights, adamIterations: try integer("adam.iterations"),
            firstMoment: try tensor("adam.m"), secondMoment: try tensor("adam.v"), generatorState: generator,
            order: order, best: best, history: history, plannedEpochs: try integer("plannedEpochs"),
            identity: metadata["identity"] ?? "")
        guard checkpoint.history.loss.count == checkpoint.epoch, Set(order).count == order.count,
              order.allSatisfy({ $0 >= 0 && $0 < order.count }) else {
            throw fail("its epoch count, losses and sample order disagree")
        }
        return checkpoint
    }
}

/// Where and how often `Sequential.fit` writes a `TrainingCheckpoint`, and resumes from one.
///
///     TrainingCheckpointing(url: URL(fileURLWithPath: "run.checkpoint"), every: 10)
public struct TrainingCheckpointing: Sendable, Equatable {
    /// The checkpoint file: resumed from when it exists, rewritten every `every` epochs and after the last one.
    public var url: URL
    /// Epochs between checkpoints (at least 1).
    public var every: Int

    public init(url: URL, every: Int = 10) {
        self.url = url
        self.every = every
    }
}
