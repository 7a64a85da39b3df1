/// The device buffers of one network for batches of up to `capacity` samples (allocated once, reused by every
/// step, so captured graphs stay valid).
final class CUDAWorkspace {
    let capacity: Int
    /// own[i] is layer i's input buffer for i == 0, else layer i-1's own output buffer (nil where the layer
    /// never needs one: Reshape).
    let own: [CUDABuffer?]
    /// Layer i's saved im2col windows (Conv1D only).
    let saved: [CUDABuffer?]
    let scratch: CUDABuffer
    let gradientA: CUDABuffer
    let gradientB: CUDABuffer
    let targets: CUDABuffer
    let partials: CUDABuffer
    let loss: CUDABuffer
    /// Pinned staging: inputs [capacity, inSize], targets [capacity, outSize], loss, step values.
    let hostInputs: CUDAHostBuffer
    let hostTargets: CUDAHostBuffer
    let hostLoss: CUDAHostBuffer
    /// Device copy of the step values: [0] Adam's alpha (Float), [1], [2] dropout seed words (UInt32 bits).
    let stepValues: CUDABuffer
    let hostStepValues: CUDAHostBuffer
    static let partialBlocks = 512

    init(device gpu: KernelDevice, layers: [Layer], capacity: Int) throws {
        self.capacity = capacity
        var own: [CUDABuffer?] = [try gpu.allocate(capacity * layers[0].inputSize)]
        var saved: [CUDABuffer?] = []
        var scratchFloats = 1, largest = layers[0].inputSize
        for layer in layers {
            own.append(layer is Reshape ? nil : try gpu.allocate(capacity * layer.outputSize))
            largest = max(largest, layer.inputSize, layer.outputSize)
            switch layer {
            case let conv as Conv1D:
                let windows = capacity * conv.geometry.shortLength * conv.geometry.rowWidth
                saved.append(try gpu.allocate(windows))
                scratchFloats = max(scratchFloats, windows)
            case let deconv as Conv1DTranspose:
                saved.append(nil)
                scratchFloats = max(scratchFloats, capacity * deconv.geometry.shortLength * deconv.geometry.rowWidth)
            default:
                saved.append(nil)
            }
        }
        self.own = own
        self.saved = saved
        scratch = try gpu.allocate(scratchFloats)
        gradientA = try gpu.allocate(capacity * largest)
        gradientB = try gpu.allocate(capacity * largest)
        let outSize = layers[layers.count - 1].outputSize
        targets = try gpu.allocate(capacity * outSize)
        partials = try gpu.allocate(Self.partialBlocks)
        loss = try gpu.allocate(1)
        hostInputs = try gpu.allocateHost(capacity * layers[0].inputSize)
        hostTargets = try gpu.allocateHost(capacity * outSize)
        hostLoss = try gpu.allocateHost(1)
        stepValues = try gpu.allocate(4)
        hostStepValues = try gpu.allocateHost(4)
    }

    /// Device addresses of every layer's input (index i) and the network's output (index layers.count):
    /// Reshape, and Dropout outside training, pass their input's buffer on.
    func activations(layers: [Layer], training: Bool) -> [UInt64] {
        var addresses = [own[0]!.address]
        for (index, layer) in layers.enumerated() {
            let passes = layer is Reshape || (layer is Dropout && !(training && (layer as! Dropout).rate > 0))
            addresses.append(passes ? addresses[index] : own[index + 1]!.address)
        }
        return addresses
    }
}
