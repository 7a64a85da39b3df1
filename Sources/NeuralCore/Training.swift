import Foundation

/// Settings of `Sequential.fit`.
///
///     var options = TrainingOptions(epochs: 500, batchSize: 512, seed: 1)
///     options.validationSplit = 0.1
public struct TrainingOptions: Sendable {
    /// Passes over the training samples.
    public var epochs: Int
    /// Samples per optimizer step (the last batch of an epoch may be smaller).
    public var batchSize: Int
    /// Seed of shuffling and dropout masks.
    public var seed: UInt64
    /// Fraction of samples (the last ones, before shuffling, as Keras) held out for validation, in [0, 1).
    public var validationSplit: Double
    /// Shuffle the training samples every epoch.
    public var shuffle: Bool
    /// The loss.
    public var loss: Loss
    /// Adam's learning rate.
    public var learningRate: Float
    /// Layers before this index are frozen.
    public var firstTrainableLayer: Int
    /// Resume from and write a `TrainingCheckpoint` (CPU backend only); nil: none.
    public var checkpoint: TrainingCheckpointing?

    public init(epochs: Int, batchSize: Int = 512, seed: UInt64 = 0, validationSplit: Double = 0,
                shuffle: Bool = true, loss: Loss = .meanSquaredError, learningRate: Float = 1e-3,
                firstTrainableLayer: Int = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.validationSplit = validationSplit
        self.shuffle = shuffle
        self.loss = loss
        self.learningRate = learningRate
        self.firstTrainableLayer = firstTrainableLayer
    }
}

/// Where training stands, passed to the progress callback after every batch.
public struct TrainingProgress: Sendable {
    /// 1-based epoch.
    public let epoch: Int
    /// Total epochs.
    public let epochs: Int
    /// 1-based step within the epoch.
    public let step: Int
    /// Steps per epoch.
    public let steps: Int
    /// Mean loss of this epoch so far.
    public let loss: Double
    /// Validation loss of the previous epoch, when there is a validation split.
    public let validationLoss: Double?
    /// Seconds since training started.
    public let elapsed: Double
    /// Estimated seconds remaining.
    public let eta: Double
    /// Fraction done, in [0, 1].
    public var fraction: Double { Double((epoch - 1) * steps + step) / Double(Swift.max(epochs * steps, 1)) }
}

/// Per-epoch losses of a training run.
public struct TrainingHistory: Sendable, Equatable {
    /// Mean training loss of each completed epoch.
    public var loss: [Double] = []
    /// Validation loss of each completed epoch (empty without a validation split).
    public var validationLoss: [Double] = []
    /// 0-based epoch with the lowest validation loss (or training loss without validation).
    public var bestEpoch: Int?
    /// True when training was cancelled; the model then holds the best epoch's weights.
    public var cancelled = false
    /// Wall-clock seconds.
    public var seconds: Double = 0
    /// Training samples per epoch.
    public var trainingSamples = 0
}

