/// A fully connected layer (Keras Dense) as one sgemm with fused bias and activation.
///
/// Input [batch, units_in] (any per-sample shape is flattened) -> output [batch, units]; kernel [in, units],
/// bias [units].
///
///     let dense = try Dense(name: "latent", inputSize: 512, units: 5)
public final class Dense: Layer {
    public let name: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// [in, units].
    public let kernel: Parameter
    /// [units].
    public let bias: Parameter
    /// The fused activation.
    public let activation: Activation

    /// Creates the layer with zero weights (see `initialize(using:)`).
    /// - Throws: `NeuralError.invalidArgument` for non-positive sizes.
    public init(name: String, inputSize: Int, units: Int, activation: Activation = .linear) throws {
        guard inputSize > 0, units > 0 else {
            throw NeuralError.invalidArgument("\(name): Dense sizes must be positive (in \(inputSize), units \(units))")
        }
        self.name = name
        inputShape = [inputSize]
        outputShape = [units]
        kernel = Parameter(name: name + ".kernel", shape: [inputSize, units])
        bias = Parameter(name: name + ".bias", shape: [units])
        self.activation = activation
    }

    public var parameters: [Parameter] { [kernel, bias] }
    public var savedFloatsPerSample: Int { 0 }
    public var scratchFloatsPerSample: Int { 0 }

    /// Glorot-uniform kernel and zero bias, as Keras.
    public func initialize(using rng: inout SeededRandom) {
        rng.fillGlorotUniform(kernel.buffer, fanIn: inputShape[0], fanOut: outputShape[0])
        bias.buffer.update(repeating: 0)
    }

    public func forward(_ buffers: LayerBuffers, backend: ComputeBackend) {
        let units = outputShape[0]
        Kernels.fillRows(buffers.output, rows: buffers.batch, bias: bias.pointer, columns: units)
        backend.gemm(transA: false, transB: false, m: buffers.batch, n: units, k: inputShape[0], alpha: 1,
                     a: buffers.input, lda: inputShape[0], b: kernel.pointer, ldb: units,
                     beta: 1, c: buffers.output, ldc: units)
        if activation == .relu { Kernels.relu(buffers.output, count: buffers.batch * units) }
    }

    public func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                         backend: ComputeBackend) {
        let units = outputShape[0], features = inputShape[0]
        if activation == .relu { Kernels.reluBackward(outputGradient, output: buffers.output, count: buffers.batch * units) }
        backend.gemm(transA: true, transB: false, m: features, n: units, k: buffers.batch, alpha: 1,
                     a: buffers.input, lda: features, b: outputGradient, ldb: units,
                     beta: 1, c: parameterGradients, ldc: units)
        backend.addColumnSums(outputGradient, rows: buffers.batch, columns: units, into: parameterGradients + kernel.count)
        guard let inputGradient else { return }
        backend.gemm(transA: false, transB: true, m: buffers.batch, n: features, k: units, alpha: 1,
                     a: outputGradient, lda: units, b: kernel.pointer, ldb: units,
                     beta: 0, c: inputGradient, ldc: features)
    }
}
