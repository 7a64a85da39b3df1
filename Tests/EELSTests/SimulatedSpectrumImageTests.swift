import Foundation
import XCTest
import EELS

/// Spectrum images and the paper's dataset: counts, noise statistics, scan shift, determinism and the split.
final class SimulatedSpectrumImageTests: XCTestCase {
    private let axis = OKEdgeSimulator.paperRawAxis

    func testA08MFPPixelHasFifteenCountsPerChannelAtTheEdge() throws {
        var spec = SpectrumImageSpec(state: .initial, thickness: 0.8...0.8, seed: 11)
        spec.columns = 40
        spec.shiftAcrossScan = 0
        let si = try simulateSpectrumImage(spec)
        let mean = try SimulatedItem(name: "x", state: .initial, thicknessClass: .thin, location: 1, frame: 1,
                                             isTest: false, simulated: si).meanSpectrum(rows: 0..<10, columns: 0..<40)
        let window = axis.index(of: 536)...axis.index(of: 546)
        let edge = window.map { Double(mean.values[$0]) }.reduce(0, +) / Double(window.count)
        // 400 pixels x 81 channels: the standard error is ≈0.02 counts.
        XCTAssertEqual(edge, 15.0, accuracy: 0.15)
    }

    func testCountsArePoissonVarianceEqualsMean() throws {
        var spec = SpectrumImageSpec(state: .annealed, thickness: 1.1...1.1, seed: 5)
        spec.columns = 100
        spec.shiftAcrossScan = 0
        let si = try simulateSpectrumImage(spec)
        let pixels = si.image.pixelCount, channels = si.image.channels
        var ratios: [Double] = []
        var zScores: [Double] = []
        for k in stride(from: 0, to: channels, by: 7) {
            var s = 0.0, s2 = 0.0
            for p in 0..<pixels {
                let v = Double(si.image.data[p * channels + k])
                XCTAssertEqual(v, v.rounded(), "counts are integers")
                s += v
                s2 += v * v
            }
            let mean = s / Double(pixels), variance = (s2 - s * mean) / Double(pixels - 1)
            let expected = Double(si.expected[k])
            ratios.append(variance / mean)
            zScores.append((mean - expected) / (expected / Double(pixels)).squareRoot())
        }
        let meanRatio = ratios.reduce(0, +) / Double(ratios.count)
        // 1000 pixels per channel: each ratio has a standard error of ≈0.045; their mean ≈0.004.
        XCTAssertEqual(meanRatio, 1.0, accuracy: 0.03)
        XCTAssertLessThan(ratios.filter { abs($0 - 1) > 0.2 }.count, 2)
        // The sample means match the expected counts (z-scores standard normal).
        let rmsZ = (zScores.map { $0 * $0 }.reduce(0, +) / Double(zScores.count)).squareRoot()
        XCTAssertEqual(rmsZ, 1.0, accuracy: 0.2)
    }

    func testTheEdgeMovesByOnePointFiveElectronVoltsAcrossTheScan() throws {
        var spec = SpectrumImageSpec(state: .annealed, thickness: 0.75...0.75, seed: 2)
        spec.columns = 160
        let si = try simulateSpectrumImage(spec)
        XCTAssertEqual(si.shift.last! - si.shift.first!, 1.5, accuracy: 1e-9)
        let item = SimulatedItem(name: "s", state: .annealed, thicknessClass: .thin, location: 1, frame: 1,
                                         isTest: false, simulated: si)
        let (left, _, right) = try item.scanPositionMeans(blockColumns: 40)
        // Find the shift that best maps the left block onto the right one over 515-570 eV.
        let l = left.values.map(Double.init), r = right.values.map(Double.init)
        var best = (shift: 0.0, misfit: Double.infinity)
        for step in 0...120 {
            let delta = Double(step) * 0.025
            var misfit = 0.0
            for k in axis.index(of: 515)...axis.index(of: 570) {
                let position = Double(k) - delta / axis.scale
                let lower = Int(position.rounded(.down)), w = position - Double(lower)
                let diff = r[k] - (l[lower] * (1 - w) + l[lower + 1] * w)
                misfit += diff * diff
            }
            if misfit < best.misfit { best = (delta, misfit) }
        }
        // Block centres are 120 of 159 column steps apart: 1.5 x 120/159 = 1.13 eV.
        XCTAssertEqual(best.shift, 1.5 * 120 / 159, accuracy: 0.15)
    }

