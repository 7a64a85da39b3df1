import Foundation
import XCTest
import EELS

/// Per-pixel energy-drift alignment on simulated Mn L2,3 data with a known drift, and dark-reference subtraction.
final class DriftAlignmentTests: XCTestCase {
    private func simulated(seed: UInt64, classIndex: Int = 1, drift: Double = 1.5, start: Double = -0.4,
                           rows: Int = 8, columns: Int = 12) throws -> SimulatedCoreLossImage {
        let sim = try CoreLossSimulator.manganese()
        var spec = CoreLossImageSpec(classIndex: classIndex, classCount: 3, thickness: 0.35...0.45, seed: seed)
        spec.rows = rows
        spec.columns = columns
        spec.driftStart = start
        spec.driftAcrossScan = drift
        return try simulateCoreLossImage(spec, with: sim)
    }

    private func rms(_ a: [Double]) -> Double { (a.map { $0 * $0 }.reduce(0, +) / Double(a.count)).squareRoot() }
    private func spread(_ a: [Double]) -> Double {
        let m = a.reduce(0, +) / Double(a.count)
        return rms(a.map { $0 - m })
    }

    func testNoiselessDriftIsRecoveredToAFewHundredthsOfAChannel() throws {
        let sim = try simulated(seed: 1)
        let truth = sim.drift, mean = truth.reduce(0, +) / Double(truth.count)
        let result = try sim.expectedImage.alignDrift(to: .mean)
        let errors = zip(result.shifts.data, truth).map { Double($0) - ($1 - mean) }
        XCTAssertLessThan(errors.map(Swift.abs).max()!, 0.1 * 0.2, "max error under 0.1 channel (0.2 eV/ch)")
        XCTAssertEqual(result.shifts.rows, 8)
        XCTAssertEqual(result.shifts.columns, 12)
        XCTAssertEqual(result.shifts.metadata["units"], "eV")
        // Against the undrifted truth as an explicit reference the shifts are absolute.
        let reference = try CoreLossSimulator.manganese().expectedCounts(classIndex: 1, thickness: 0.4)
        let absolute = try sim.expectedImage.alignDrift(
            to: .reference(Spectrum(values: reference.map(Float.init), energy: sim.image.energy)))
        let absoluteErrors = zip(absolute.shifts.data, truth).map { Double($0) - $1 }
        XCTAssertLessThan(absoluteErrors.map(Swift.abs).max()!, 0.15 * 0.2)
    }

    /// The Cramér-Rao bound of a shift estimated from one Poisson pixel of `simulator`'s class over 630-668 eV:
    /// no unbiased estimator does better, even knowing the shape and background.
    private func shiftBound(_ simulator: CoreLossSimulator, classIndex: Int) throws -> Double {
        let h = 0.01, axis = simulator.outputAxis
        let up = try simulator.expectedCounts(classIndex: classIndex, thickness: 0.4, shift: h)
        let down = try simulator.expectedCounts(classIndex: classIndex, thickness: 0.4, shift: -h)
        let mean = try simulator.expectedCounts(classIndex: classIndex, thickness: 0.4)
        var fisher = 0.0
        for k in axis.index(of: 630)...axis.index(of: 668) {
            let d = (up[k] - down[k]) / (2 * h)
            fisher += d * d / mean[k]
        }
        return 1 / fisher.squareRoot()
    }

