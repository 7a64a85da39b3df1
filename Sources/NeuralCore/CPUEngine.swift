import Foundation

/// Buffers of one CPU worker for chunks of up to `capacity` samples, allocated once and reused.
final class CPUWorkspace {
    let capacity: Int
    /// activations[i] is layer i's input; activations[layers.count] the network's output.
    var activations: [UnsafeMutablePointer<Float>] = []
    var saved: [UnsafeMutablePointer<Float>] = []
    let scratch: UnsafeMutablePointer<Float>
    var gradientA: UnsafeMutablePointer<Float>
    var gradientB: UnsafeMutablePointer<Float>
    let targets: UnsafeMutablePointer<Float>
    private var blocks: [UnsafeMutablePointer<Float>] = []

    init(layers: [Layer], capacity: Int) {
        self.capacity = capacity
        func block(_ floats: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(floats, 1))
            pointer.initialize(repeating: 0, count: Swift.max(floats, 1))
            return pointer
        }
        var largest = layers[0].inputSize
        var allocated: [UnsafeMutablePointer<Float>] = []
        let input = block(capacity * layers[0].inputSize)
        allocated.append(input)
        activations.append(input)
        var scratchFloats = 0
        for layer in layers {
            let output = block(capacity * layer.outputSize), keep = block(capacity * layer.savedFloatsPerSample)
            allocated += [output, keep]
            activations.append(output)
            saved.append(keep)
            largest = Swift.max(largest, layer.outputSize, layer.inputSize)
            scratchFloats = Swift.max(scratchFloats, layer.scratchFloatsPerSample)
        }
        scratch = block(capacity * scratchFloats)
        gradientA = block(capacity * largest)
        gradientB = block(capacity * largest)
        targets = block(capacity * layers[layers.count - 1].outputSize)
        allocated += [scratch, gradientA, gradientB, targets]
        blocks = allocated
    }

    deinit { for pointer in blocks { pointer.deallocate() } }

    func buffers(_ index: Int, batch: Int, training: Bool, stream: UInt64) -> LayerBuffers {
        LayerBuffers(batch: batch, input: activations[index], output: activations[index + 1], saved: saved[index],
                     scratch: scratch, training: training, randomStream: stream)
    }
}

/// The CPU `NetworkEngine`: chunks of a batch are spread over worker threads, each with its own workspace and
/// gradient accumulator; gradients are summed in worker order, so results are deterministic for a setting.
final class CPUEngine: NetworkEngine {
    unowned let network: Sequential
    let backend: CPUBackend
    let workspaces: [CPUWorkspace]
    /// Flat offset of each layer's parameters.
    let parameterOffsets: [Int]
    let parameterCount: Int

    init(network: Sequential, backend: CPUBackend) {
        self.network = network
        self.backend = backend
        var offsets: [Int] = [], total = 0
        for layer in network.layers { offsets.append(total); total += layer.parameterCount }
        parameterOffsets = offsets
        parameterCount = total
        workspaces = (0..<backend.threads).map { _ in
            CPUWorkspace(layers: network.layers, capacity: backend.chunkSize)
        }
    }

    func parametersDidChange() {}
    func synchronizeParameters() {}

    /// Gradient slots: slot s accumulates chunks s*slotChunks..<(s+1)*slotChunks of a batch in order, so sums
    /// do not depend on which thread ran which slot (bitwise the same for 1 or 2 threads).
    private var gradientSlots: [UnsafeMutablePointer<Float>] = []
    private var slotLosses: [Double] = []
    /// Chunks per gradient slot.
    static let slotChunks = 4

    deinit { for slot in gradientSlots { slot.deallocate() } }

    private func ensureSlots(_ count: Int) {
        while gradientSlots.count < count {
            gradientSlots.append(.allocate(capacity: Swift.max(parameterCount, 1)))
            slotLosses.append(0)
        }
    }

    /// Runs `body(worker, item)` for items 0..<items, handed out in order to the workers as they become free.
    private func distribute(_ items: Int, _ body: (Int, Int) -> Void) {
        let workers = Swift.min(workspaces.count, items)
        if workers <= 1 {
            for item in 0..<items { body(0, item) }
            return
        }
        let queue = WorkQueue()
        backend.parallel(workers) { worker in
            while let item = queue.next(below: items) { body(worker, item) }
        }
    }

