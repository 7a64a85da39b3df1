import Foundation

/// Expected (noise-free) and counted O K-edge spectra of SrFeO3 / SrFeO2.5 at a given thickness and energy shift.
///
/// The model (simulator-parameters.md §4, §7; Egerton [L8] ch. 4), on an internal 300-700 eV grid at 0.125 eV:
/// - edge: `a(τ) F⁻¹{T̂ exp(κΔ Ŝ)}`, Δ = τ - τ_ref, a(τ) = τe^-τ / (τ_ref e^-τ_ref), clipped at 0, where T is the
///   state's template at τ_ref = 0.7 and Ŝ the Fourier transform of the Drude single-scattering distribution
///   (κ = 1 is exactly `(τ/τ_ref) T ⊛ K_Δ` with the Poisson plural kernel K_Δ = F⁻¹{exp[Δ(Ŝ - 1)]});
/// - background: `A τ (E/530)^-r ⊛ K_τ` (zero-loss δ plus the Poisson-weighted plasmon series), with A set so that
///   the initial state at τ = 0.8 has `edgeCountsAt08MFP` counts per 0.125 eV channel over 536-546 eV;
/// - optional extra Gaussian resolution; the descan shift δ moves the whole spectrum: N(E) ← N(E - δ).
/// Counts are per raw 0.125 eV channel per 2.5 ms (400 FPS) pixel.
///
///     let sim = try OKEdgeSimulator()
///     let mean = try sim.expectedCounts(state: .initial, thickness: 0.8)   // 1120 channels, 440-580 eV
///     var rng = SeededGenerator(seed: 1)
///     let pixel = try sim.countedSpectrum(state: .annealed, thickness: 1.2, shift: 0.7, using: &rng)
public struct OKEdgeSimulator: Sendable {
    /// The raw detector axis the paper loads: 440-580 eV at 0.125 eV/channel (1120 channels).
    public static let paperRawAxis = UniformAxis(offset: 440, scale: 0.125, size: 1120)

    public let physics: SimulationPhysics
    /// The axis of every returned spectrum.
    public let outputAxis: UniformAxis
    /// A in `A τ (E/530 eV)^-r`: background counts per 0.125 eV channel per unit τ at 530 eV (before plural
    /// scattering), derived from `physics.edgeCountsAt08MFP` (≈13.0 for the defaults, simulator-parameters.md §5.1).
    public private(set) var backgroundAmplitude: Double

    static let gridStart = 300.0
    static let gridSpacing = 0.125
    static let gridCount = 3201
    private let fft: FourierTransform
    /// Fourier transforms (re, im) of the low-loss distribution, template and unit background, per state.
    private let lowLoss: [OxidationState: ([Double], [Double])]
    private let template: [OxidationState: ([Double], [Double])]
    private let background: ([Double], [Double])
    private let resolution: [Double]

