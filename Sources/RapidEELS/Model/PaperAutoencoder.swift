import Foundation
import NeuralCore

/// The paper's denoising autoencoder (44,678 parameters): 240-channel spectra -> 5-dim latent -> 240 channels.
/// The same architecture runs on any window of `inputLength` >= 16 channels with any latent size
/// (`PaperArchitecture.decoderLayers(length:latent:)` says how odd lengths are handled).
///
/// Inputs are flattened [count, inputLength] Float32 arrays (the scaled spectra); outputs likewise.
///
///     let model = PaperAutoencoder(seed: 1)
///     let history = try model.train(inputs: noisy, targets: clean, epochs: 500)
///     let denoised = try model.predict(inputs: noisy, count: noisy.count / 240)
///     try model.save(to: URL(fileURLWithPath: "aec.safetensors"), metadata: ["scaler": "..."])
public final class PaperAutoencoder {
    /// Encoder layers then decoder layers.
    public let network: Sequential
    /// Index of the first decoder layer in `network.layers` (the encoder is 0..<decoderStart).
    public let decoderStart: Int
    /// Metadata saved with the model (scaler, energy axis, labels...); filled by `load(from:)`.
    public var metadata: [String: String] = [:]
    /// Channels per spectrum (240 for the paper).
    public let inputLength: Int
    /// Size of the latent space (5 for the paper).
    public let latentSize: Int

    /// A freshly initialised model (Glorot-uniform kernels, zero biases) whose weights depend only on `seed`.
    /// The defaults are the paper's network; a `length` below 16 or a `latent` outside 1...1024 traps (use
    /// `init(seed:length:latent:backend:)` with `try` through `make`).
    public init(seed: UInt64 = 0, length: Int = PaperArchitecture.spectrumLength,
                latent: Int = PaperArchitecture.latentSize, backend: ComputeBackend = CPUBackend()) {
        let encoder = PaperArchitecture.encoderLayers(length: length, latent: latent)
        let decoder = PaperArchitecture.decoderLayers(length: length, latent: latent)
        PaperArchitecture.initialize(encoder + decoder, seed: seed)
        decoderStart = encoder.count
        inputLength = length
        latentSize = latent
        network = try! Sequential(encoder + decoder, backend: backend)
    }

    /// A model for `length` channels and `latent` units, after checking that they make a network.
    ///
    ///     let model = try PaperAutoencoder.make(seed: 1, length: 140, latent: 8)
    /// - Throws: `NeuralError.invalidArgument` for a window shorter than 16 channels or a bad latent size.
    public static func make(seed: UInt64 = 0, length: Int, latent: Int,
                            backend: ComputeBackend = CPUBackend()) throws -> PaperAutoencoder {
        try PaperArchitecture.validate(length: length, latent: latent)
        return PaperAutoencoder(seed: seed, length: length, latent: latent, backend: backend)
    }

    /// Loads a model saved by `save(to:metadata:)` (any window and latent size, from its metadata) or the paper's
    /// released weights.
    /// - Throws: `NeuralError.weightFile` naming a missing or mis-shaped tensor.
    public static func load(from url: URL, backend: ComputeBackend = CPUBackend()) throws -> PaperAutoencoder {
        let (tensors, metadata) = try SafeTensors.read(url)
        let (length, latent) = PaperArchitecture.dimensions(metadata: metadata, tensors: tensors)
        let model = try make(seed: 0, length: length, latent: latent, backend: backend)
        try model.network.load(tensors, source: url.lastPathComponent)
        model.metadata = metadata
        return model
    }

    /// Saves every tensor (names as in the reference file) and `metadata` (merged over `self.metadata`), with the
    /// window length and latent size.
    public func save(to url: URL, metadata extra: [String: String] = [:]) throws {
        var all = metadata.merging(extra) { $1 }
        all["architecture"] = all["architecture"] ?? "rapideels-paper-autoencoder"
        all["input_length"] = String(inputLength)
        all["latent"] = String(latentSize)
        try network.save(to: url, metadata: all)
    }

    /// Total trainable values (44,678).
    public var parameterCount: Int { network.parameterCount }
    /// One row per layer: name, type, output shape, parameters.
    public var parameterTable: [LayerSummary] { network.summary }

    /// Reconstructs (denoises) `count` spectra: inputs [count, inputLength] -> [count, inputLength].
    /// - Throws: `NeuralError.shapeMismatch` for a wrong size, `.nonFiniteInput` for NaN/Inf.
    public func predict(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n)
    }

    /// The 5-dim latent vectors: inputs [count, 240] -> [count, 5].
    public func latent(inputs: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: count)
        return try network.predict(inputs, count: n, layers: 0..<decoderStart)
    }

    /// Same as `latent(inputs:count:)`.
    public func encode(inputs: [Float], count: Int? = nil) throws -> [Float] { try latent(inputs: inputs, count: count) }

    /// Decodes latent vectors: [count, 5] -> [count, 240].
    public func decode(latent: [Float], count: Int? = nil) throws -> [Float] {
        let n = try PaperArchitecture.sampleCount(latent, size: latentSize, what: "latent vectors",
                                                  count: count)
        return try network.predict(latent, count: n, layers: decoderStart..<network.layers.count)
    }

    /// Trains with Adam (lr 1e-3) on MSE between the reconstruction of `inputs` and `targets` (both [count, 240]).
    ///
    /// - Parameters:
    ///   - progress: called after every batch (epoch, step, loss, ETA).
    ///   - isCancelled: polled before every batch; returning true stops with `CancellationError`, leaving the
    ///     best epoch's weights in the model and the losses in `network.lastHistory`.
    /// - Throws: `NeuralError` for bad shapes, non-finite data or a loss that became NaN/Inf.
    @discardableResult
    public func train(inputs: [Float], targets: [Float], epochs: Int, batchSize: Int = 512, seed: UInt64 = 0,
                      validationSplit: Double = 0, learningRate: Float = 1e-3,
                      epochInputs: ((Int) throws -> [Float])? = nil,
                      epochEnd: ((Int) throws -> Void)? = nil,
                      checkpoint: TrainingCheckpointing? = nil,
                      progress: ((TrainingProgress) -> Void)? = nil,
                      isCancelled: () -> Bool = { false }) throws -> TrainingHistory {
        let n = try PaperArchitecture.sampleCount(inputs, size: inputLength, what: "inputs",
                                                  count: nil)
        var options = TrainingOptions(epochs: epochs, batchSize: batchSize, seed: seed, validationSplit: validationSplit,
                                      loss: .meanSquaredError, learningRate: learningRate)
        options.checkpoint = checkpoint
        return try network.fit(inputs: inputs, targets: targets, count: n, options: options, epochInputs: epochInputs,
                               epochEnd: epochEnd, progress: progress, isCancelled: isCancelled)
    }
}
