import EELS
import Foundation

/// Per-epoch training noise, drawn in parallel chunks whose seeds depend only on (seed, epoch, chunk), so the same
/// seed gives the same draws on any number of cores.
///
///     let noisy = NoiseDraw.poisson(means: counts, seed: 7, epoch: 3)
enum NoiseDraw {
    /// Values per chunk (each chunk has its own generator).
    static let chunk = 1 << 16

    /// Poisson deviates with the given means (negative means give 0).
    static func poisson(means: [Float], seed: UInt64, epoch: Int) -> [Float] {
        fill(count: means.count, seed: seed, epoch: epoch) { rng, range, out in
            for i in range { out[i] = Float(rng.nextPoisson(mean: Double(Swift.max(means[i], 0)))) }
        }
    }

    /// `values` plus N(0, sigma) noise.
    static func gaussian(adding sigma: Double, to values: [Float], seed: UInt64, epoch: Int) -> [Float] {
        fill(count: values.count, seed: seed, epoch: epoch) { rng, range, out in
            for i in range { out[i] = values[i] + Float(rng.nextGaussian() * sigma) }
        }
    }

    private static func fill(count: Int, seed: UInt64, epoch: Int,
                             _ body: (inout SeededGenerator, Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        let chunks = (count + chunk - 1) / chunk
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var rng = SeededGenerator(seed: (seed &+ 0x5EED) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &* 0xBF58_476D
                                          &+ UInt64(c) &* 0x94D0_49BB_1331_11EB)
                body(&rng, (c * chunk)..<Swift.min(count, (c + 1) * chunk), base)
            }
            initialized = count
        }
    }
}