    /// Cancellation is polled at every thickness level and every column (so an interrupt stops the full-size
    /// simulation within milliseconds), and a cancelled run stops at the next poll.
    func testThePaperDatasetPollsCancellationOftenAndStopsAtOnce() throws {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var polls = 0
            let stopAfter: Int
            init(stopAfter: Int) { self.stopAfter = stopAfter }
            func poll() -> Bool { lock.lock(); defer { lock.unlock() }; polls += 1; return polls > stopAfter }
        }
        let full = Counter(stopAfter: .max)
        let data = try simulatePaperDataset(seed: 3, scale: 0.05, isCancelled: full.poll)
        XCTAssertEqual(data.items.count, 24)
        // 24 SIs x 40 columns x 2 passes, plus the thickness levels of 8 locations.
        XCTAssertGreaterThanOrEqual(full.polls, 24 * 40 * 2 + 8)
        let cancelled = Counter(stopAfter: 200)
        XCTAssertThrowsError(try simulatePaperDataset(seed: 3, scale: 0.05, isCancelled: cancelled.poll)) {
            XCTAssertTrue($0 is CancellationError, "\($0)")
        }
        // After the 201st poll says stop, each running task returns at its next poll: far fewer than a full run.
        XCTAssertLessThan(cancelled.polls, 200 + 100, "the simulation went on after it was cancelled")
    }

    func testThePaperDatasetHasTheLayoutNamesAndSplitOfThePaper() throws {
        let data = try simulatePaperDataset(seed: 3, scale: 0.05)
        XCTAssertEqual(data.items.count, 24)
        XCTAssertEqual(data.training.count, 20)
        XCTAssertEqual(data.test.map(\.name), ["EELS thin 1_1", "EELS thick 1_1", "EELS thin 1_1a", "EELS thick 1_1a"])
        XCTAssertEqual(Set(data.items.map(\.name)).count, 24)
        for state in OxidationState.allCases {
            for thickness in ThicknessClass.allCases {
                let members = data.items.filter { $0.state == state && $0.thicknessClass == thickness }
                XCTAssertEqual(members.count, 6)
                XCTAssertEqual(members.filter(\.isTest).count, 1)
                let allowed = thickness == .thin ? 0.65...0.80 : 0.83...1.33
                for m in members {
                    XCTAssertTrue(allowed.contains(m.thicknessRange.lowerBound)
                                  && allowed.contains(m.thicknessRange.upperBound), "\(m.name) \(m.thicknessRange)")
                    XCTAssertEqual(m.label, state.classIndex)
                    XCTAssertEqual(m.image.rows, 10)
                    XCTAssertEqual(m.image.columns, 40)
                    XCTAssertEqual(m.image.energy, axis)
                    XCTAssertEqual(m.name.hasSuffix("a"), state == .annealed)
                }
            }
        }
        XCTAssertThrowsError(try data.item(named: "EELS thin 9_9")) { XCTAssertTrue("\($0)".contains("thin 1_1")) }
        XCTAssertThrowsError(try simulatePaperDataset(seed: 1, scale: 0)) { XCTAssertTrue("\($0)".contains("scale")) }
        XCTAssertThrowsError(try simulatePaperDataset(seed: 1, scale: 1.5))
    }

    func testTheSameSeedGivesTheSameDataAndAnotherSeedDoesNot() throws {
        let a = try simulatePaperDataset(seed: 42, scale: 0.05)
        let b = try simulatePaperDataset(seed: 42, scale: 0.05)
        let c = try simulatePaperDataset(seed: 43, scale: 0.05)
        for (x, y) in zip(a.items, b.items) { XCTAssertEqual(x.image.data, y.image.data, x.name) }
        XCTAssertNotEqual(a.items[0].image.data, c.items[0].image.data)
        // A fixed fingerprint: the same on every machine (integer counts, IEEE arithmetic, own RNG).
        let total = a.items.map { $0.image.data.reduce(0.0) { $0 + Double($1) } }.reduce(0, +)
        XCTAssertEqual(total, total.rounded())
    }

    func testFigureTwoAccessors() throws {
        let data = try simulatePaperDataset(seed: 9, scale: 0.1)
        let item = try data.item(named: "EELS thin 1_1")
        let (pixel, mean) = try item.pixelAndBlockMean(row: 4, column: 30)
        XCTAssertEqual(pixel.values.count, 1120)
        // The block mean is smooth: far smaller channel-to-channel scatter than one pixel.
        func roughness(_ s: Spectrum) -> Double {
            zip(s.values, s.values.dropFirst()).map { Double($1 - $0) * Double($1 - $0) }.reduce(0, +)
        }
        XCTAssertLessThan(roughness(mean), roughness(pixel) / 50)
        let thin = try data.categoryMean(state: .initial, thickness: .thin)
        let thick = try data.categoryMean(state: .initial, thickness: .thick)
        XCTAssertGreaterThan(thick.values[axis.index(of: 500)], 1.3 * thin.values[axis.index(of: 500)])
        XCTAssertThrowsError(try item.pixelAndBlockMean(row: 10, column: 0))
        XCTAssertThrowsError(try item.meanSpectrum(rows: 0..<0, columns: 0..<4))
    }
}

/// Shot noise at small means (a sparse, low-dose SI): variance = mean and the zero fraction = e^-mean.
final class SimulatedLowDoseTests: XCTestCase {
    func testSmallMeansArePoissonToo() throws {
        var spec = SpectrumImageSpec(state: .initial, thickness: 0.7...0.7, seed: 8)
        spec.columns = 200
        spec.shiftAcrossScan = 0
        spec.physics.edgeScale = 0.05
        spec.physics.edgeCountsAt08MFP = 0.5
        let si = try simulateSpectrumImage(spec)
        let pixels = si.image.pixelCount, channels = si.image.channels
        for k in [100, 700, 1100] {
            let mean = Double(si.expected[k])
            XCTAssertLessThan(mean, 1.5)
            let values = (0..<pixels).map { Double(si.image.data[$0 * channels + k]) }
            let m = values.reduce(0, +) / Double(pixels)
            let variance = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(pixels - 1)
            let zeros = Double(values.filter { $0 == 0 }.count) / Double(pixels)
            XCTAssertEqual(m, mean, accuracy: 4 * (mean / Double(pixels)).squareRoot())
            XCTAssertEqual(variance / mean, 1, accuracy: 0.12)
            XCTAssertEqual(zeros, exp(-mean), accuracy: 0.03)
        }
    }
}