extension Sequential {
    /// Trains with Adam on `count` samples (Keras `fit`): shuffled batches, optional validation split,
    /// a progress callback after every batch and a cancellation check before every batch.
    ///
    ///     let history = try net.fit(inputs: x, targets: y, count: 1000, options: TrainingOptions(epochs: 20))
    ///
    /// - Parameters:
    ///   - inputs: [count, inputShape...] flattened. - targets: [count, outputShape...] flattened.
    /// - Throws: `CancellationError` when `isCancelled()` returns true (the weights are those of the best epoch
    ///   so far, `lastHistory` holds the losses); `NeuralError.nonFiniteLoss` when the loss becomes NaN/Inf (best
    ///   weights restored); `NeuralError.shapeMismatch` / `.nonFiniteInput` / `.invalidArgument` for bad input.
    ///   - epochInputs: when given, called at the start of every epoch (1-based) for that epoch's training inputs
    ///     (same shape as `inputs`): fresh noise or augmentation per epoch. Validation always uses `inputs`.
    ///   - epochEnd: called after every epoch's optimizer steps (1-based epoch), before the validation loss: a
    ///     health check that may repair weights (dead units) or throw to stop. An epoch that ended a sitting of a
    ///     checkpointed run is called again when a later sitting carries on past it (it was the last, now it is not).
    @discardableResult
    public func fit(inputs: [Float], targets: [Float], count: Int, options: TrainingOptions,
                    epochInputs: ((Int) throws -> [Float])? = nil,
                    epochEnd: ((Int) throws -> Void)? = nil,
                    progress: ((TrainingProgress) -> Void)? = nil,
                    isCancelled: () -> Bool = { false }) throws -> TrainingHistory {
        try validate(inputs: inputs, targets: targets, count: count, options: options)
        let trainCount = count - Int(Double(count) * options.validationSplit)
        guard trainCount > 0 else {
            throw NeuralError.invalidArgument("validation split \(options.validationSplit) leaves no training samples")
        }
        let optimizer = try Adam(parameterCount: parameterCount, learningRate: options.learningRate)
        var order = Array(0..<trainCount)
        var rng = SeededRandom(seed: options.seed)
        let steps = (trainCount + options.batchSize - 1) / options.batchSize
        var history = TrainingHistory(trainingSamples: trainCount)
        var best: (loss: Double, weights: [[Float]])?
        var firstEpoch = 1, earlierSeconds = 0.0
        let identity = options.checkpoint == nil ? "" : TrainingCheckpoint.identity(
            parameterCount: parameterCount, trainCount: trainCount, options: options, inputs: inputs, targets: targets)
        if let checkpointing = options.checkpoint {
            guard backend is CPUBackend else {
                throw NeuralError.invalidArgument("training checkpoints read Adam's moments on the host: train on "
                    + "the CPU backend to use one")
            }
            guard checkpointing.every >= 1 else {
                throw NeuralError.invalidArgument("checkpoint every \(checkpointing.every) epochs: must be at least 1")
            }
            if FileManager.default.fileExists(atPath: checkpointing.url.path) {
                let saved = try TrainingCheckpoint.read(from: checkpointing.url)
                guard saved.identity == identity else {
                    throw NeuralError.invalidArgument("\(checkpointing.url.lastPathComponent) belongs to another "
                        + "training run (\(saved.identity)); this run: \(identity). Delete it or choose another file")
                }
                guard saved.epoch <= options.epochs else {
                    throw NeuralError.invalidArgument("\(checkpointing.url.lastPathComponent) is at epoch "
                        + "\(saved.epoch), past the \(options.epochs) epochs asked")
                }
                guard saved.weights.map(\.count) == parameters.map(\.count) else {
                    throw NeuralError.shapeMismatch("\(checkpointing.url.lastPathComponent) holds weights of "
                        + "another shape than this network's")
                }
                restore(saved.weights)
                try optimizer.restore(iterations: saved.adamIterations, firstMoment: saved.firstMoment,
                                      secondMoment: saved.secondMoment)
                rng = SeededRandom(state: saved.generatorState)
                order = saved.order
                best = saved.best
                history = saved.history
                earlierSeconds = saved.history.seconds
                firstEpoch = saved.epoch + 1
                // That epoch ended its sitting, so epochEnd saw it as the last; it no longer is.
                if saved.epoch == saved.plannedEpochs, saved.epoch < options.epochs, saved.epoch > 0 {
                    try epochEnd?(saved.epoch)
                }
            }
        }
        func writeCheckpoint(epoch: Int) throws {
            guard let checkpointing = options.checkpoint,
                  epoch % checkpointing.every == 0 || epoch == options.epochs else { return }
            let state = optimizer.state
            try TrainingCheckpoint(epoch: epoch, weights: snapshot(), adamIterations: state.iterations,
                                   firstMoment: state.firstMoment, secondMoment: state.secondMoment,
                                   generatorState: rng.currentState, order: order, best: best, history: history,
                                   plannedEpochs: options.epochs, identity: identity).write(to: checkpointing.url)
        }
        let started = Date()
        lastHistory = history
        func finish(cancelled: Bool) {
            if let best { restore(best.weights) }
            history.cancelled = cancelled
            history.seconds = earlierSeconds + Date().timeIntervalSince(started)
            lastHistory = history
        }
        if firstEpoch > options.epochs {   // the checkpoint already holds every epoch asked for
            lastHistory = history
            return history
        }
        try inputs.withUnsafeBufferPointer { original in
            try targets.withUnsafeBufferPointer { y in
                for epoch in firstEpoch...options.epochs {
                    if options.shuffle { order.shuffle(using: &rng) }
                    let fresh = try epochInputs?(epoch)
                    if let fresh, fresh.count != inputs.count {
                        throw NeuralError.shapeMismatch("epoch \(epoch)'s inputs hold \(fresh.count) values; "
                            + "the training inputs hold \(inputs.count)")
                    }
                    var epochSum = 0.0, seen = 0
                    try (fresh ?? inputs).withUnsafeBufferPointer { x in
                    for step in 1...steps {
                        if isCancelled() { finish(cancelled: true); throw CancellationError() }
                        let start = (step - 1) * options.batchSize, end = Swift.min(start + options.batchSize, trainCount)
                        let loss = order.withUnsafeBufferPointer { indices in
                            engine.trainStep(TrainingStep(
                                inputs: x.baseAddress!, targets: y.baseAddress!,
                                indices: UnsafeBufferPointer(rebasing: indices[start..<end]), loss: options.loss,
                                optimizer: optimizer, firstTrainableLayer: options.firstTrainableLayer,
                                randomStream: rng.next()))
                        }
                        guard loss.isFinite else {
                            finish(cancelled: false)
                            throw NeuralError.nonFiniteLoss(epoch: epoch, step: step, loss: loss)
                        }
                        epochSum += loss * Double(end - start)
                        seen += end - start
                        if let progress {
                            // The rate of this sitting; elapsed includes the sittings before a resume.
                            let sitting = Date().timeIntervalSince(started)
                            let done = (epoch - firstEpoch) * steps + step
                            let total = (options.epochs - firstEpoch + 1) * steps
                            progress(TrainingProgress(
                                epoch: epoch, epochs: options.epochs, step: step, steps: steps,
                                loss: epochSum / Double(seen), validationLoss: history.validationLoss.last,
                                elapsed: earlierSeconds + sitting, eta: sitting / Double(done) * Double(total - done)))
                        }
                    }
                    }
                    try epochEnd?(epoch)
                    let epochLoss = epochSum / Double(seen)
                    history.loss.append(epochLoss)
                    var monitored = epochLoss
                    if trainCount < count {
                        let validation = try evaluate(original, y, range: trainCount..<count, loss: options.loss)
                        history.validationLoss.append(validation)
                        monitored = validation
                    }
                    if best == nil || monitored < best!.loss {
                        best = (monitored, snapshot())
                        history.bestEpoch = epoch - 1
                    }
                    history.seconds = earlierSeconds + Date().timeIntervalSince(started)
                    lastHistory = history
                    try writeCheckpoint(epoch: epoch)
                }
            }
        }
        history.seconds = earlierSeconds + Date().timeIntervalSince(started)
        lastHistory = history
        return history
    }

