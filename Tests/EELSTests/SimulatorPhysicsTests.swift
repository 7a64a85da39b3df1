import XCTest
import EELS

/// The single-spectrum physics against the numbers worked out independently in
/// shared/reference/simulator-parameters.md §5.1 and §8.1 (preset A, κ = 1).
final class SimulatorPhysicsTests: XCTestCase {
    private let axis = OKEdgeSimulator.paperRawAxis

    private func value(_ counts: [Double], at energy: Double) -> Double { counts[axis.index(of: energy)] }

    private func mean(_ counts: [Double], _ range: ClosedRange<Double>) -> Double {
        let idx = axis.index(of: range.lowerBound)...axis.index(of: range.upperBound)
        return idx.map { counts[$0] }.reduce(0, +) / Double(idx.count)
    }

    func testDoseCalibrationGivesFifteenCountsAtTheEdgeFor08MFP() throws {
        let sim = try OKEdgeSimulator()
        let counts = try sim.expectedCounts(state: .initial, thickness: 0.8)
        XCTAssertEqual(mean(counts, 536...546), 15.0, accuracy: 0.05)
        // The reference derived A = 13.01 counts per channel per unit τ with the same recipe.
        XCTAssertEqual(sim.backgroundAmplitude, 13.01, accuracy: 0.4)
    }

    func testExpectedCountsMatchTheReferenceTable() throws {
        let sim = try OKEdgeSimulator()
        // (state, τ, 531 eV, 540 eV, 555 eV) from §8.1; tolerance 4 %.
        let rows: [(OxidationState, Double, Double, Double, Double)] = [
            (.initial, 0.7, 12.96, 13.72, 11.75), (.initial, 1.3, 24.46, 24.67, 22.25),
            (.annealed, 0.7, 12.59, 12.75, 11.35), (.annealed, 1.3, 23.85, 23.46, 21.70),
        ]
        for (state, tau, at531, at540, at555) in rows {
            let counts = try sim.expectedCounts(state: state, thickness: tau)
            XCTAssertEqual(value(counts, at: 531), at531, accuracy: 0.04 * at531, "\(state) \(tau) 531 eV")
            XCTAssertEqual(value(counts, at: 540), at540, accuracy: 0.04 * at540, "\(state) \(tau) 540 eV")
            XCTAssertEqual(value(counts, at: 555), at555, accuracy: 0.04 * at555, "\(state) \(tau) 555 eV")
        }
    }
}

/// State contrast, thickness dependence and parameter checks of the single-spectrum model.
final class SimulatorContrastTests: XCTestCase {
    private let axis = OKEdgeSimulator.paperRawAxis

    private func sum(_ values: [Double], _ range: ClosedRange<Double>) -> Double {
        (axis.index(of: range.lowerBound)...axis.index(of: range.upperBound)).map { values[$0] }.reduce(0, +)
    }

    /// The energy where `values` first reaches half of its maximum over `range` (linear interpolation).
    private func halfRise(_ values: [Double], in range: ClosedRange<Double>) -> Double {
        let idx = Array(axis.index(of: range.lowerBound)...axis.index(of: range.upperBound))
        let top = idx.map { values[$0] }.max()!, base = values[idx[0]], half = base + (top - base) / 2
        for (a, b) in zip(idx, idx.dropFirst()) where values[a] < half && values[b] >= half {
            return axis.value(at: a) + axis.scale * (half - values[a]) / (values[b] - values[a])
        }
        return .nan
    }

    func testPrePeakIsWeakerAndMainEdgeLowerInTheAnnealedState() throws {
        let sim = try OKEdgeSimulator()
        for tau in [0.7, 1.3] {
            let initial = try sim.expectedComponents(state: .initial, thickness: tau).edge
            let annealed = try sim.expectedComponents(state: .annealed, thickness: tau).edge
            // Pre-peak area from 528.5 eV to the dip after it: the reference finds annealed/initial ≈ 0.68
            // (digitised Fig. 7B: 0.66).
            func dip(_ v: [Double]) -> Double {
                let idx = axis.index(of: 532.5)...axis.index(of: 536)
                return axis.value(at: idx.min { v[$0] < v[$1] }!)
            }
            let ratio = sum(annealed, 528.5...dip(annealed)) / sum(initial, 528.5...dip(initial))
            XCTAssertEqual(ratio, 0.70, accuracy: 0.08, "pre-peak area ratio at t/λ = \(tau)")
            // The B/C doublet at 539/545 eV exists only in SrFeO3: a dip at 542 eV below both peaks.
            XCTAssertLessThan(initial[axis.index(of: 542)], initial[axis.index(of: 545)])
            XCTAssertGreaterThan(annealed[axis.index(of: 541)], annealed[axis.index(of: 545)])
        }
        // The main-edge rise (534-540 eV) is ≈1.75 eV lower in SrFeO2.5 (§8.2: 537.31 -> 535.56 eV).
        let initial = try sim.expectedComponents(state: .initial, thickness: 0.7).edge
        let annealed = try sim.expectedComponents(state: .annealed, thickness: 0.7).edge
        let difference = halfRise(initial, in: 534.5...539.5) - halfRise(annealed, in: 533.5...537.5)
        XCTAssertEqual(difference, 1.75, accuracy: 0.6)
    }

