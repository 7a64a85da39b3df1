import Foundation

/// A small, fast, deterministic random number generator: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same stream on every platform and every run, so noise, simulated data and train/test
/// shuffles are reproducible. It conforms to `RandomNumberGenerator`, so it works with `Int.random(in:using:)`,
/// `shuffled(using:)` and friends.
///
///     var rng = SeededGenerator(seed: 42)
///     let u = rng.nextUniform()           // a Double in [0, 1)
///     let g = rng.nextGaussian()          // standard normal
///     let k = rng.nextPoisson(mean: 15)   // a Poisson count
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    /// A second Gaussian from the last Box-Muller pair, returned by the next `nextGaussian()`.
    private var spareGaussian: Double?

    /// A generator whose whole stream is determined by `seed` (state filled by SplitMix64).
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        state = (sm.next(), sm.next(), sm.next(), sm.next())
        spareGaussian = nil
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal deviate (mean 0, standard deviation 1), Box-Muller with the pair's second value cached.
    public mutating func nextGaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = 1.0 - nextUniform()
        let u2 = nextUniform()
        let radius = (-2.0 * log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareGaussian = radius * sin(angle)
        return radius * cos(angle)
    }

    /// A normal deviate with the given mean and standard deviation.
    public mutating func nextGaussian(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * nextGaussian()
    }

    /// A Poisson-distributed count with the given mean (>= 0; a non-finite or negative mean gives 0).
    ///
    /// Exact for every mean: Knuth's multiplication method below 10, Hörmann's PTRS transformed rejection
    /// (W. Hörmann, "The transformed rejection method for generating Poisson random variables", 1993) above.
    public mutating func nextPoisson(mean: Double) -> Double {
        guard mean.isFinite, mean > 0 else { return 0 }
        if mean < 10 {
            let limit = exp(-mean)
            var product = nextUniform()
            var count = 0.0
            while product > limit {
                product *= nextUniform()
                count += 1
            }
            return count
        }
        let slam = mean.squareRoot()
        let loglam = log(mean)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invalpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = nextUniform() - 0.5
            let v = nextUniform()
            let us = 0.5 - Swift.abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            let lhs = log(v) + log(invalpha) - log(a / (us * us) + b)
            let rhs = -mean + k * loglam - lgamma(k + 1)
            if lhs <= rhs { return k }
        }
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// SplitMix64: a tiny generator used to expand one 64-bit seed into xoshiro's 256-bit state.
///
///     var sm = SplitMix64(seed: 1)
///     let bits = sm.next()
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
