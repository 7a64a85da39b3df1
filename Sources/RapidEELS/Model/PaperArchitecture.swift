import NeuralCore

/// The layer stacks of the paper's networks (../shared/reference/paper-model/README.md), named as in the released
/// weights: 240 x 1 spectra -> five stride-2 Conv1D -> Dense 5 (the latent space) -> Dense 512 -> six
/// Conv1DTranspose -> 240 x 1.
///
///     let layers = PaperArchitecture.encoderLayers()   // 11 layers ending in the 5-unit "latent" Dense
public enum PaperArchitecture {
    /// Channels per spectrum (0.25 eV per channel over 520-580 eV).
    public static let spectrumLength = 240
    /// Size of the latent space.
    public static let latentSize = 5
    /// Dropout rate after encoder.conv0...conv3 (training only).
    public static let dropoutRate: Float = 0.2

    /// Conv1D filters, kernel sizes of the encoder (all stride 2, 'same', ReLU).
    static let encoderConvs: [(filters: Int, kernel: Int)] = [(8, 7), (16, 7), (16, 5), (32, 5), (64, 3)]
    /// Conv1DTranspose filters, kernel sizes, output padding of the decoder (stride 2, 'same', ReLU).
    static let decoderDeconvs: [(filters: Int, kernel: Int, outputPadding: Int?)] =
        [(64, 3, 0), (32, 5, nil), (16, 5, nil), (16, 7, nil), (8, 7, nil)]

    /// The encoder: conv0 (+dropout) ... conv3 (+dropout), conv4, flatten, latent (Dense 5, ReLU).
    /// Output [5]. The architecture is fixed, so construction cannot fail.
    public static func encoderLayers() -> [Layer] {
        var layers: [Layer] = []
        var shape = [spectrumLength, 1]
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
        layers.append(try! Dense(name: "latent", inputSize: flat, units: latentSize, activation: .relu))
        return layers
    }

    /// The decoder: decoder.dense (Dense 512, linear), reshape to 8 x 64, deconv0...deconv4 (ReLU),
    /// output (Conv1DTranspose 1, k7, stride 1, linear). Input [5], output [240, 1].
    public static func decoderLayers() -> [Layer] {
        var layers: [Layer] = []
        layers.append(try! Dense(name: "decoder.dense", inputSize: latentSize, units: 512, activation: .linear))
        layers.append(try! Reshape(name: "decoder.reshape", from: [512], to: [8, 64]))
        var shape = [8, 64]
        for (index, deconv) in decoderDeconvs.enumerated() {
            let layer = try! Conv1DTranspose(name: "decoder.deconv\(index)", inputShape: shape, filters: deconv.filters,
                                             kernelSize: deconv.kernel, stride: 2, outputPadding: deconv.outputPadding)
            layers.append(layer)
            shape = layer.outputShape
        }
        layers.append(try! Conv1DTranspose(name: "decoder.output", inputShape: shape, filters: 1, kernelSize: 7,
                                           stride: 1, activation: .linear))
        return layers
    }

    /// Keras-style initialisation of every layer with weights: Glorot-uniform kernels, zero biases.
    static func initialize(_ layers: [Layer], seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        for layer in layers {
            switch layer {
            case let conv as Conv1D: conv.initialize(using: &rng)
            case let deconv as Conv1DTranspose: deconv.initialize(using: &rng)
            case let dense as Dense: dense.initialize(using: &rng)
            default: break
            }
        }
    }

    /// Throws a shape error unless `values` holds whole samples of `size` values; returns the sample count.
    static func sampleCount(_ values: [Float], size: Int, what: String, count: Int?) throws -> Int {
        if let count {
            guard count >= 0, values.count == count * size else {
                throw NeuralError.shapeMismatch("\(what) hold \(values.count) values; expected \(count) x \(size) "
                    + "= \(count * size)")
            }
            return count
        }
        guard values.count % size == 0 else {
            throw NeuralError.shapeMismatch("\(what) hold \(values.count) values, not a whole number of \(size)-value rows")
        }
        return values.count / size
    }
}