    /// A simulator for `physics` producing spectra on `outputAxis`, which must lie within 400-690 eV.
    /// - Throws: `EELSError.value` naming a parameter out of range, or an axis outside the simulated grid.
    public init(physics: SimulationPhysics = SimulationPhysics(),
                outputAxis: UniformAxis = OKEdgeSimulator.paperRawAxis) throws {
        try physics.validate()
        guard outputAxis.size > 0, outputAxis.scale > 0, outputAxis.offset >= 400, outputAxis.end <= 690 else {
            throw EELSError.value("OKEdgeSimulator: output axis \(outputAxis.offset)-\(outputAxis.end) eV "
                + "(\(outputAxis.size) channels) must be a non-empty increasing axis within 400-690 eV")
        }
        self.physics = physics
        self.outputAxis = outputAxis
        let n = Self.gridCount
        let fft = FourierTransform(length: FourierTransform.paddedLength(atLeast: 2 * n))
        self.fft = fft
        let energies = (0..<n).map { Self.gridStart + Double($0) * Self.gridSpacing }
        func transform(_ values: [Double]) -> ([Double], [Double]) {
            var re = values + [Double](repeating: 0, count: fft.length - values.count)
            var im = [Double](repeating: 0, count: fft.length)
            fft.forward(&re, &im)
            return (re, im)
        }
        var lowLoss: [OxidationState: ([Double], [Double])] = [:]
        var template: [OxidationState: ([Double], [Double])] = [:]
        for state in OxidationState.allCases {
            lowLoss[state] = transform(physics.lowLossDistribution(state: state, spacing: Self.gridSpacing, count: n))
            let t = physics.template(state)
            template[state] = transform(energies.map { physics.edgeScale * t.value(at: $0) })
        }
        self.lowLoss = lowLoss
        self.template = template
        background = transform(energies.map { pow($0 / 530, -physics.backgroundExponent) })
        let sigma = physics.extraResolutionFWHM / (8 * M_LN2).squareRoot()
        resolution = (0..<fft.length).map { k in
            let frequency = Double(k <= fft.length / 2 ? k : k - fft.length) / (Double(fft.length) * Self.gridSpacing)
            return exp(-2 * Double.pi * Double.pi * sigma * sigma * frequency * frequency)
        }
        backgroundAmplitude = 1
        // Dose calibration: A = (target - edge) / background-per-unit-A, both averaged over 536-546 eV at τ = 0.8.
        let window = (Int(((536 - Self.gridStart) / Self.gridSpacing).rounded()))
            ... (Int(((546 - Self.gridStart) / Self.gridSpacing).rounded()))
        let parts = gridComponents(state: .initial, thickness: 0.8)
        let edgeMean = window.map { parts.edge[$0] }.reduce(0, +) / Double(window.count)
        let unitBackground = window.map { parts.background[$0] }.reduce(0, +) / Double(window.count)
        let amplitude = (physics.edgeCountsAt08MFP - edgeMean) / unitBackground
        guard amplitude > 0, amplitude.isFinite else {
            throw EELSError.value("SimulationPhysics: edgeCountsAt08MFP \(physics.edgeCountsAt08MFP) must exceed the "
                + "edge's own \(String(format: "%.2f", edgeMean)) counts per channel at 536-546 eV")
        }
        backgroundAmplitude = amplitude
    }

    /// Edge and background on the internal grid (background for A = `backgroundAmplitude`).
    func gridComponents(state: OxidationState, thickness tau: Double) -> (edge: [Double], background: [Double]) {
        let (sRe, sIm) = lowLoss[state]!
        let (tRe, tIm) = template[state]!
        let tRef = physics.template(state).referenceThickness
        let kappaDelta = physics.pluralStrength * (tau - tRef)
        let edgeAmplitude = tau * exp(-tau) / (tRef * exp(-tRef))
        let count = fft.length
        var eRe = [Double](repeating: 0, count: count), eIm = eRe
        var bRe = eRe, bIm = eRe
        for k in 0..<count {
            // exp(κΔ Ŝ) for the edge; exp(τ(Ŝ - 1)) for the background.
            let m1 = exp(kappaDelta * sRe[k]) * resolution[k] * edgeAmplitude
            let p1 = kappaDelta * sIm[k]
            let kr = m1 * cos(p1), ki = m1 * sin(p1)
            eRe[k] = tRe[k] * kr - tIm[k] * ki
            eIm[k] = tRe[k] * ki + tIm[k] * kr
            let m2 = exp(tau * (sRe[k] - 1)) * resolution[k] * backgroundAmplitude * tau
            let p2 = tau * sIm[k]
            let br = m2 * cos(p2), bi = m2 * sin(p2)
            bRe[k] = background.0[k] * br - background.1[k] * bi
            bIm[k] = background.0[k] * bi + background.1[k] * br
        }
        fft.inverse(&eRe, &eIm)
        fft.inverse(&bRe, &bIm)
        let n = Self.gridCount
        return (Array(eRe[0..<n]).map { Swift.max($0, 0) }, Array(bRe[0..<n]))
    }

    /// Expected counts on the internal grid for a mixture: (1 - f) initial + f annealed.
    func gridCounts(annealedFraction f: Double, thickness tau: Double) -> [Double] {
        var total = [Double](repeating: 0, count: Self.gridCount)
        for (state, weight) in [(OxidationState.initial, 1 - f), (.annealed, f)] where weight > 0 {
            let parts = gridComponents(state: state, thickness: tau)
            for i in total.indices { total[i] += weight * (parts.edge[i] + parts.background[i]) }
        }
        return total
    }