    func testThickerSamplesHaveMoreBackgroundAndALowerJumpRatio() throws {
        let sim = try OKEdgeSimulator()
        let thin = try sim.expectedComponents(state: .initial, thickness: 0.7)
        let thick = try sim.expectedComponents(state: .initial, thickness: 1.3)
        let at510 = axis.index(of: 510), at540 = axis.index(of: 540)
        // The background grows about like τ at fixed dose (Poisson plural scattering).
        XCTAssertEqual(thick.background[at510] / thin.background[at510], 1.3 / 0.7, accuracy: 0.25)
        // The edge intensity goes like τ e^-τ: nearly flat between 0.7 and 1.3.
        XCTAssertEqual(thick.edge[at540] / thin.edge[at540], 1.0, accuracy: 0.12)
        let jumpThin = (thin.edge[at540] + thin.background[at540]) / thin.background[at540]
        let jumpThick = (thick.edge[at540] + thick.background[at540]) / thick.background[at540]
        XCTAssertEqual(jumpThin, 1.39, accuracy: 0.05)
        XCTAssertEqual(jumpThick, 1.19, accuracy: 0.05)
        // Plural scattering moves edge intensity up by a plasmon: more at 565 eV relative to 540 eV when thick.
        XCTAssertGreaterThan(thick.edge[axis.index(of: 565)] / thick.edge[at540],
                             1.1 * thin.edge[axis.index(of: 565)] / thin.edge[at540])
    }

    func testWeakerPluralStrengthKeepsThickEdgesCloserToTheTemplate() throws {
        var physics = SimulationPhysics()
        physics.pluralStrength = 0.15
        let weak = try OKEdgeSimulator(physics: physics).expectedComponents(state: .initial, thickness: 1.3).edge
        let full = try OKEdgeSimulator().expectedComponents(state: .initial, thickness: 1.3).edge
        XCTAssertLessThan(weak[axis.index(of: 570)], full[axis.index(of: 570)])
    }

    func testEnergyShiftMovesTheWholeSpectrum() throws {
        let sim = try OKEdgeSimulator()
        let unshifted = try sim.expectedCounts(state: .annealed, thickness: 0.9)
        let shifted = try sim.expectedCounts(state: .annealed, thickness: 0.9, shift: 1.5)
        for energy in [500.0, 531.0, 545.0] {
            XCTAssertEqual(shifted[axis.index(of: energy + 1.5)], unshifted[axis.index(of: energy)], accuracy: 1e-6)
        }
    }

    func testMixtureIsTheWeightedSumOfTheStates() throws {
        let sim = try OKEdgeSimulator()
        let a = try sim.expectedCounts(state: .initial, thickness: 1)
        let b = try sim.expectedCounts(state: .annealed, thickness: 1)
        let mix = try sim.expectedCounts(annealedFraction: 0.25, thickness: 1)
        for k in stride(from: 0, to: a.count, by: 97) { XCTAssertEqual(mix[k], 0.75 * a[k] + 0.25 * b[k], accuracy: 1e-9) }
    }

    func testBadParametersAreRejectedWithTheirName() throws {
        let sim = try OKEdgeSimulator()
        XCTAssertThrowsError(try sim.expectedCounts(state: .initial, thickness: -1)) {
            XCTAssertTrue("\($0)".contains("thickness"), "\($0)")
        }
        XCTAssertThrowsError(try sim.expectedCounts(annealedFraction: 1.5, thickness: 1)) {
            XCTAssertTrue("\($0)".contains("annealedFraction"), "\($0)")
        }
        var physics = SimulationPhysics()
        physics.backgroundExponent = -2
        XCTAssertThrowsError(try OKEdgeSimulator(physics: physics)) {
            XCTAssertTrue("\($0)".contains("backgroundExponent"), "\($0)")
        }
        physics = SimulationPhysics()
        physics.edgeCountsAt08MFP = 2
        XCTAssertThrowsError(try OKEdgeSimulator(physics: physics)) {
            XCTAssertTrue("\($0)".contains("edgeCountsAt08MFP"), "\($0)")
        }
        XCTAssertThrowsError(try OKEdgeSimulator(outputAxis: UniformAxis(offset: 100, scale: 0.125, size: 10)))
    }
}
