import Foundation

/// Deterministic synthetic data for the figure tests.
enum Fixtures {
    /// A small linear congruential generator, uniform in [0, 1).
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        /// Approximately standard normal (sum of 12 uniforms).
        mutating func normal() -> Double { (0..<12).reduce(0.0) { s, _ in s + next() } - 6 }
    }

    /// 240 channels over 520-580 eV (0.25 eV each), as in the paper.
    static let energy: [Double] = (0..<240).map { 520 + 0.25 * Double($0) }

    /// An O K-edge-like spectrum: a pre-peak at `prePeak` eV, a main edge, and a post-edge continuum.
    static func spectrum(prePeak: Double = 528, height: Double = 4, noise: Double = 0, seed: UInt64 = 1) -> [Double] {
        var random = Random(state: seed)
        return energy.map { e in
            let pre = height * exp(-pow((e - prePeak) / 1.2, 2))
            let main = 6.5 * exp(-pow((e - 540) / 3.5, 2))
            let edge = 5 / (1 + exp(-(e - 532) / 1.5))
            return pre + main + edge + noise * random.normal()
        }
    }

    /// Four clusters of `perCluster` 2-D points around the corners of a square.
    static func clusters(perCluster: Int, spread: Double = 6, seed: UInt64 = 7) -> [(x: [Double], y: [Double])] {
        var random = Random(state: seed)
        let centers = [(-20.0, -20.0), (20.0, -20.0), (-20.0, 20.0), (20.0, 20.0)]
        return centers.map { c in
            var xs: [Double] = [], ys: [Double] = []
            for _ in 0..<perCluster {
                xs.append(c.0 + spread * random.normal())
                ys.append(c.1 + spread * random.normal())
            }
            return (xs, ys)
        }
    }
}
