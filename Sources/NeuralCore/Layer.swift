/// The activation fused into a Conv1D, Conv1DTranspose or Dense layer.
public enum Activation: String, Sendable {
    /// Identity.
    case linear
    /// max(0, x).
    case relu
}

/// Buffers a layer works on for one chunk of samples (all pointers are owned by the engine's workspace).
///
/// Shapes: `input` is [batch, inputShape...], `output` [batch, outputShape...], `saved` holds
/// `savedFloatsPerSample * batch` floats kept from forward to backward, `scratch` is temporary.
public struct LayerBuffers {
    /// Samples in this chunk.
    public var batch: Int
    /// The layer's input, [batch, inputShape...].
    public var input: UnsafeMutablePointer<Float>
    /// The layer's output, [batch, outputShape...].
    public var output: UnsafeMutablePointer<Float>
    /// State kept from forward to backward (im2col windows, dropout masks).
    public var saved: UnsafeMutablePointer<Float>
    /// Temporary space of at least `scratchFloatsPerSample * batch` floats.
    public var scratch: UnsafeMutablePointer<Float>
    /// True while training (dropout active).
    public var training: Bool
    /// A counter-based random stream id for this call (dropout): the same id gives the same mask.
    public var randomStream: UInt64

    public init(batch: Int, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                saved: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, training: Bool,
                randomStream: UInt64) {
        self.batch = batch
        self.input = input
        self.output = output
        self.saved = saved
        self.scratch = scratch
        self.training = training
        self.randomStream = randomStream
    }
}

/// A network layer with forward and backward passes on Float32 buffers, channels-last ([batch, length, channels]).
///
/// Layers hold their parameters; the engine owns activations and gradients, so several threads can run
/// the same layer on different chunks at once.
///
///     let conv = try Conv1D(name: "conv", inputShape: [240, 1], filters: 8, kernelSize: 7, stride: 2)
///     conv.outputShape   // [120, 8]
public protocol Layer: AnyObject {
    /// Name prefix of the layer's tensors in weight files, e.g. "encoder.conv0".
    var name: String { get }
    /// Per-sample input shape, e.g. [240, 1].
    var inputShape: [Int] { get }
    /// Per-sample output shape, e.g. [120, 8].
    var outputShape: [Int] { get }
    /// Trainable tensors in a fixed order (kernel, then bias).
    var parameters: [Parameter] { get }
    /// Floats per sample kept from forward to backward.
    var savedFloatsPerSample: Int { get }
    /// Floats per sample of temporary space needed by forward or backward.
    var scratchFloatsPerSample: Int { get }
    /// Computes `buffers.output` from `buffers.input`.
    func forward(_ buffers: LayerBuffers, backend: ComputeBackend)
    /// Back-propagates: reads `outputGradient` (may overwrite it), adds parameter gradients into
    /// `parameterGradients` (laid out like `parameters`, concatenated), writes `inputGradient` when non-nil.
    func backward(_ buffers: LayerBuffers, outputGradient: UnsafeMutablePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?, parameterGradients: UnsafeMutablePointer<Float>,
                  backend: ComputeBackend)
    /// Fills the trainable tensors as Keras initialises them (Glorot-uniform kernels, zero biases), drawing from
    /// `rng`; layers without parameters draw nothing (the default).
    func initialize(using rng: inout SeededRandom)
}

extension Layer {
    /// Layers without parameters: nothing to draw.
    public func initialize(using rng: inout SeededRandom) {}

    /// The checks every 1-D convolution makes of its arguments: a [length, channels] input with both positive,
    /// and positive filters, kernel size and stride.
    /// - Throws: `NeuralError.invalidArgument` naming the layer (`kind` is "Conv1D" or "Conv1DTranspose").
    static func checkConvolution(name: String, kind: String, inputShape: [Int], filters: Int, kernelSize: Int,
                                 stride: Int) throws {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0 else {
            throw NeuralError.invalidArgument("\(name): \(kind) input shape must be [length, channels], got \(inputShape)")
        }
        guard filters > 0, kernelSize > 0, stride > 0 else {
            throw NeuralError.invalidArgument("\(name): filters, kernelSize and stride must be positive")
        }
    }

    /// Elements per sample of the input.
    public var inputSize: Int { inputShape.reduce(1, *) }
    /// Elements per sample of the output.
    public var outputSize: Int { outputShape.reduce(1, *) }
    /// Total trainable values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// Element-wise helpers shared by the layers (fused bias + activation and their gradients).
enum Kernels {
    /// rows x columns: row r = bias (a plain loop: rows are short, memcpy calls would dominate).
    @inline(__always)
    static func fillRows(_ out: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, columns: Int) {
        var line = out
        for _ in 0..<rows {
            for column in 0..<columns { line[column] = bias[column] }
            line += columns
        }
    }

    /// out = max(out, 0), branch-free so that it vectorises.
    @inline(__always)
    static func relu(_ out: UnsafeMutablePointer<Float>, count: Int) {
        Vectorized.relu(out, count: count)
    }

    /// grad[i] = 0 where output[i] <= 0 (the ReLU derivative, applied in place).
    @inline(__always)
    static func reluBackward(_ grad: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        Vectorized.reluMask(grad, output: output, count: count)
    }
}
