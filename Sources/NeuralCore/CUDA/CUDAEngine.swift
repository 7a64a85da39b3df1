import Foundation

/// The CUDA `NetworkEngine`: device-resident weights (one flat buffer in layer order), gradients and Adam moments;
/// batches go in through pinned memory; each training step is one CUDA graph replay (captured on first use for
/// each batch size) with the loss as the only value coming back.
///
/// A CUDA error never crashes the caller: the engine prints one line and carries on with the CPU engine.
final class CUDAEngine: NetworkEngine {
    unowned let network: Sequential
    let backend: CUDABackend
    let gpu: KernelDevice
    let layers: [Layer]
    /// Flat offset of each layer's parameters in `weights`.
    let parameterOffsets: [Int]
    let parameterCount: Int
    var weights: CUDABuffer!
    var gradients: CUDABuffer!
    var firstMoment: CUDABuffer!
    var secondMoment: CUDABuffer!
    var workspace: CUDAWorkspace?
    var trainingGraphs: [String: () throws -> Void] = [:]
    var fused: CUDAFusedAutoencoder?
    /// Host parameters changed since the last upload.
    var deviceIsStale = true
    /// Device parameters changed since the last download.
    var hostIsStale = false
    /// Set after a CUDA failure: everything runs on this CPU engine from then on.
    var fallback: CPUEngine?

    init(network: Sequential, backend: CUDABackend) {
        self.network = network
        self.backend = backend
        gpu = backend.device
        layers = network.layers
        var offsets: [Int] = [], total = 0
        for layer in layers { offsets.append(total); total += layer.parameterCount }
        parameterOffsets = offsets
        parameterCount = total
        if let unsupported = layers.first(where: { !Self.supports($0) }) {
            switchToCPU(because: "layer \(unsupported.name) (\(type(of: unsupported))) has no CUDA kernels yet")
            return
        }
        attempt {
            weights = try gpu.allocate(total)
            gradients = try gpu.allocate(total)
            firstMoment = try gpu.allocate(total)
            secondMoment = try gpu.allocate(total)
            try zero(firstMoment)
            try zero(secondMoment)
        }
    }

    static func supports(_ layer: Layer) -> Bool {
        layer is Conv1D || layer is Conv1DTranspose || layer is Dense || layer is Dropout || layer is Reshape
            || layer is ReLU || layer is Softmax
    }

    // MARK: - Failure handling

    /// Runs `body`; on a CUDA error switches to the CPU for good (one line on stdout) and returns false.
    @discardableResult
    func attempt(_ body: () throws -> Void) -> Bool {
        guard fallback == nil else { return false }
        do {
            try body()
            return true
        } catch {
            if hostIsStale { try? downloadParameters() }
            switchToCPU(because: "\(error)")
            return false
        }
    }

    func switchToCPU(because reason: String) {
        print("GPU path off for this network: \(reason); continuing on the CPU")
        backend.fallbackReasons.append(reason)
        fallback = CPUEngine(network: network, backend: CPUBackend())
        workspace = nil
        trainingGraphs = [:]
    }

    // MARK: - Parameters

    func parametersDidChange() {
        deviceIsStale = true
        fused = nil
    }

    func synchronizeParameters() {
        guard fallback == nil, hostIsStale else { return }
        attempt { try downloadParameters() }
    }

    func uploadParametersIfNeeded() throws {
        guard deviceIsStale else { return }
        var flat = [Float]()
        flat.reserveCapacity(parameterCount)
        for parameter in network.parameters { flat.append(contentsOf: parameter.buffer) }
        try weights.copy(from: flat)
        deviceIsStale = false
        hostIsStale = false
        fused = nil
    }

    func downloadParameters() throws {
        try gpu.synchronize()
        let flat = try weights.values()
        var offset = 0
        for parameter in network.parameters {
            flat.withUnsafeBufferPointer { source in
                parameter.pointer.update(from: source.baseAddress! + offset, count: parameter.count)
            }
            offset += parameter.count
        }
        hostIsStale = false
    }

    func zero(_ buffer: CUDABuffer) throws {
        try gpu.fillZero(buffer.address, count: buffer.count)
    }

    func workspace(for batch: Int) throws -> CUDAWorkspace {
        if let workspace, workspace.capacity >= batch { return workspace }
        trainingGraphs = [:]
        workspace = nil
        try gpu.synchronize()
        let made = try CUDAWorkspace(device: gpu, layers: layers, capacity: batch)
        workspace = made
        return made
    }