    func testNoisyPixelsReachTheCramerRaoBoundAndAFractionOfAChannelAtHigherDose() throws {
        for (dose, seed) in [(1.0, UInt64(2)), (16.0, 12)] {
            // dose 16: the counts of 16 frames (25 FPS instead of 400 FPS).
            var physics = CoreLossPhysics.manganeseOxide
            physics.backgroundCountsPerEV *= dose
            let simulator = try CoreLossSimulator.manganese(physics: physics, stepHeight: 20 * dose)
            for classIndex in 0..<3 {
                var spec = CoreLossImageSpec(classIndex: classIndex, classCount: 3, thickness: 0.35...0.45,
                                             seed: seed + UInt64(classIndex))
                spec.rows = 8
                spec.columns = 12
                spec.driftStart = -0.4
                spec.driftAcrossScan = 1.5
                let sim = try simulateCoreLossImage(spec, with: simulator)
                let truth = sim.drift, mean = truth.reduce(0, +) / Double(truth.count)
                var options = DriftAlignmentOptions()
                options.window = 630...668
                let result = try sim.image.alignDrift(to: .mean, options: options)
                let errors = zip(result.shifts.data, truth).map { Double($0) - ($1 - mean) }
                let channel = sim.image.energy.scale, bound = try shiftBound(simulator, classIndex: classIndex)
                print("dose \(dose), class \(classIndex): rms drift error \(String(format: "%.3f", rms(errors))) eV "
                    + "(\(String(format: "%.2f", rms(errors) / channel)) channels); Cramér-Rao bound "
                    + String(format: "%.3f", bound) + " eV")
                XCTAssertLessThan(rms(errors), 1.3 * bound, "dose \(dose), class \(classIndex): near the bound")
                if dose > 1 {
                    XCTAssertLessThan(rms(errors), 0.25 * channel, "class \(classIndex): a quarter of a channel")
                }
            }
        }
    }

    func testAlignmentReducesTheSpreadOfTheEdgeOnset() throws {
        let sim = try simulated(seed: 5, classIndex: 0, drift: 1.5, start: 0)
        let onset = DriftReference.edgeOnset(window: 634...646, background: 605...632)
        var smooth = DriftAlignmentOptions()
        smooth.smoothing = 0.6
        let before = try sim.image.alignDrift(to: onset, options: smooth).shifts.data.map(Double.init)
        let aligned = try sim.image.alignDrift(to: .mean).image
        let after = try aligned.alignDrift(to: onset, options: smooth).shifts.data.map(Double.init)
        print("onset spread before \(String(format: "%.3f", spread(before))) eV, after "
            + String(format: "%.3f", spread(after)))
        XCTAssertGreaterThan(spread(before), 0.3, "the drift moves the onset")
        XCTAssertLessThan(spread(after), spread(before) / 2.5)
        // The onset criterion itself tracks the truth (noiseless data).
        let truthOnsets = try sim.expectedImage.alignDrift(to: onset).shifts.data.map(Double.init)
        let mean = sim.drift.reduce(0, +) / Double(sim.drift.count)
        let centred = truthOnsets.map { $0 - truthOnsets.reduce(0, +) / Double(truthOnsets.count) }
        let errors = zip(centred, sim.drift).map { $0 - ($1 - mean) }
        XCTAssertLessThan(errors.map(Swift.abs).max()!, 0.05)
        let steepest = try sim.expectedImage.alignDrift(to: .steepestRise(window: 634...646)).shifts.data
        let steepestCentred = steepest.map { Double($0) - steepest.map(Double.init).reduce(0, +) / Double(steepest.count) }
        XCTAssertLessThan(zip(steepestCentred, sim.drift).map { Swift.abs($0 - ($1 - mean)) }.max()!, 0.05)
    }

    func testSpectrumEdgeOnsetFollowsTheChemicalShift() throws {
        let sim = try CoreLossSimulator.manganese()
        var onsets: [Double] = []
        for valence in MnValence.allCases {
            let counts = try sim.expectedCounts(classIndex: valence.classIndex, thickness: 0.4)
            let spectrum = Spectrum(values: counts.map(Float.init), energy: sim.outputAxis)
            onsets.append(try spectrum.edgeOnset(window: 634...648, background: 605...632))
            let moved = try sim.expectedCounts(classIndex: valence.classIndex, thickness: 0.4, shift: 0.7)
            let movedOnset = try Spectrum(values: moved.map(Float.init), energy: sim.outputAxis)
                .edgeOnset(window: 634...648, background: 605...632)
            XCTAssertEqual(movedOnset - onsets.last!, 0.7, accuracy: 0.02, valence.label)
        }
        print("L3 onsets (50 % of the maximum): " + onsets.map { String(format: "%.2f", $0) }.joined(separator: ", "))
        XCTAssertTrue(onsets[0] < onsets[1] && onsets[1] < onsets[2], "\(onsets)")
        XCTAssertEqual(onsets[0], 639.5, accuracy: 0.6)
        XCTAssertThrowsError(try Spectrum(values: [1, 2, 3, 4, 5], energy: UniformAxis(offset: 600, scale: 1, size: 5))
            .edgeOnset(window: 700...710, background: 600...602))
    }

