import Foundation
import XCTest
import EELS

/// The general core-loss simulator and its Mn L2,3 experiment: literature numbers, physics, drift, determinism.
final class MnSimulatorTests: XCTestCase {
    private func sum(_ values: ArraySlice<Double>) -> Double { values.reduce(0, +) }

    func testTemplatesCarryTheLiteratureWhiteLineRatiosAndHoleCounts() {
        for valence in MnValence.allCases {
            let t = valence.template()
            let l3 = t.lineArea(in: (valence.l3Energy - 5)...(valence.l3Energy + 5))
            let l2 = t.lineArea(in: (valence.l3Energy + 8)...(valence.l3Energy + 14))
            XCTAssertEqual(l3 / l2, valence.whiteLineRatio, accuracy: 1e-9, "\(valence.label) L3/L2")
            // White-line area per step height ∝ 3d holes (Pearson 1993): 2.8 eV per hole.
            XCTAssertEqual((l3 + l2) / 20, 2.8 * Double(valence.holes), accuracy: 1e-9)
        }
        XCTAssertEqual(MnValence.allCases.map(\.whiteLineRatio), [4.0, 2.7, 2.0])
        XCTAssertEqual(MnValence.allCases.map(\.holes), [5, 6, 7])
        XCTAssertEqual(MnValence(fileName: "/data/mn3_02.dm4"), .mn3)
        XCTAssertEqual(MnValence(fileName: "MN4_01.dm4"), .mn4)
        XCTAssertNil(MnValence(fileName: "fe3_01.dm4"))
        XCTAssertEqual(MnValence(classIndex: 0), .mn2)
        XCTAssertNil(MnValence(classIndex: 3))
    }

    func testL3MaximumMovesUpWithValence() throws {
        let sim = try CoreLossSimulator.manganese()
        let axis = sim.outputAxis
        var maxima: [Double] = []
        for valence in MnValence.allCases {
            let edge = try sim.expectedComponents(classIndex: valence.classIndex, thickness: 0.5).edge
            let window = axis.index(of: 636)...axis.index(of: 647)
            let best = window.max { edge[$0] < edge[$1] }!
            maxima.append(axis.value(at: best))
        }
        XCTAssertEqual(maxima[0], 640.0, accuracy: 0.3)
        XCTAssertEqual(maxima[1] - maxima[0], 1.6, accuracy: 0.3, "Mn2+ -> Mn3+ chemical shift")
        XCTAssertEqual(maxima[2] - maxima[1], 0.8, accuracy: 0.3, "Mn3+ -> Mn4+ chemical shift")
    }

    func testBackgroundFollowsThePowerLawAndThicknessAddsPluralScattering() throws {
        let sim = try CoreLossSimulator.manganese()
        let axis = sim.outputAxis
        let thin = try sim.expectedComponents(classIndex: 0, thickness: 0.5)
        // Below the edge the background at τ_ref is ≈ 45 counts/eV at 635 eV (plural scattering adds a little).
        let at635 = thin.background[axis.index(of: 635)] / axis.scale
        XCTAssertEqual(at635, 45, accuracy: 45 * 0.25)
        let fit = try Spectrum(values: thin.background.map(Float.init), energy: axis)
            .fitBackground(.powerLaw, in: MnValence.backgroundWindow)
        XCTAssertEqual(fit.exponent, 3.5, accuracy: 0.5)
        // Edge below its onset is negligible; thicker specimens move edge intensity to higher losses.
        XCTAssertLessThan(thin.edge[axis.index(of: 620)], 0.05)
        let thick = try sim.expectedComponents(classIndex: 0, thickness: 1.0)
        let post = axis.index(of: 665)...axis.index(of: 690), white = axis.index(of: 636)...axis.index(of: 645)
        let thinRatio = sum(post.map { thin.edge[$0] }[...]) / sum(white.map { thin.edge[$0] }[...])
        let thickRatio = sum(post.map { thick.edge[$0] }[...]) / sum(white.map { thick.edge[$0] }[...])
        XCTAssertGreaterThan(thickRatio, thinRatio * 1.2, "plural scattering fills the post-edge region")
    }

    func testSpectrumImageHasPerPixelDriftAndPoissonNoiseAroundTheTruth() throws {
        let sim = try CoreLossSimulator.manganese()
        var spec = CoreLossImageSpec(classIndex: 1, classCount: 3, thickness: 0.3...0.5, seed: 3)
        spec.rows = 6
        spec.columns = 10
        spec.driftStart = -0.2
        spec.driftAcrossScan = 1.5
        spec.pixelSize = 2.5
        let out = try simulateCoreLossImage(spec, with: sim)
        XCTAssertEqual(out.image.rows, 6)
        XCTAssertEqual(out.image.columns, 10)
        XCTAssertEqual(out.image.rowAxis.units, "nm")
        XCTAssertEqual(out.image.columnAxis.scale, 2.5)
        XCTAssertEqual(out.drift.first!, -0.2, accuracy: 1e-12)
        XCTAssertEqual(out.drift.last!, 1.3, accuracy: 1e-12)
        XCTAssertEqual(out.drift[5 * 10 + 3], -0.2 + 1.5 * 53 / 59, accuracy: 1e-12, "linear in scan order")
        XCTAssertEqual(out.driftMap.rows, 6)
        var descan = spec
        descan.descanAcrossColumns = 0.9
        XCTAssertEqual(descan.drift(row: 5, column: 9), 1.3 + 0.9, accuracy: 1e-12)
        XCTAssertEqual(descan.drift(row: 0, column: 9), -0.2 + 1.5 * 9 / 59 + 0.9, accuracy: 1e-12)
        // The truth of the last pixel equals the simulator's expectation at its thickness and drift.
        let last = try sim.expectedCounts(classIndex: 1, thickness: 0.5, shift: 1.3)
        let truth = out.expectedSpectrum(row: 5, column: 9).values
        for k in stride(from: 0, to: last.count, by: 17) { XCTAssertEqual(Double(truth[k]), last[k], accuracy: 1e-3) }
        // Counts are integers scattered around the truth with variance ≈ mean.
        var chi2 = 0.0
        for i in out.expected.indices {
            let v = Double(out.image.data[i]), m = Double(out.expected[i])
            XCTAssertEqual(v, v.rounded())
            chi2 += (v - m) * (v - m) / Swift.max(m, 1e-9)
        }
        XCTAssertEqual(chi2 / Double(out.expected.count), 1, accuracy: 0.05)
    }