    func predict(_ inputs: UnsafePointer<Float>, count: Int, layers range: Range<Int>,
                 output: UnsafeMutablePointer<Float>) {
        let layers = network.layers, chunk = backend.chunkSize
        let chunks = (count + chunk - 1) / chunk
        let inSize = layers[range.lowerBound].inputSize, outSize = layers[range.upperBound - 1].outputSize
        distribute(chunks) { worker, index in
            let space = workspaces[worker]
            let start = index * chunk, batch = Swift.min(chunk, count - start)
            space.activations[range.lowerBound].update(from: inputs + start * inSize, count: batch * inSize)
            for layerIndex in range {
                layers[layerIndex].forward(space.buffers(layerIndex, batch: batch, training: false, stream: 0),
                                           backend: backend)
            }
            (output + start * outSize).update(from: space.activations[range.upperBound], count: batch * outSize)
        }
    }

    func trainStep(_ step: TrainingStep) -> Double {
        let layers = network.layers, chunk = backend.chunkSize, count = step.indices.count
        let chunks = (count + chunk - 1) / chunk
        let slots = (chunks + Self.slotChunks - 1) / Self.slotChunks
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        let scale = 1 / Float(count * outSize)
        let firstTrainable = step.firstTrainableLayer
        ensureSlots(slots)
        let gradientSlots = self.gradientSlots
        var losses = [Double](repeating: 0, count: slots)
        losses.withUnsafeMutableBufferPointer { losses in
            distribute(slots) { worker, slot in
                let space = workspaces[worker], gradients = gradientSlots[slot]
                gradients.update(repeating: 0, count: parameterCount)
                var lossSum = 0.0
                for index in (slot * Self.slotChunks)..<Swift.min(chunks, (slot + 1) * Self.slotChunks) {
                    lossSum += trainChunk(index, step: step, space: space, gradients: gradients, scale: scale,
                                          firstTrainable: firstTrainable, chunk: chunk, count: count,
                                          inSize: inSize, outSize: outSize)
                }
                losses[slot] = lossSum
            }
        }
        let total = gradientSlots[0]
        for slot in 1..<Swift.max(slots, 1) { Vectorized.add(total, gradientSlots[slot], count: parameterCount) }
        let lossSum = losses.reduce(0, +)
        let alpha = step.optimizer.beginStep()
        for layerIndex in firstTrainable..<layers.count {
            var offset = parameterOffsets[layerIndex]
            for parameter in layers[layerIndex].parameters {
                step.optimizer.update(parameter.pointer, gradients: total + offset, count: parameter.count,
                                      offset: offset, alpha: alpha)
                offset += parameter.count
            }
        }
        return lossSum / Double(count * outSize)
    }

    /// Forward, loss and backward of chunk `index` of a batch; adds its parameter gradients; returns its loss sum.
    private func trainChunk(_ index: Int, step: TrainingStep, space: CPUWorkspace, gradients: UnsafeMutablePointer<Float>,
                            scale: Float, firstTrainable: Int, chunk: Int, count: Int, inSize: Int, outSize: Int)
        -> Double {
        let layers = network.layers
        let start = index * chunk, batch = Swift.min(chunk, count - start)
        let stream = SeededRandom.mix(step.randomStream &+ UInt64(index))
        for row in 0..<batch {
            let sample = step.indices[start + row]
            (space.activations[0] + row * inSize).update(from: step.inputs + sample * inSize, count: inSize)
            (space.targets + row * outSize).update(from: step.targets + sample * outSize, count: outSize)
        }
        for layerIndex in layers.indices {
            layers[layerIndex].forward(space.buffers(layerIndex, batch: batch, training: true, stream: stream),
                                       backend: backend)
        }
        let loss = step.loss.evaluate(predictions: space.activations[layers.count], targets: space.targets,
                                      count: batch * outSize, gradient: space.gradientA, gradientScale: scale)
        var layerIndex = layers.count - 1
        while layerIndex >= firstTrainable {
            let needsInput = layerIndex > firstTrainable
            layers[layerIndex].backward(
                space.buffers(layerIndex, batch: batch, training: true, stream: stream),
                outputGradient: space.gradientA, inputGradient: needsInput ? space.gradientB : nil,
                parameterGradients: gradients + parameterOffsets[layerIndex], backend: backend)
            swap(&space.gradientA, &space.gradientB)
            layerIndex -= 1
        }
        return loss
    }
}

/// Hands out 0, 1, 2... to worker threads under a lock.
final class WorkQueue: @unchecked Sendable {
    private var nextItem = 0
    private let lock = NSLock()

    func next(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextItem < limit else { return nil }
        nextItem += 1
        return nextItem - 1
    }
}
