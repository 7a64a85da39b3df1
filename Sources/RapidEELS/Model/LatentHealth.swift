import Foundation
import NeuralCore

/// Dead latent units: the latent layer is a ReLU Dense, and a unit whose input stays negative for every spectrum
/// outputs 0 for all of them, carries no information and gets no gradient, so it never recovers by itself. With all
/// five dead the classifier's loss stays at ln 2 (what the demo at 8 epochs showed); with some dead the accuracy
/// is flat across frame rates. Training checks the latent after every epoch and revives dead units.
///
///     let dead = try model.deadLatentUnits(inputs: x, count: n)        // [2, 4]
///     try model.revive(units: dead, inputs: x, count: n, seed: 1)
extension PaperAutoencoder {
    /// The index of the latent Dense layer in `network.layers`.
    var latentLayerIndex: Int { decoderStart - 1 }

    /// Latent units that are exactly 0 for every one of the `count` spectra (scaled inputs, inference mode).
    public func deadLatentUnits(inputs: [Float], count: Int) throws -> [Int] {
        LatentHealth.deadUnits(in: try latent(inputs: inputs, count: count), count: count, size: latentSize)
    }

    /// Gives `units` new Glorot-uniform input weights and a bias that switches each on for about half of the
    /// `count` spectra, so they carry information and get gradients again.
    public func revive(units: [Int], inputs: [Float], count: Int, seed: UInt64) throws {
        guard !units.isEmpty, count > 0 else { return }
        guard let dense = network.layers[latentLayerIndex] as? Dense else {
            throw NeuralError.invalidArgument("layer \(latentLayerIndex) is not the latent Dense layer")
        }
        network.engine.synchronizeParameters()
        let features = dense.inputShape[0], size = latentSize
        let h = try network.predict(inputs, count: count, layers: 0..<latentLayerIndex)
        var rng = SeededRandom(seed: seed)
        let limit = Float((6.0 / Double(features + size)).squareRoot())
        let kernel = dense.kernel.buffer, bias = dense.bias.buffer
        for u in units {
            for i in 0..<features { kernel[i * size + u] = Float.random(in: -limit...limit, using: &rng) }
            var pre = (0..<count).map { p -> Float in
                var s: Float = 0
                for i in 0..<features { s += h[p * features + i] * kernel[i * size + u] }
                return s
            }
            pre.sort()
            bias[u] = -pre[count / 2]
        }
        network.engine.parametersDidChange()
    }
}

extension PaperClassifier {
    /// Latent units of the frozen encoder that are exactly 0 for every one of the `count` spectra.
    public func deadLatentUnits(inputs: [Float], count: Int) throws -> [Int] {
        LatentHealth.deadUnits(in: try network.predict(inputs, count: count, layers: 0..<headIndex), count: count,
                               size: latentSize)
    }
}

/// The pieces the denoiser's and the classifier's health checks share.
enum LatentHealth {
    /// Units of a [count x size] latent array that are 0 in every row.
    static func deadUnits(in z: [Float], count: Int, size: Int) -> [Int] {
        (0..<size).filter { u in !(0..<count).contains { z[$0 * size + u] > 0 } }
    }

    /// Evenly spaced spectra of `inputs` ([n x channels]), at most about `limit`: what the checks run on.
    static func sample(_ inputs: [Float], channels: Int, limit: Int = 4096) -> (values: [Float], count: Int) {
        let total = inputs.count / channels
        let step = Swift.max(1, total / limit)
        var values: [Float] = []
        values.reserveCapacity((total / step + 1) * channels)
        for p in stride(from: 0, to: total, by: step) { values += inputs[(p * channels)..<((p + 1) * channels)] }
        return (values, values.count / channels)
    }
}
