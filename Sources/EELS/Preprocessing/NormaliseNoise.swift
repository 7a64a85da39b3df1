/// Min-max normalisation and seeded noise.
extension Spectrum {
    /// The spectrum scaled to [0, 1]: (x - min) / (max - min); a constant spectrum becomes zeros.
    ///
    ///     Spectrum(values: [2, 4, 6], energy: axis).normalizedMinMax().values   // [0, 0.5, 1]
    public func normalizedMinMax() -> Spectrum {
        var out = self
        out.values = minMax(values)
        return out
    }

    /// Each channel replaced by a Poisson count with that mean (negative means give 0): shot noise.
    public func addingPoissonNoise(seed: UInt64) -> Spectrum {
        var rng = SeededGenerator(seed: seed)
        var out = self
        for i in out.values.indices { out.values[i] = Float(rng.nextPoisson(mean: Double(values[i]))) }
        return out
    }

    /// Each channel plus a Gaussian deviate of standard deviation `sigma`.
    public func addingGaussianNoise(sigma: Double, seed: UInt64) -> Spectrum {
        var rng = SeededGenerator(seed: seed)
        var out = self
        for i in out.values.indices { out.values[i] += Float(rng.nextGaussian() * sigma) }
        return out
    }
}

extension SpectrumImage {
    /// Every pixel's spectrum scaled to [0, 1] on its own (the paper's "normalizing from zero to one").
    public func normalizedMinMax() -> SpectrumImage {
        var out = data
        let ch = channels
        for p in 0..<pixelCount {
            let range = p * ch..<(p + 1) * ch
            out.replaceSubrange(range, with: minMax(data[range]))
        }
        return withData(out, energy: energy)
    }

    /// Every value replaced by a Poisson count with that mean (the paper's training noise; negatives give 0).
    ///
    ///     let noisy = si.addingPoissonNoise(seed: 1)   // the same seed gives the same noise
    public func addingPoissonNoise(seed: UInt64) -> SpectrumImage {
        var rng = SeededGenerator(seed: seed)
        return withData(data.map { Float(rng.nextPoisson(mean: Double($0))) }, energy: energy)
    }

    /// Every value plus a Gaussian deviate of standard deviation `sigma` (the released code adds sigma 0.4,
    /// twice, to the scaled inputs).
    public func addingGaussianNoise(sigma: Double, seed: UInt64) -> SpectrumImage {
        var rng = SeededGenerator(seed: seed)
        return withData(data.map { $0 + Float(rng.nextGaussian() * sigma) }, energy: energy)
    }
}

private func minMax<C: Collection>(_ values: C) -> [Float] where C.Element == Float {
    guard let lo = values.min(), let hi = values.max(), hi > lo else {
        return [Float](repeating: 0, count: values.count)
    }
    let inverse = 1 / (hi - lo)
    return values.map { ($0 - lo) * inverse }
}