    func testShiftedUndoesAlignmentAndBadInputsAreClearErrors() throws {
        let sim = try simulated(seed: 6, rows: 2, columns: 3)
        let truth = sim.drift
        let undrifted = sim.expectedImage.shifted(by: truth)
        let redrifted = undrifted.shifted(by: truth.map { -$0 })
        // Interior channels come back within interpolation error.
        let k = sim.image.energy.index(of: 645)
        XCTAssertEqual(redrifted.data[k], sim.expected[k], accuracy: 0.05 * sim.expected[k])
        let wrong = Spectrum(values: [1, 2, 3], energy: UniformAxis(offset: 0, scale: 1, size: 3))
        XCTAssertThrowsError(try sim.image.alignDrift(to: .reference(wrong))) { error in
            guard case EELSError.shape(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("3 channels") && message.contains("512"), message)
        }
        XCTAssertThrowsError(try sim.image.alignDrift(to: .edgeOnset(window: 634...646, background: 605...632,
                                                                     fraction: 1.5)))
        var options = DriftAlignmentOptions()
        options.window = 800...900
        XCTAssertThrowsError(try sim.image.alignDrift(options: options)) { error in
            XCTAssertTrue("\(error)".contains("800"), "\(error)")
        }
    }

    func testDarkReferenceSubtraction() throws {
        var options = MnExperimentOptions()
        options.darkLevel = 5
        options.filesPerClass = 1
        let experiment = try simulateMnExperiment(seed: 3, scale: 0.5, options: options)
        let dark = try XCTUnwrap(experiment.darkReference)
        let item = experiment.items[0]
        let clean = try item.simulated.image.subtractingDark(dark)
        // Dark-subtracted counts scatter around the noiseless truth; with the dark left in they sit 5 above.
        let n = Double(clean.data.count)
        let residual = zip(clean.data, item.simulated.expected).map { Double($0 - $1) }.reduce(0, +) / n
        let withDark = zip(item.simulated.image.data, item.simulated.expected).map { Double($0 - $1) }.reduce(0, +) / n
        XCTAssertEqual(residual, 0, accuracy: 0.1)
        XCTAssertEqual(withDark, 5, accuracy: 0.2)
        // A dark SI's mean works the same way; clamping removes negatives.
        let darkSI = SpectrumImage(rows: 2, columns: 2, energy: dark.energy,
                                   data: (0..<4).flatMap { _ in dark.values })
        XCTAssertEqual(try item.simulated.image.subtractingDark(darkSI).data, clean.data)
        let clamped = try item.simulated.image.subtractingDark(dark, clampAtZero: true)
        XCTAssertTrue(clamped.data.allSatisfy { $0 >= 0 })
        let spectrum = try item.simulated.image[0, 0].subtractingDark(dark)
        XCTAssertEqual(spectrum.values, clean[0, 0].values)
        // Shape mismatch: a clear EELSError naming both channel counts.
        let short = Spectrum(values: [1, 2], energy: UniformAxis(offset: 0, scale: 1, size: 2))
        XCTAssertThrowsError(try item.simulated.image.subtractingDark(short)) { error in
            guard case EELSError.shape(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("2 channels") && message.contains("512"), message)
        }
        XCTAssertThrowsError(try item.simulated.image[0, 0].subtractingDark(short))
        let wrongSI = SpectrumImage(rows: 1, columns: 1, energy: UniformAxis(offset: 0, scale: 1, size: 7))
        XCTAssertThrowsError(try item.simulated.image.subtractingDark(wrongSI)) { error in
            XCTAssertTrue("\(error)".contains("7 channels"), "\(error)")
        }
    }
}
