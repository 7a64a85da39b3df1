import NeuralKernels

/// Dropout (Keras semantics): while training, each element is zeroed with probability `rate` and the kept ones
/// are scaled by 1 / (1 - rate); at inference it is the identity. Masks come from a counter-based hash of
/// (stream, sample, element), so they are reproducible for a seed whatever the threading.
///
///     let drop = try Dropout(name: "encoder.dropout0", shape: [120, 8], rate: 0.2)
public final class Dropout: Layer {
    public let name: String
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    /// Probability of dropping an element, in [0, 1).
    public let rate: Float
    /// Mixed into every mask so that dropout layers of one network differ.
    public let salt: UInt64

    /// - Throws: `NeuralError.invalidArgument` when `rate` is outside [0, 1).
    public init(name: String, shape: [Int], rate: Float, salt: UInt64 = 0) throws {
        guard rate >= 0, rate < 1 else { throw NeuralError.invalidArgument("\(name): dropout rate \(rate) must be in [0, 1)") }
        self.name = name
        inputShape = shape
        self.rate = rate
        self.salt = salt
    }

    public var parameters: [Parameter] { [] }
    public var savedFloatsPerSample: Int { inputSize }
    public var scratchFloatsPerSample: Int { 0 }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let count = buffers.batch * inputSize
        guard buffers.training, rate > 0 else {
            buffers.output.update(from: buffers.input, count: count)
            return
        }
        let scale = 1 / (1 - rate)
        let threshold = UInt64(Double(rate) * 16_777_216.0)
        let stream = SeededRandom.mix(buffers.randomStream ^ SeededRandom.mix(salt &+ 0x5151))
        // The vector kernels draw the same mask eight elements at a time (DropoutMaskTests compares the two
        // paths); this loop draws the rest.
        let vectorDone = backend.usesVectorKernels
            ? DropoutMask.apply(count: count, stream: stream, threshold: threshold, scale: scale,
                                input: buffers.input, mask: buffers.saved, output: buffers.output)
            : 0
        for index in vectorDone..<count {
            let bits = SeededRandom.mix(stream &+ UInt64(index)) >> 40
            let keep: Float = bits >= threshold ? scale : 0
            buffers.saved[index] = keep
            buffers.output[index] = buffers.input[index] * keep
        }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        guard let inputGradient else { return }
        let count = buffers.batch * inputSize
        if buffers.training, rate > 0 {
            Vectorized.multiply(outputGradient, buffers.saved, into: inputGradient, count: count)
        } else {
            inputGradient.update(from: outputGradient, count: count)
        }
    }
}

/// Flatten / Reshape: the same channels-last values under another per-sample shape (element (p, c) of an
/// [L, C] map is index p * C + c).
///
///     let flat = try Reshape(name: "flatten", from: [8, 64], to: [512])
public final class Reshape: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]

    /// - Throws: `NeuralError.shapeMismatch` when the element counts differ.
    public init(name: String, from inputShape: [Int], to outputShape: [Int]) throws {
        guard inputShape.reduce(1, *) == outputShape.reduce(1, *) else {
            throw NeuralError.shapeMismatch("\(name): cannot reshape \(inputShape) to \(outputShape)")
        }
        self.name = name
        self.inputShape = inputShape
        self.outputShape = outputShape
    }

    public var parameters: [Parameter] { [] }
    public var savedFloatsPerSample: Int { 0 }
    public var scratchFloatsPerSample: Int { 0 }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        buffers.output.update(from: buffers.input, count: buffers.batch * inputSize)
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        inputGradient?.update(from: outputGradient, count: buffers.batch * inputSize)
    }
}

/// A standalone ReLU, max(0, x) (Conv1D, Conv1DTranspose and Dense fuse it instead when asked).
///
///     let relu = ReLU(name: "relu", shape: [16])
public final class ReLU: Layer {
    public let name: String
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }

    public init(name: String, shape: [Int]) {
        self.name = name
        inputShape = shape
    }

    public var parameters: [Parameter] { [] }
    public var savedFloatsPerSample: Int { 0 }
    public var scratchFloatsPerSample: Int { 0 }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let count = buffers.batch * inputSize
        for index in 0..<count { buffers.output[index] = buffers.input[index] > 0 ? buffers.input[index] : 0 }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        guard let inputGradient else { return }
        let count = buffers.batch * inputSize
        for index in 0..<count { inputGradient[index] = buffers.input[index] > 0 ? outputGradient[index] : 0 }
    }
}

/// Softmax over the last axis: y_i = exp(x_i - max) / sum_j exp(x_j - max).
///
///     let softmax = Softmax(name: "softmax", shape: [2])
public final class Softmax: Layer {
    public let name: String
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }

    public init(name: String, shape: [Int]) {
        self.name = name
        inputShape = shape
    }

    public var parameters: [Parameter] { [] }
    public var savedFloatsPerSample: Int { 0 }
    public var scratchFloatsPerSample: Int { 0 }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let classes = inputShape.last ?? 1
        for row in 0..<(buffers.batch * inputSize / classes) {
            let x = buffers.input + row * classes, y = buffers.output + row * classes
            var largest = -Float.infinity
            for c in 0..<classes { largest = Swift.max(largest, x[c]) }
            var total: Float = 0
            for c in 0..<classes { y[c] = expf(x[c] - largest); total += y[c] }
            for c in 0..<classes { y[c] /= total }
        }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        guard let inputGradient else { return }
        let classes = inputShape.last ?? 1
        for row in 0..<(buffers.batch * inputSize / classes) {
            let y = buffers.output + row * classes, dy = outputGradient + row * classes
            let dx = inputGradient + row * classes
            var dot: Float = 0
            for c in 0..<classes { dot += dy[c] * y[c] }
            for c in 0..<classes { dx[c] = y[c] * (dy[c] - dot) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