    func testSameSeedSameDataAndMismatchedSpecsAreRefused() throws {
        let sim = try CoreLossSimulator.manganese()
        let spec = CoreLossImageSpec(classIndex: 2, classCount: 3, thickness: 0.7...1.0, seed: 9)
        XCTAssertEqual(try simulateCoreLossImage(spec, with: sim).image.data,
                       try simulateCoreLossImage(spec, with: sim).image.data)
        let wrongClasses = CoreLossImageSpec(classIndex: 0, classCount: 2, thickness: 0.5...0.5, seed: 1)
        XCTAssertThrowsError(try simulateCoreLossImage(wrongClasses, with: sim)) { error in
            XCTAssertTrue("\(error)".contains("2 class weights"), "\(error)")
        }
        var badDark = spec
        badDark.dark = [1, 2, 3]
        XCTAssertThrowsError(try simulateCoreLossImage(badDark, with: sim)) { error in
            XCTAssertTrue("\(error)".contains("3 channels"), "\(error)")
        }
        XCTAssertThrowsError(try sim.expectedCounts(classIndex: 3, thickness: 0.5))
        XCTAssertThrowsError(try CoreLossSimulator.manganese(axis: UniformAxis(offset: 100, scale: 0.2, size: 10)))
    }

    func testOtherDispersionKeepsCountsPerEV() throws {
        let coarse = try CoreLossSimulator.manganese()
        let fine = try CoreLossSimulator.manganese(axis: UniformAxis(offset: 590, scale: 0.1, size: 1024))
        let a = try coarse.expectedCounts(classIndex: 0, thickness: 0.4)
        let b = try fine.expectedCounts(classIndex: 0, thickness: 0.4)
        // The same energy, 655 eV: half the counts per channel at half the dispersion.
        XCTAssertEqual(b[fine.outputAxis.index(of: 655)] * 2, a[coarse.outputAxis.index(of: 655)], accuracy: 0.05)
    }

    func testMnExperimentHasAllClassesBothThicknessesAndDifferentSizes() throws {
        let experiment = try simulateMnExperiment(seed: 5)
        let files = experiment.truth.files
        XCTAssertEqual(files.count, 12)
        XCTAssertEqual(Array(files.map(\.file).prefix(4)), ["mn2_01.dm4", "mn2_02.dm4", "mn2_03.dm4", "mn2_04.dm4"])
        XCTAssertEqual(Set(files.map(\.classIndex)), [0, 1, 2])
        for f in files {
            XCTAssertTrue(f.file.hasPrefix(MnValence(classIndex: f.classIndex)!.filePrefix))
            let range = f.thicknessClass == "thin" ? 0.3...0.5 : 0.7...1.0
            XCTAssertTrue(range.contains(f.thicknessStart) && range.contains(f.thicknessEnd), "\(f)")
            XCTAssertLessThanOrEqual(Swift.abs(f.driftEnd - f.driftStart), 1.5 + 1e-9)
            XCTAssertGreaterThanOrEqual(Swift.abs(f.driftEnd - f.driftStart), 0.75 - 1e-9)
        }
        XCTAssertEqual(files.filter { $0.thicknessClass == "thick" }.count, 6)
        XCTAssertGreaterThanOrEqual(Set(files.map { "\($0.rows)x\($0.columns)" }).count, 3)
        for item in experiment.items {
            XCTAssertEqual(item.simulated.drift.first!, item.truth.driftStart, accuracy: 1e-12)
            XCTAssertEqual(item.simulated.drift.last!, item.truth.driftEnd, accuracy: 1e-12)
            XCTAssertEqual(item.simulated.image.energy, MnValence.defaultAxis)
        }
        let again = try simulateMnExperiment(seed: 5)
        XCTAssertEqual(again.items[7].simulated.image.data, experiment.items[7].simulated.image.data)
        XCTAssertNotEqual(try simulateMnExperiment(seed: 6).items[7].simulated.image.data,
                          experiment.items[7].simulated.image.data)
        XCTAssertThrowsError(try simulateMnExperiment(scale: 0))
    }

    func testClassesDifferMoreThanTheNoiseAfterAveraging() throws {
        // A 30-pixel average separates neighbouring classes in the L3 region far beyond the shot noise.
        let sim = try CoreLossSimulator.manganese()
        let axis = sim.outputAxis
        let window = axis.index(of: 636)...axis.index(of: 660)
        let means = try (0..<3).map { try sim.expectedCounts(classIndex: $0, thickness: 0.4) }
        for (a, b) in [(0, 1), (1, 2)] {
            var d2 = 0.0
            for k in window { d2 += (means[a][k] - means[b][k]) * (means[a][k] - means[b][k]) / (means[a][k] / 30) }
            XCTAssertGreaterThan(d2.squareRoot(), 10, "classes \(a) and \(b)")
        }
    }
}