    // MARK: - Inference

    func predict(_ inputs: UnsafePointer<Float>, count: Int, layers range: Range<Int>,
                 output: UnsafeMutablePointer<Float>) {
        if let fallback {
            return fallback.predict(inputs, count: count, layers: range, output: output)
        }
        let succeeded = attempt {
            try gpu.makeCurrent()
            try uploadParametersIfNeeded()
            if backend.usesFusedInference, range == 0..<layers.count, let fusedModel = try fusedAutoencoder() {
                try fusedModel.run(inputs, count: count, decoded: output)
                return
            }
            try predictLayered(inputs, count: count, layers: range, output: output)
        }
        if !succeeded { fallback!.predict(inputs, count: count, layers: range, output: output) }
    }

    /// The fused kernel's model when this network is the paper autoencoder, else nil.
    func fusedAutoencoder() throws -> CUDAFusedAutoencoder? {
        if let fused { return fused }
        let names = network.parameters.map(\.name)
        guard names == FusedAutoencoderLayout.tensors.map(\.name) else { return nil }
        let byName = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0) })
        let flat = try FusedAutoencoderLayout.pack { byName[$0]?.values }
        fused = try CUDAFusedAutoencoder(device: gpu, packedWeights: flat)
        return fused
    }

    func predictLayered(_ inputs: UnsafePointer<Float>, count: Int, layers range: Range<Int>,
                        output: UnsafeMutablePointer<Float>) throws {
        let chunk = min(count, 4096)
        let space = try workspace(for: chunk)
        let activations = space.activations(layers: layers, training: false)
        let inSize = layers[range.lowerBound].inputSize, outSize = layers[range.upperBound - 1].outputSize
        var start = 0
        while start < count {
            let batch = min(chunk, count - start)
            let first = activations[range.lowerBound]
            try gpu.copyToDevice(first, from: inputs + start * inSize, bytes: batch * inSize * 4)
            for index in range {
                try forward(index, batch: batch, activations: activations, space: space, training: false)
            }
            try gpu.copyToHost(output + start * outSize, from: activations[range.upperBound], bytes: batch * outSize * 4)
            try gpu.synchronize()
            start += batch
        }
    }

    // MARK: - Training

    func trainStep(_ step: TrainingStep) -> Double {
        if let fallback { return fallback.trainStep(step) }
        var loss = Double.nan
        let succeeded = attempt {
            try gpu.makeCurrent()
            try uploadParametersIfNeeded()
            loss = try trainStepOnDevice(step)
        }
        if !succeeded { return fallback!.trainStep(step) }
        return loss
    }

    func trainStepOnDevice(_ step: TrainingStep) throws -> Double {
        let batch = step.indices.count
        let space = try workspace(for: batch)
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        for (row, sample) in step.indices.enumerated() {
            (space.hostInputs.pointer + row * inSize).update(from: step.inputs + sample * inSize, count: inSize)
            (space.hostTargets.pointer + row * outSize).update(from: step.targets + sample * outSize, count: outSize)
        }
        if step.optimizer.iterations == 0 {
            try zero(firstMoment)
            try zero(secondMoment)
        }
        let alpha = step.optimizer.beginStep()
        let values = UnsafeMutableRawPointer(space.hostStepValues.pointer)
        values.storeBytes(of: alpha, as: Float.self)
        values.storeBytes(of: UInt32(truncatingIfNeeded: step.randomStream), toByteOffset: 4, as: UInt32.self)
        values.storeBytes(of: UInt32(truncatingIfNeeded: step.randomStream >> 32), toByteOffset: 8, as: UInt32.self)
        let plan = TrainingPlan(batch: batch, loss: step.loss, firstTrainable: step.firstTrainableLayer,
                                optimizer: step.optimizer)
        if backend.usesGraphs {
            let key = "\(batch)/\(step.loss.rawValue)/\(plan.firstTrainable)/\(plan.beta1)/\(plan.beta2)/\(plan.epsilon)"
            if trainingGraphs[key] == nil {
                do {
                    if let graph = try gpu.captureGraph({ try enqueueStep(plan, space: space) }) {
                        trainingGraphs[key] = graph
                    } else {
                        backend.usesGraphs = false
                    }
                } catch {
                    backend.usesGraphs = false
                    print("CUDA graphs off (\(error)); launching kernels one by one")
                }
            }
            if let graph = trainingGraphs[key] {
                try graph()
            } else {
                try enqueueStep(plan, space: space)
            }
        } else {
            try enqueueStep(plan, space: space)
        }
        try gpu.synchronize()
        hostIsStale = true
        return Double(space.hostLoss.pointer[0]) / Double(batch * outSize)
    }

    /// The settings a captured step depends on.
    struct TrainingPlan {
        let batch: Int
        let loss: Loss
        let firstTrainable: Int
        let beta1: Float
        let beta2: Float
        let epsilon: Float

        init(batch: Int, loss: Loss, firstTrainable: Int, optimizer: Adam) {
            self.batch = batch
            self.loss = loss
            self.firstTrainable = firstTrainable
            beta1 = optimizer.beta1
            beta2 = optimizer.beta2
            epsilon = optimizer.epsilon
        }
    }

    /// Queues one whole step on the compute stream: batch in, forward, loss, backward, Adam, loss out.
    func enqueueStep(_ plan: TrainingPlan, space: CUDAWorkspace) throws {
        let batch = plan.batch
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        let activations = space.activations(layers: layers, training: true)
        try gpu.copyToDevice(activations[0], from: space.hostInputs.pointer, bytes: batch * inSize * 4)
        try gpu.copyToDevice(space.targets.address, from: space.hostTargets.pointer, bytes: batch * outSize * 4)
        try gpu.copyToDevice(space.stepValues.address, from: space.hostStepValues.pointer, bytes: 16)
        try zero(gradients)
        for index in layers.indices {
            try forward(index, batch: batch, activations: activations, space: space, training: true)
        }
        try enqueueLoss(plan, prediction: activations[layers.count], space: space)
        var gradient = space.gradientA, spare = space.gradientB
        var index = layers.count - 1
        while index >= plan.firstTrainable {
            let swapped = try backward(index, batch: batch, activations: activations, space: space,
                                       gradient: gradient.address, inputGradient: spare.address,
                                       needsInput: index > plan.firstTrainable)
            if swapped { swap(&gradient, &spare) }
            index -= 1
        }
        let first = parameterOffsets[plan.firstTrainable]
        let count = parameterCount - first
        if count > 0 {
            try gpu.launch(
                "re_adam", grid: grid(count), block: 256,
                .pointer(weights.address(at: first)), .pointer(gradients.address(at: first)),
                .pointer(firstMoment.address(at: first)), .pointer(secondMoment.address(at: first)),
                .int64(Int64(count)), .pointer(space.stepValues.address), .float(plan.beta1), .float(plan.beta2),
                .float(plan.epsilon))
        }
        try gpu.copyToHost(space.hostLoss.pointer, from: space.loss.address, bytes: 4)
    }

    func enqueueLoss(_ plan: TrainingPlan, prediction: UInt64, space: CUDAWorkspace) throws {
        let n = plan.batch * layers[layers.count - 1].outputSize
        let blocks = min(CUDAWorkspace.partialBlocks, (n + 255) / 256)
        switch plan.loss {
        case .meanSquaredError:
            try gpu.launch("re_mse", grid: blocks, block: 256, .pointer(prediction), .pointer(space.targets.address),
                           .pointer(space.gradientA.address), .pointer(space.partials.address), .int64(Int64(n)),
                           .float(2 / Float(n)))
        case .binaryCrossEntropy:
            try gpu.launch("re_binary_cross_entropy", grid: blocks, block: 256, .pointer(prediction),
                           .pointer(space.targets.address), .pointer(space.gradientA.address),
                           .pointer(space.partials.address), .int64(Int64(n)), .float(Loss.epsilon),
                           .float(1 / Float(n)))
        case .categoricalCrossEntropy:
            throw NeuralError.invalidArgument("categorical cross-entropy trains on the CPU backend only "
                + "(the k-class head trains on cached latent vectors there)")
        }
        try gpu.launch("re_finish_sum", grid: 1, block: 256, .pointer(space.partials.address), .int32(Int32(blocks)),
                       .pointer(space.loss.address), .float(1), .int32(0))
    }

    /// Blocks for an element-wise kernel over `n` values (256 threads each, grid-stride beyond that).
    func grid(_ n: Int) -> Int { max(1, min((n + 255) / 256, gpu.multiprocessorCount * 16)) }
}
