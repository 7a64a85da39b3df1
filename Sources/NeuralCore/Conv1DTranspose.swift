import NeuralKernels

/// A transposed 1-D convolution (Keras Conv1DTranspose, padding 'same'): the adjoint of Conv1D, with fused bias
/// and activation: phase by phase with the vector kernels where the backend allows
/// (`WindowGeometry.transposedProduct`), else sgemm + col2im.
///
/// Input [batch, length, inChannels] -> output [batch, outLength, filters]; kernel [kernelSize, filters,
/// inChannels] (Keras layout), bias [filters]. outLength = length * stride when `outputPadding` is nil, else
/// (length - 1) * stride + kernelSize - 2 * (kernelSize / 2) + outputPadding. Windows follow TensorFlow's 'SAME'
/// rule for the forward convolution from outLength to length.
///
///     let up = try Conv1DTranspose(name: "decoder.deconv0", inputShape: [8, 64], filters: 64, kernelSize: 3,
///                                  stride: 2, outputPadding: 0)
///     up.outputShape   // [15, 64]
public final class Conv1DTranspose: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// [kernelSize, filters, inChannels].
    public let kernel: Parameter
    /// [filters].
    public let bias: Parameter
    /// The fused activation.
    public let activation: Activation
    /// The window layout (long axis = output, channels = filters).
    public let geometry: WindowGeometry

    /// Creates the layer with zero weights (see `initialize(using:)`).
    /// - Throws: `NeuralError.invalidArgument` for non-positive sizes or an output padding >= stride.
    public init(name: String, inputShape: [Int], filters: Int, kernelSize: Int, stride: Int = 1,
                outputPadding: Int? = nil, activation: Activation = .relu) throws {
        try Self.checkConvolution(name: name, kind: "Conv1DTranspose", inputShape: inputShape, filters: filters,
                                  kernelSize: kernelSize, stride: stride)
        let length = inputShape[0]
        let outLength: Int
        if let outputPadding {
            guard outputPadding >= 0, outputPadding < stride else {
                throw NeuralError.invalidArgument("\(name): outputPadding \(outputPadding) must be in 0..<\(stride)")
            }
            outLength = (length - 1) * stride + kernelSize - 2 * (kernelSize / 2) + outputPadding
        } else {
            outLength = length * stride
        }
        guard outLength > 0, (outLength + stride - 1) / stride == length else {
            throw NeuralError.invalidArgument(
                "\(name): output length \(outLength) is not consistent with input length \(length) and stride \(stride)")
        }
        geometry = .same(longLength: outLength, shortLength: length, kernel: kernelSize, stride: stride,
                         channels: filters)
        self.name = name
        self.inputShape = inputShape
        outputShape = [outLength, filters]
        kernel = Parameter(name: name + ".kernel", shape: [kernelSize, filters, inputShape[1]])
        bias = Parameter(name: name + ".bias", shape: [filters])
        self.activation = activation
    }

    public var parameters: [Parameter] { [kernel, bias] }
    public var savedFloatsPerSample: Int { 0 }
    /// Per sample for im2col/col2im; the vector kernels' (batch-independent) needs fit in one sample's share.
    public var scratchFloatsPerSample: Int {
        Swift.max(geometry.shortLength * geometry.rowWidth, geometry.transposedScratchFloats(shortChannels: inputShape[1]),
                  geometry.forwardScratchFloats)
    }

    /// Glorot-uniform kernel and zero bias, as Keras.
    public func initialize(using rng: inout SeededRandom) {
        let k = kernel.shape[0]
        rng.fillGlorotUniform(kernel.buffer, fanIn: k * kernel.shape[2], fanOut: k * kernel.shape[1])
        bias.buffer.update(repeating: 0)
    }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let vector = geometry.prefersVectorKernels(backend, shortChannels: inputShape[1])
        if geometry.supportsTransposedProduct(vectorKernels: vector) {
            geometry.transposedProduct(buffers.input, shortChannels: inputShape[1], kernel: kernel.pointer,
                                       into: buffers.output, batch: buffers.batch, bias: bias.pointer,
                                       relu: activation == .relu, vectorKernels: vector,
                                       scratch: buffers.scratch)
            return
        }
        let rows = buffers.batch * geometry.shortLength, width = geometry.rowWidth, inChannels = inputShape[1]
        let filters = outputShape[1]
        // cols = X W^T: [rows, kernel * filters]
        backend.gemm(transA: false, transB: true, m: rows, n: width, k: inChannels, alpha: 1,
                     a: buffers.input, lda: inChannels, b: kernel.pointer, ldb: inChannels,
                     beta: 0, c: buffers.scratch, ldc: width)
        Kernels.fillRows(buffers.output, rows: buffers.batch * outputShape[0], bias: bias.pointer, columns: filters)
        geometry.scatterAdd(buffers.scratch, into: buffers.output, batch: buffers.batch)
        if activation == .relu { Kernels.relu(buffers.output, count: buffers.batch * outputSize) }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        let rows = buffers.batch * geometry.shortLength, width = geometry.rowWidth, inChannels = inputShape[1]
        let filters = outputShape[1]
        if activation == .relu {
            Kernels.reluBackward(outputGradient, output: buffers.output, count: buffers.batch * outputSize)
        }
        backend.addColumnSums(outputGradient, rows: buffers.batch * outputShape[0], columns: filters,
                              into: parameterGradients + kernel.count)
        if geometry.prefersVectorKernels(backend, shortChannels: inChannels) && inChannels % 8 == 0 {
            // Both gradients read the windows of dY from padded copies of its samples (no im2col):
            // dKernel += Σ windows(dY) ⊗ X ; dX = windows(dY) · kernel
            let windows = geometry.padAllSamples(outputGradient, batch: buffers.batch, scratch: buffers.scratch)
            let paddedFloats = geometry.forwardScratchFloats, rowStride = geometry.stride * filters
            WindowProduct.accumulateOuter(rows: width, columns: inChannels, depth: geometry.shortLength, a: windows,
                                          depthStride: rowStride, b: buffers.input, ldb: inChannels,
                                          c: parameterGradients, ldc: inChannels, samples: buffers.batch,
                                          aSampleStride: paddedFloats, bSampleStride: inputSize)
            guard let inputGradient else { return }
            inputGradient.update(repeating: 0, count: buffers.batch * inputSize)
            for sample in 0..<buffers.batch {
                WindowProduct.accumulate(rows: geometry.shortLength, columns: inChannels, depth: width,
                                         a: windows + sample * paddedFloats, rowStride: rowStride, b: kernel.pointer,
                                         c: inputGradient + sample * inputSize, ldc: inChannels)
            }
            return
        }
        geometry.gather(outputGradient, into: buffers.scratch, batch: buffers.batch)
        // dKernel += dCols^T X: [kernel * filters, inChannels]
        backend.gemm(transA: true, transB: false, m: width, n: inChannels, k: rows, alpha: 1,
                     a: buffers.scratch, lda: width, b: buffers.input, ldb: inChannels,
                     beta: 1, c: parameterGradients, ldc: inChannels)
        guard let inputGradient else { return }
        backend.gemm(transA: false, transB: false, m: rows, n: inChannels, k: width, alpha: 1,
                     a: buffers.scratch, lda: width, b: kernel.pointer, ldb: inChannels,
                     beta: 0, c: inputGradient, ldc: inChannels)
    }
}