    /// Mean loss of the samples `range` in inference mode (dropout off).
    /// - Throws: `NeuralError.shapeMismatch` for wrong sizes.
    public func evaluate(inputs: [Float], targets: [Float], count: Int, loss: Loss) throws -> Double {
        guard inputs.count == count * layers[0].inputSize, targets.count == count * layers[layers.count - 1].outputSize
        else { throw NeuralError.shapeMismatch("inputs/targets do not hold \(count) samples of \(inputShape)/\(outputShape)") }
        return try inputs.withUnsafeBufferPointer { x in
            try targets.withUnsafeBufferPointer { y in try evaluate(x, y, range: 0..<count, loss: loss) }
        }
    }

    private func evaluate(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, range: Range<Int>,
                          loss: Loss) throws -> Double {
        guard !range.isEmpty else { return 0 }
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        var predicted = [Float](repeating: 0, count: range.count * outSize)
        predicted.withUnsafeMutableBufferPointer { out in
            engine.predict(x.baseAddress! + range.lowerBound * inSize, count: range.count, layers: 0..<layers.count,
                           output: out.baseAddress!)
        }
        let sum = predicted.withUnsafeBufferPointer { p in
            loss.evaluate(predictions: p.baseAddress!, targets: y.baseAddress! + range.lowerBound * outSize,
                          count: range.count * outSize, gradient: nil, gradientScale: 0)
        }
        return sum / Double(range.count * outSize)
    }

    private func validate(inputs: [Float], targets: [Float], count: Int, options: TrainingOptions) throws {
        guard options.epochs > 0 else { throw NeuralError.invalidArgument("epochs must be positive, got \(options.epochs)") }
        guard options.batchSize > 0 else {
            throw NeuralError.invalidArgument("batch size must be positive, got \(options.batchSize)")
        }
        guard options.validationSplit >= 0, options.validationSplit < 1 else {
            throw NeuralError.invalidArgument("validation split \(options.validationSplit) must be in [0, 1)")
        }
        guard (0..<layers.count).contains(options.firstTrainableLayer) else {
            throw NeuralError.invalidArgument("first trainable layer \(options.firstTrainableLayer) is not a layer index")
        }
        guard count > 0 else { throw NeuralError.invalidArgument("training needs at least one sample") }
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        guard inputs.count == count * inSize else {
            throw NeuralError.shapeMismatch("inputs hold \(inputs.count) values; expected \(count) x \(inputShape) "
                + "= \(count * inSize)")
        }
        guard targets.count == count * outSize else {
            throw NeuralError.shapeMismatch("targets hold \(targets.count) values; expected \(count) x \(outputShape) "
                + "= \(count * outSize)")
        }
        try inputs.withUnsafeBufferPointer { try NeuralError.checkFinite($0, what: "inputs", perSample: inSize) }
        try targets.withUnsafeBufferPointer { try NeuralError.checkFinite($0, what: "targets", perSample: outSize) }
    }
}
