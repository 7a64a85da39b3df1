/// Padding of a convolution, as in Keras.
public enum Padding: String, Sendable {
    /// Output length ceil(L / stride); zeros added, the smaller half on the left.
    case same
    /// No padding: output length floor((L - kernel) / stride) + 1.
    case valid
}

/// A 1-D convolution (Keras Conv1D), channels-last, with fused bias and activation: register-blocked window
/// products where the backend allows (`WindowGeometry.forwardProduct`), else im2col + sgemm.
///
/// Input [batch, length, inChannels] -> output [batch, outLength, filters]; kernel [kernelSize, inChannels,
/// filters] (Keras layout), bias [filters].
///
///     let conv = try Conv1D(name: "encoder.conv0", inputShape: [240, 1], filters: 8, kernelSize: 7, stride: 2)
///     conv.outputShape   // [120, 8]
public final class Conv1D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// [kernelSize, inChannels, filters].
    public let kernel: Parameter
    /// [filters].
    public let bias: Parameter
    /// The fused activation.
    public let activation: Activation
    /// The window layout (long axis = input).
    public let geometry: WindowGeometry

    /// Creates the layer with zero weights (see `initialize(using:)`).
    /// - Throws: `NeuralError.invalidArgument` for non-positive sizes or an input shorter than a valid window.
    public init(name: String, inputShape: [Int], filters: Int, kernelSize: Int, stride: Int = 1,
                padding: Padding = .same, activation: Activation = .relu) throws {
        try Self.checkConvolution(name: name, kind: "Conv1D", inputShape: inputShape, filters: filters,
                                  kernelSize: kernelSize, stride: stride)
        let length = inputShape[0], channels = inputShape[1]
        switch padding {
        case .same:
            let out = (length + stride - 1) / stride
            geometry = .same(longLength: length, shortLength: out, kernel: kernelSize, stride: stride,
                             channels: channels)
        case .valid:
            guard length >= kernelSize else {
                throw NeuralError.invalidArgument("\(name): input length \(length) is shorter than the kernel \(kernelSize)")
            }
            geometry = WindowGeometry(longLength: length, shortLength: (length - kernelSize) / stride + 1,
                                      kernel: kernelSize, stride: stride, padLeft: 0, channels: channels)
        }
        self.name = name
        self.inputShape = inputShape
        outputShape = [geometry.shortLength, filters]
        kernel = Parameter(name: name + ".kernel", shape: [kernelSize, channels, filters])
        bias = Parameter(name: name + ".bias", shape: [filters])
        self.activation = activation
    }

    public var parameters: [Parameter] { [kernel, bias] }
    public var savedFloatsPerSample: Int { geometry.shortLength * geometry.rowWidth }
    /// Per sample for im2col/col2im; the vector kernels' (batch-independent) needs fit in one sample's share.
    public var scratchFloatsPerSample: Int {
        Swift.max(geometry.shortLength * geometry.rowWidth, geometry.forwardScratchFloats,
                  geometry.transposedScratchFloats(shortChannels: outputShape[1]))
    }

    /// Glorot-uniform kernel (fans kernelSize * in and kernelSize * out) and zero bias, as Keras.
    public func initialize(using rng: inout SeededRandom) {
        let k = kernel.shape[0]
        rng.fillGlorotUniform(kernel.buffer, fanIn: k * kernel.shape[1], fanOut: k * kernel.shape[2])
        bias.buffer.update(repeating: 0)
    }

    /// True when `forward` runs the vector kernels on the input in place (no windows kept: `backward` reads its
    /// windows from a padded copy of the input).
    func usesDirectForward(_ backend: ComputeBackend) -> Bool {
        vectorKernels(backend) && outputShape[1] % 8 == 0
    }

    /// Whether this layer runs the vector kernels on `backend` (`WindowGeometry.prefersVectorKernels`).
    func vectorKernels(_ backend: ComputeBackend) -> Bool {
        geometry.prefersVectorKernels(backend, shortChannels: outputShape[1])
    }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let rows = buffers.batch * geometry.shortLength, filters = outputShape[1]
        if usesDirectForward(backend) {
            geometry.forwardProduct(buffers.input, kernel: kernel.pointer, columns: filters, bias: bias.pointer,
                                    relu: activation == .relu, into: buffers.output, batch: buffers.batch,
                                    scratch: buffers.scratch)
            return
        }
        geometry.gather(buffers.input, into: buffers.saved, batch: buffers.batch)
        Kernels.fillRows(buffers.output, rows: rows, bias: bias.pointer, columns: filters)
        backend.gemm(transA: false, transB: false, m: rows, n: filters, k: geometry.rowWidth, alpha: 1,
                     a: buffers.saved, lda: geometry.rowWidth, b: kernel.pointer, ldb: filters,
                     beta: 1, c: buffers.output, ldc: filters)
        if activation == .relu { Kernels.relu(buffers.output, count: rows * filters) }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        let rows = buffers.batch * geometry.shortLength, filters = outputShape[1], width = geometry.rowWidth
        if activation == .relu { Kernels.reluBackward(outputGradient, output: buffers.output, count: rows * filters) }
        if usesDirectForward(backend) {
            // dKernel += Σ windows ⊗ dY, read from the padded input (no windows were kept)
            geometry.kernelGradient(buffers.input, short: outputGradient, columns: filters, into: parameterGradients,
                                    batch: buffers.batch, scratch: buffers.scratch)
        } else {
            // dKernel += cols^T dY
            backend.gemm(transA: true, transB: false, m: width, n: filters, k: rows, alpha: 1,
                         a: buffers.saved, lda: width, b: outputGradient, ldb: filters,
                         beta: 1, c: parameterGradients, ldc: filters)
        }
        // dBias += column sums of dY
        backend.addColumnSums(outputGradient, rows: rows, columns: filters, into: parameterGradients + kernel.count)
        guard let inputGradient else { return }
        let vector = vectorKernels(backend)
        if geometry.supportsTransposedProduct(vectorKernels: vector) {
            // dX = the transposed product of dY with the kernel, phase by phase (no col2im scatter).
            inputGradient.update(repeating: 0, count: buffers.batch * inputSize)
            geometry.transposedProduct(outputGradient, shortChannels: filters, kernel: kernel.pointer,
                                       into: inputGradient, batch: buffers.batch, bias: nil, relu: false,
                                       vectorKernels: vector, scratch: buffers.scratch)
            return
        }
        // dCols = dY W^T, then col2im
        backend.gemm(transA: false, transB: true, m: rows, n: width, k: filters, alpha: 1,
                     a: outputGradient, lda: filters, b: kernel.pointer, ldb: filters,
                     beta: 0, c: buffers.scratch, ldc: width)
        inputGradient.update(repeating: 0, count: buffers.batch * inputSize)
        geometry.scatterAdd(buffers.scratch, into: inputGradient, batch: buffers.batch)
    }
}
