import XCTest
import EELS

final class PreprocessRandomTests: XCTestCase {
    func testSplitMix64MatchesReferenceStream() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var sm = SplitMix64(seed: 0)
        XCTAssertEqual(sm.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(sm.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    func testSameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let sa = (0..<16).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<16).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<16).map { _ in c.next() })
    }

    func testUniformGaussianPoissonMoments() {
        var rng = SeededGenerator(seed: 1)
        let n = 200_000
        let u = (0..<n).map { _ in rng.nextUniform() }
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(u.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let g = (0..<n).map { _ in rng.nextGaussian() }
        let gm = g.reduce(0, +) / Double(n)
        XCTAssertEqual(gm, 0, accuracy: 0.01)
        XCTAssertEqual(g.map { ($0 - gm) * ($0 - gm) }.reduce(0, +) / Double(n), 1, accuracy: 0.01)
        for mean in [0.5, 4.0, 15.0, 250.0] {
            let p = (0..<n).map { _ in rng.nextPoisson(mean: mean) }
            XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 == $0.rounded() })
            let pm = p.reduce(0, +) / Double(n)
            let pv = p.map { ($0 - pm) * ($0 - pm) }.reduce(0, +) / Double(n)
            XCTAssertEqual(pm, mean, accuracy: 0.02 * mean + 0.01, "mean \(mean)")
            XCTAssertEqual(pv, mean, accuracy: 0.04 * mean + 0.01, "variance \(mean)")
        }
        XCTAssertEqual(rng.nextPoisson(mean: 0), 0)
        XCTAssertEqual(rng.nextPoisson(mean: -3), 0)
    }
}
