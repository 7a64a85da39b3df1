/// The layer stacks of the paper's networks (../shared/reference/paper-model/README.md), named as in the released
/// weights: 240 x 1 spectra -> five stride-2 Conv1D -> Dense 5 (the latent space) -> Dense 512 -> six
/// Conv1DTranspose -> 240 x 1.
///
///     let layers = PaperArchitecture.encoderLayers()   // 11 layers ending in the 5-unit "latent" Dense
///
/// This table is the one place the paper's layer list is written: the RapidEELS models, the fused CUDA weight
/// layout (`FusedAutoencoderLayout`), the CUDA emulation tests and the GPU bench all build from it.
public enum PaperArchitecture {
    /// Channels per spectrum (0.25 eV per channel over 520-580 eV).
    public static let spectrumLength = 240
    /// Size of the latent space.
    public static let latentSize = 5
    /// Dropout rate after encoder.conv0...conv3 (training only).
    public static let dropoutRate: Float = 0.2

    /// Conv1D filters, kernel sizes of the encoder (all stride 2, 'same', ReLU).
    public static let encoderConvs: [(filters: Int, kernel: Int)] = [(8, 7), (16, 7), (16, 5), (32, 5), (64, 3)]
    /// Conv1DTranspose filters and kernel sizes of the decoder (stride 2, 'same', ReLU); the output padding
    /// follows from the window length (`decoderLayers(length:latent:)`).
    public static let decoderDeconvs: [(filters: Int, kernel: Int)] = [(64, 3), (32, 5), (16, 5), (16, 7), (8, 7)]

    /// The lengths along the encoder for `length` input channels: each 'same' stride-2 convolution rounds up,
    /// so lengths[i + 1] = ceil(lengths[i] / 2) (240 -> 120 -> 60 -> 30 -> 15 -> 8).
    ///
    ///     PaperArchitecture.encoderLengths(for: 140)   // [140, 70, 35, 18, 9, 5]
    public static func encoderLengths(for length: Int) -> [Int] {
        var lengths = [length]
        for _ in encoderConvs { lengths.append((lengths.last! + 1) / 2) }
        return lengths
    }

    /// The shortest window the architecture accepts (five stride-2 layers need something to halve).
    public static let minimumLength = 16

    /// Throws unless `length` and `latent` make a network: length >= 16 channels, latent >= 1.
    public static func validate(length: Int, latent: Int) throws {
        guard length >= minimumLength else {
            throw NeuralError.invalidArgument("the network window has \(length) channels; the autoencoder needs at "
                + "least \(minimumLength) (five stride-2 layers)")
        }
        guard latent >= 1, latent <= 1024 else {
            throw NeuralError.invalidArgument("the latent size must be in 1...1024, got \(latent)")
        }
    }

    /// The encoder: conv0 (+dropout) ... conv3 (+dropout), conv4, flatten, latent (Dense `latent`, ReLU).
    /// Input [length, 1], output [latent]. The paper's network is length 240, latent 5.
    /// - Precondition: `validate(length:latent:)` passes.
    public static func encoderLayers(length: Int = spectrumLength, latent: Int = latentSize) -> [Layer] {
        var layers: [Layer] = []
        var shape = [length, 1]
        for (index, conv) in encoderConvs.enumerated() {
            let layer = try! Conv1D(name: "encoder.conv\(index)", inputShape: shape, filters: conv.filters,
                                    kernelSize: conv.kernel, stride: 2)
            layers.append(layer)
            shape = layer.outputShape
            if index < 4 {
                layers.append(try! Dropout(name: "encoder.dropout\(index)", shape: shape, rate: dropoutRate,
                                           salt: UInt64(index)))
            }
        }
        let flat = shape.reduce(1, *)
        layers.append(try! Reshape(name: "encoder.flatten", from: shape, to: [flat]))
        layers.append(try! Dense(name: "latent", inputSize: flat, units: latent, activation: .relu))
        return layers
    }

    /// The decoder: decoder.dense (Dense lengths[5] x 64, linear), reshape to lengths[5] x 64, deconv0...deconv4
    /// (ReLU), output (Conv1DTranspose 1, k7, stride 1, linear). Input [latent], output [length, 1].
    ///
    /// Lengths the strides do not divide: each transposed layer doubles its input, or gives 2n - 1 (output padding
    /// 0) where the matching encoder layer rounded up, so the output has exactly `length` channels and nothing is
    /// padded or cropped. For 240 only 15 -> 8 rounds up, which is the paper's deconv0 output padding 0.
    public static func decoderLayers(length: Int = spectrumLength, latent: Int = latentSize) -> [Layer] {
        let lengths = encoderLengths(for: length)
        let depth = lengths.count - 1
        let top = lengths[depth]
        var layers: [Layer] = []
        layers.append(try! Dense(name: "decoder.dense", inputSize: latent, units: top * 64, activation: .linear))
        layers.append(try! Reshape(name: "decoder.reshape", from: [top * 64], to: [top, 64]))
        var shape = [top, 64]
        for (index, deconv) in decoderDeconvs.enumerated() {
            let target = lengths[depth - 1 - index]
            let layer = try! Conv1DTranspose(name: "decoder.deconv\(index)", inputShape: shape, filters: deconv.filters,
                                             kernelSize: deconv.kernel, stride: 2,
                                             outputPadding: target == 2 * shape[0] ? nil : 0)
            layers.append(layer)
            shape = layer.outputShape
        }
        layers.append(try! Conv1DTranspose(name: "decoder.output", inputShape: shape, filters: 1, kernelSize: 7,
                                           stride: 1, activation: .linear))
        precondition(shape[0] == length, "decoder length \(shape[0]) != \(length)")
        return layers
    }

    /// The encoder and decoder of `length` channels and `latent` units, Keras-initialised from `seed`.
    ///
    ///     let net = try Sequential(PaperArchitecture.autoencoderLayers(seed: 1))   // the paper's 44,678 values
    public static func autoencoderLayers(length: Int = spectrumLength, latent: Int = latentSize,
                                         seed: UInt64) -> [Layer] {
        let layers = encoderLayers(length: length, latent: latent) + decoderLayers(length: length, latent: latent)
        initialize(layers, seed: seed)
        return layers
    }

    /// Keras-style initialisation of every layer with weights (`Layer.initialize(using:)`): Glorot-uniform
    /// kernels, zero biases, drawn in layer order from one stream.
    public static func initialize(_ layers: [Layer], seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for layer in layers { layer.initialize(using: &rng) }
    }
}
