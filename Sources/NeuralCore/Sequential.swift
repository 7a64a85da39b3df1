/// A stack of layers run in order, with inference, training (`fit`) and safetensors save/load.
///
///     let net = try Sequential([conv, flatten, dense])
///     let y = try net.predict(x, count: 16)         // x: [16, 240, 1] flattened
public final class Sequential {
    /// The layers in order.
    public let layers: [Layer]
    /// Where the network runs; changing it drops the engine (and its buffers).
    public var backend: ComputeBackend { didSet { cachedEngine = nil } }
    /// The history of the last `fit` (updated after every epoch, also when training was cancelled).
    public internal(set) var lastHistory: TrainingHistory?
    private var cachedEngine: NetworkEngine?

    /// Creates the network; consecutive layers must agree on element counts.
    /// - Throws: `NeuralError.shapeMismatch` naming the two layers that disagree.
    public init(_ layers: [Layer], backend: ComputeBackend = CPUBackend()) throws {
        guard !layers.isEmpty else { throw NeuralError.invalidArgument("a network needs at least one layer") }
        for (previous, next) in zip(layers, layers.dropFirst()) where previous.outputSize != next.inputSize {
            throw NeuralError.shapeMismatch(
                "\(previous.name) outputs \(previous.outputShape) but \(next.name) expects \(next.inputShape)")
        }
        self.layers = layers
        self.backend = backend
    }

    /// Per-sample input shape.
    public var inputShape: [Int] { layers[0].inputShape }
    /// Per-sample output shape.
    public var outputShape: [Int] { layers[layers.count - 1].outputShape }
    /// Every parameter, in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// Total trainable values.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The engine of the current backend (created on first use).
    public var engine: NetworkEngine {
        if let cachedEngine { return cachedEngine }
        let made = backend.makeEngine(for: self)
        cachedEngine = made
        return made
    }

    /// Runs `layers` (all by default) on `count` samples.
    /// - Parameters:
    ///   - inputs: [count, first layer's inputShape...] flattened, Float32.
    /// - Returns: [count, last layer's outputShape...] flattened.
    /// - Throws: `NeuralError.shapeMismatch` for a wrong input size, `.nonFiniteInput` for NaN/Inf.
    public func predict(_ inputs: [Float], count: Int, layers range: Range<Int>? = nil) throws -> [Float] {
        let range = range ?? 0..<layers.count
        guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= layers.count else {
            throw NeuralError.invalidArgument("layer range \(range) is outside 0..<\(layers.count)")
        }
        let first = layers[range.lowerBound], last = layers[range.upperBound - 1]
        guard count >= 0, inputs.count == count * first.inputSize else {
            throw NeuralError.shapeMismatch("inputs hold \(inputs.count) values; expected \(count) x "
                + "\(first.inputShape.map(String.init).joined(separator: " x ")) = \(count * first.inputSize)")
        }
        var output = [Float](repeating: 0, count: count * last.outputSize)
        guard count > 0 else { return output }
        try inputs.withUnsafeBufferPointer { source in
            try NeuralError.checkFinite(source, what: "inputs", perSample: first.inputSize)
            output.withUnsafeMutableBufferPointer { target in
                engine.predict(source.baseAddress!, count: count, layers: range, output: target.baseAddress!)
            }
        }
        return output
    }

    /// Tells the engine that host parameters changed (after loading or setting values by hand).
    public func parametersDidChange() { cachedEngine?.parametersDidChange() }

    /// A copy of every parameter's values, in order.
    public func snapshot() -> [[Float]] {
        cachedEngine?.synchronizeParameters()
        return parameters.map(\.values)
    }

    /// Restores values taken by `snapshot()`.
    public func restore(_ values: [[Float]]) {
        for (parameter, stored) in zip(parameters, values) { parameter.values = stored }
        parametersDidChange()
    }

    /// One row per layer: name, output shape, parameter count (for display).
    public var summary: [LayerSummary] {
        layers.map { LayerSummary(name: $0.name, kind: String(describing: type(of: $0)),
                                  outputShape: $0.outputShape, parameterCount: $0.parameterCount) }
    }
}

/// One row of a network's parameter table.
public struct LayerSummary: Equatable, Sendable {
    /// Layer name, e.g. "encoder.conv0".
    public let name: String
    /// Layer type, e.g. "Conv1D".
    public let kind: String
    /// Per-sample output shape, e.g. [120, 8].
    public let outputShape: [Int]
    /// Trainable values.
    public let parameterCount: Int
}
