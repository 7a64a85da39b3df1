/// A small seeded pseudo-random generator (SplitMix64): deterministic across platforms.
///
///     var rng = SeededRandom(seed: 42)
///     let u = rng.nextUniform()          // in [0, 1)
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator whose sequence depends only on `seed`.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// A generator that continues from a saved `currentState` (training checkpoints).
    public init(state: UInt64) { self.state = state }

    /// The state to save; `init(state:)` continues the sequence from here.
    public var currentState: UInt64 { state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A standard normal Double (Box-Muller).
    public mutating func nextNormal() -> Double {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// The SplitMix64 finaliser: a stateless 64-bit hash used for counter-based random streams (dropout masks).
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fills `values` with Glorot (Xavier) uniform numbers: U(-limit, limit), limit = sqrt(6 / (fanIn + fanOut)).
    public mutating func fillGlorotUniform(_ values: UnsafeMutableBufferPointer<Float>, fanIn: Int, fanOut: Int) {
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        for index in values.indices { values[index] = (nextUniform() * 2 - 1) * limit }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