    /// Resamples grid values onto `outputAxis` with the spectrum moved up by `shift` eV (linear interpolation).
    func resample(_ grid: [Double], shift: Double, into output: inout [Double]) {
        let last = grid.count - 1
        for k in 0..<outputAxis.size {
            let position = (outputAxis.value(at: k) - shift - Self.gridStart) / Self.gridSpacing
            let lower = Swift.min(Swift.max(Int(position.rounded(.down)), 0), last - 1)
            let w = Swift.min(Swift.max(position - Double(lower), 0), 1)
            output[k] = grid[lower] * (1 - w) + grid[lower + 1] * w
        }
    }

    static func checkThickness(_ tau: Double) throws {
        guard tau.isFinite, tau > 0, tau <= 3 else {
            throw EELSError.value("thickness t/λ = \(tau) is outside the simulated range (0, 3] MFP")
        }
    }

    static func checkShift(_ shift: Double) throws {
        guard shift.isFinite, Swift.abs(shift) <= 50 else {
            throw EELSError.value("energy shift \(shift) eV is outside ±50 eV")
        }
    }

    /// Expected counts per 0.125 eV channel on `outputAxis` for a pixel of `state` at thickness t/λ, moved by `shift`.
    /// - Throws: `EELSError.value` for a thickness outside (0, 3] or a shift beyond ±50 eV.
    public func expectedCounts(state: OxidationState, thickness: Double, shift: Double = 0) throws -> [Double] {
        try expectedCounts(annealedFraction: state == .initial ? 0 : 1, thickness: thickness, shift: shift)
    }

    /// Expected counts for a partially annealed pixel, `annealedFraction` f in [0, 1]: (1 - f) SrFeO3 + f SrFeO2.5.
    public func expectedCounts(annealedFraction: Double, thickness: Double, shift: Double = 0) throws -> [Double] {
        try Self.checkThickness(thickness)
        try Self.checkShift(shift)
        guard annealedFraction >= 0, annealedFraction <= 1 else {
            throw EELSError.value("annealedFraction \(annealedFraction) is outside [0, 1]")
        }
        var output = [Double](repeating: 0, count: outputAxis.size)
        resample(gridCounts(annealedFraction: annealedFraction, thickness: thickness), shift: shift, into: &output)
        return output
    }

    /// The expected edge (background-free) and background counts separately, on `outputAxis`, unshifted.
    public func expectedComponents(state: OxidationState, thickness: Double) throws
        -> (edge: [Double], background: [Double]) {
        try Self.checkThickness(thickness)
        let parts = gridComponents(state: state, thickness: thickness)
        var edge = [Double](repeating: 0, count: outputAxis.size), background = edge
        resample(parts.edge, shift: 0, into: &edge)
        resample(parts.background, shift: 0, into: &background)
        return (edge, background)
    }

    /// One 400 FPS pixel: Poisson counts (plus `physics.readNoise` Gaussian noise) around `expectedCounts`.
    public func countedSpectrum(state: OxidationState, thickness: Double, shift: Double = 0,
                                using generator: inout SeededGenerator) throws -> Spectrum {
        let mean = try expectedCounts(state: state, thickness: thickness, shift: shift)
        var values = [Float](repeating: 0, count: mean.count)
        sampleCounts(mean, into: &values, start: 0, using: &generator)
        return Spectrum(values: values, energy: outputAxis, metadata: ["state": state.rawValue,
                                                                      "thickness": "\(thickness)"])
    }

    /// Writes Poisson(mean[k]) (+ read noise) into `values[start + k]`.
    func sampleCounts(_ mean: [Double], into values: inout [Float], start: Int,
                      using generator: inout SeededGenerator) {
        let readNoise = physics.readNoise
        for k in mean.indices {
            var count = generator.nextPoisson(mean: mean[k])
            if readNoise > 0 { count += readNoise * generator.nextGaussian() }
            values[start + k] = Float(count)
        }
    }
}
