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
    let parameterGradients: UnsafeMutablePointer<Float>
    var lossSum: Double = 0
    private var blocks: [UnsafeMutablePointer<Float>] = []

    init(layers: [Layer], capacity: Int, parameterCount: Int) {
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
        parameterGradients = block(parameterCount)
        allocated += [scratch, gradientA, gradientB, targets, parameterGradients]
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
            CPUWorkspace(layers: network.layers, capacity: backend.chunkSize, parameterCount: total)
        }
    }

    func parametersDidChange() {}
    func synchronizeParameters() {}

    func predict(_ inputs: UnsafePointer<Float>, count: Int, layers range: Range<Int>,
                 output: UnsafeMutablePointer<Float>) {
        let layers = network.layers, chunk = backend.chunkSize
        let chunks = (count + chunk - 1) / chunk
        let inSize = layers[range.lowerBound].inputSize, outSize = layers[range.upperBound - 1].outputSize
        backend.parallel(Swift.min(workspaces.count, chunks)) { worker in
            let space = workspaces[worker]
            var index = worker
            while index < chunks {
                let start = index * chunk, batch = Swift.min(chunk, count - start)
                space.activations[range.lowerBound].update(from: inputs + start * inSize, count: batch * inSize)
                for layerIndex in range {
                    layers[layerIndex].forward(space.buffers(layerIndex, batch: batch, training: false, stream: 0),
                                               backend: backend)
                }
                (output + start * outSize).update(from: space.activations[range.upperBound], count: batch * outSize)
                index += workspaces.count
            }
        }
    }

    func trainStep(_ step: TrainingStep) -> Double {
        let layers = network.layers, chunk = backend.chunkSize, count = step.indices.count
        let chunks = (count + chunk - 1) / chunk
        let inSize = layers[0].inputSize, outSize = layers[layers.count - 1].outputSize
        let scale = 1 / Float(count * outSize)
        let firstTrainable = step.firstTrainableLayer
        let workers = Swift.min(workspaces.count, chunks)
        backend.parallel(workers) { worker in
            let space = workspaces[worker]
            space.parameterGradients.update(repeating: 0, count: parameterCount)
            space.lossSum = 0
            var index = worker
            while index < chunks {
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
                space.lossSum += step.loss.evaluate(predictions: space.activations[layers.count], targets: space.targets,
                                                    count: batch * outSize, gradient: space.gradientA,
                                                    gradientScale: scale)
                var layerIndex = layers.count - 1
                while layerIndex >= firstTrainable {
                    let needsInput = layerIndex > firstTrainable
                    layers[layerIndex].backward(
                        space.buffers(layerIndex, batch: batch, training: true, stream: stream),
                        outputGradient: space.gradientA, inputGradient: needsInput ? space.gradientB : nil,
                        parameterGradients: space.parameterGradients + parameterOffsets[layerIndex], backend: backend)
                    swap(&space.gradientA, &space.gradientB)
                    layerIndex -= 1
                }
                index += workspaces.count
            }
        }
        let total = workspaces[0].parameterGradients
        var lossSum = workspaces[0].lossSum
        for worker in 1..<Swift.max(workers, 1) {
            let other = workspaces[worker].parameterGradients
            for index in 0..<parameterCount { total[index] += other[index] }
            lossSum += workspaces[worker].lossSum
        }
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

}
