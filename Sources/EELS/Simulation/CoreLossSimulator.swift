import Foundation

/// The specimen and instrument physics shared by every class of a simulated core-loss experiment, for any edge.
/// The O K simulator's model (simulator-parameters.md §7) with the edge-specific numbers made parameters.
///
///     var physics = CoreLossPhysics.manganeseOxide
///     physics.backgroundExponent = 3.5
public struct CoreLossPhysics: Sendable, Equatable, Codable {
    /// Drude plasmon energy Ep and damping Γ, eV.
    public var plasmonEnergy: Double
    public var plasmonWidth: Double
    /// Collection semi-angle β, rad.
    public var collectionAngle: Double = 0.024
    /// γ m0 v² of the beam, eV (343.6 keV at 200 kV).
    public var beamEnergyFactor: Double = 343_600
    /// Power-law exponent r of the background A E^-r.
    public var backgroundExponent: Double
    /// The background density at `backgroundReferenceEnergy`, counts per eV per pixel at the templates'
    /// reference thickness (single scattering, before the plural-scattering kernel).
    public var backgroundCountsPerEV: Double
    /// Where `backgroundCountsPerEV` holds, eV (just below the edge).
    public var backgroundReferenceEnergy: Double
    /// κ: the strength of the edge's plural-scattering redistribution (1 = Poisson physics).
    public var pluralStrength: Double = 1
    /// Multiplies the templates' heights (the edge's counts) without touching the background.
    public var edgeScale: Double = 1
    /// Gaussian read noise σ per channel, counts (0 = counting detector).
    public var readNoise: Double = 0

    public init(plasmonEnergy: Double, plasmonWidth: Double, backgroundExponent: Double,
                backgroundCountsPerEV: Double, backgroundReferenceEnergy: Double) {
        self.plasmonEnergy = plasmonEnergy
        self.plasmonWidth = plasmonWidth
        self.backgroundExponent = backgroundExponent
        self.backgroundCountsPerEV = backgroundCountsPerEV
        self.backgroundReferenceEnergy = backgroundReferenceEnergy
    }

    /// Checks every parameter's range and names the first one out of it.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw EELSError.value("CoreLossPhysics: \(message)") }
        }
        try require(plasmonEnergy > 1 && plasmonEnergy < 100, "plasmonEnergy \(plasmonEnergy) eV is outside 1-100 eV")
        try require(plasmonWidth > 0 && plasmonWidth < 100, "plasmonWidth \(plasmonWidth) eV is outside 0-100 eV")
        try require(collectionAngle > 0 && collectionAngle < 1, "collectionAngle \(collectionAngle) rad is outside 0-1")
        try require(beamEnergyFactor > 1000, "beamEnergyFactor \(beamEnergyFactor) eV must exceed 1 keV")
        try require(backgroundExponent >= 0 && backgroundExponent < 10,
                    "backgroundExponent \(backgroundExponent) is outside 0-10")
        try require(backgroundCountsPerEV >= 0 && backgroundCountsPerEV.isFinite,
                    "backgroundCountsPerEV \(backgroundCountsPerEV) must be >= 0")
        try require(backgroundReferenceEnergy > 0, "backgroundReferenceEnergy must be > 0 eV")
        try require(pluralStrength >= 0 && pluralStrength <= 2, "pluralStrength \(pluralStrength) is outside 0-2")
        try require(edgeScale >= 0 && edgeScale.isFinite, "edgeScale \(edgeScale) must be >= 0")
        try require(readNoise >= 0 && readNoise.isFinite, "readNoise \(readNoise) must be >= 0")
    }
}

/// Expected (noise-free) and counted spectra of any core-loss edge with k classes (one `CoreEdgeTemplate` each), on
/// any energy axis: the O K simulator's physics (Egerton [L8] ch. 4; simulator-parameters.md §7) made general.
///
/// On an internal grid (0.05 eV, from 150 eV below the output axis, zero-padded to twice its length):
/// - edge: `a(τ) F⁻¹{T̂ exp(κΔ Ŝ)}`, Δ = τ - τ_ref, a(τ) = τe^-τ / (τ_ref e^-τ_ref), clipped at 0;
/// - background: `B (τ/τ_ref) (E/E_ref)^-r ⊛ K_τ` with the Poisson plural kernel K_τ = F⁻¹{exp[τ(Ŝ - 1)]};
/// - Ŝ the transform of the Drude single-scattering distribution (`SimulationPhysics.drudeLowLoss`);
/// - a drift δ moves the whole spectrum: N(E) ← N(E - δ); counts per channel = density x dispersion.
///
///     let sim = try CoreLossSimulator(templates: MnValence.allCases.map { $0.template() },
///                                     physics: .manganeseOxide, outputAxis: MnValence.defaultAxis)
///     let mean = try sim.expectedCounts(classIndex: 0, thickness: 0.4, shift: 0.5)
///     var rng = SeededGenerator(seed: 1)
///     let pixel = try sim.countedSpectrum(classIndex: 2, thickness: 0.8, using: &rng)
public struct CoreLossSimulator: Sendable {
    public let templates: [CoreEdgeTemplate]
    public let physics: CoreLossPhysics
    /// The axis of every returned spectrum.
    public let outputAxis: UniformAxis

    static let gridSpacing = 0.05
    let gridStart: Double
    let gridCount: Int
    private let fft: FourierTransform
    private let lowLoss: ([Double], [Double])
    private let templateTransforms: [([Double], [Double])]
    private let background: ([Double], [Double])

    /// A simulator of `templates.count` classes on `outputAxis` (which must start above 160 eV).
    /// - Throws: `EELSError.value` naming a template or parameter out of range, or an unusable axis.
    public init(templates: [CoreEdgeTemplate], physics: CoreLossPhysics, outputAxis: UniformAxis) throws {
        try physics.validate()
        guard !templates.isEmpty else { throw EELSError.value("CoreLossSimulator: at least one class template needed") }
        for (k, t) in templates.enumerated() { try t.validate("template of class \(k)") }
        guard outputAxis.size > 1, outputAxis.scale > 0, outputAxis.offset > 160,
              outputAxis.end - outputAxis.offset < 2000 else {
            throw EELSError.value("CoreLossSimulator: output axis \(outputAxis.offset)-\(outputAxis.end) eV "
                + "(\(outputAxis.size) channels) must be increasing, start above 160 eV and span less than 2 keV")
        }
        self.templates = templates
        self.physics = physics
        self.outputAxis = outputAxis
        let start = outputAxis.offset - 150
        let count = Int(((outputAxis.end + 10 - start) / Self.gridSpacing).rounded(.up)) + 1
        gridStart = start
        gridCount = count
        let fft = FourierTransform(length: FourierTransform.paddedLength(atLeast: 2 * count))
        self.fft = fft
        let energies = (0..<count).map { start + Double($0) * Self.gridSpacing }
        func transform(_ values: [Double]) -> ([Double], [Double]) {
            var re = values + [Double](repeating: 0, count: fft.length - values.count)
            var im = [Double](repeating: 0, count: fft.length)
            fft.forward(&re, &im)
            return (re, im)
        }
        lowLoss = transform(SimulationPhysics.drudeLowLoss(
            plasmonEnergy: physics.plasmonEnergy, plasmonWidth: physics.plasmonWidth,
            collectionAngle: physics.collectionAngle, beamEnergyFactor: physics.beamEnergyFactor,
            spacing: Self.gridSpacing, count: count))
        templateTransforms = templates.map { t in transform(energies.map { physics.edgeScale * t.value(at: $0) }) }
        let reference = physics.backgroundReferenceEnergy
        background = transform(energies.map { physics.backgroundCountsPerEV * pow($0 / reference,
                                                                                    -physics.backgroundExponent) })
    }

    /// The number of classes.
    public var classCount: Int { templates.count }

    /// Edge and background densities (counts per eV) of class `k` at thickness τ on the internal grid.
    func gridComponents(classIndex k: Int, thickness tau: Double) -> (edge: [Double], background: [Double]) {
        let (sRe, sIm) = lowLoss
        let (tRe, tIm) = templateTransforms[k]
        let tRef = templates[k].referenceThickness
        let kappaDelta = physics.pluralStrength * (tau - tRef)
        let edgeAmplitude = tau * exp(-tau) / (tRef * exp(-tRef))
        let backgroundAmplitude = tau / tRef
        let count = fft.length
        var eRe = [Double](repeating: 0, count: count), eIm = eRe, bRe = eRe, bIm = eRe
        for i in 0..<count {
            let m1 = exp(kappaDelta * sRe[i]) * edgeAmplitude, p1 = kappaDelta * sIm[i]
            let kr = m1 * cos(p1), ki = m1 * sin(p1)
            eRe[i] = tRe[i] * kr - tIm[i] * ki
            eIm[i] = tRe[i] * ki + tIm[i] * kr
            let m2 = exp(tau * (sRe[i] - 1)) * backgroundAmplitude, p2 = tau * sIm[i]
            let br = m2 * cos(p2), bi = m2 * sin(p2)
            bRe[i] = background.0[i] * br - background.1[i] * bi
            bIm[i] = background.0[i] * bi + background.1[i] * br
        }
        fft.inverse(&eRe, &eIm)
        fft.inverse(&bRe, &bIm)
        return (Array(eRe[0..<gridCount]).map { Swift.max($0, 0) }, Array(bRe[0..<gridCount]).map { Swift.max($0, 0) })
    }

    /// Writes counts per output channel of a grid density moved up by `shift` eV into `output[start...]`.
    func resample(_ grid: [Double], shift: Double, into output: UnsafeMutableBufferPointer<Float>, start: Int) {
        let last = grid.count - 1, dispersion = outputAxis.scale
        for k in 0..<outputAxis.size {
            let position = (outputAxis.value(at: k) - shift - gridStart) / Self.gridSpacing
            let lower = Swift.min(Swift.max(Int(position.rounded(.down)), 0), last - 1)
            let w = Swift.min(Swift.max(position - Double(lower), 0), 1)
            output[start + k] = Float((grid[lower] * (1 - w) + grid[lower + 1] * w) * dispersion)
        }
    }

    func checkClass(_ k: Int) throws {
        guard templates.indices.contains(k) else {
            throw EELSError.value("class index \(k) is out of range: this simulator has \(classCount) classes (0..<\(classCount))")
        }
    }

    /// Expected counts per channel on `outputAxis` for class `classIndex` at thickness t/λ, moved up by `shift` eV.
    /// - Throws: `EELSError.value` for an unknown class, a thickness outside (0, 3] or a shift beyond ±50 eV.
    public func expectedCounts(classIndex: Int, thickness: Double, shift: Double = 0) throws -> [Double] {
        try checkClass(classIndex)
        try OKEdgeSimulator.checkThickness(thickness)
        try OKEdgeSimulator.checkShift(shift)
        let parts = gridComponents(classIndex: classIndex, thickness: thickness)
        var out = [Float](repeating: 0, count: outputAxis.size)
        out.withUnsafeMutableBufferPointer {
            resample(zip(parts.edge, parts.background).map { $0 + $1 }, shift: shift, into: $0, start: 0)
        }
        return out.map(Double.init)
    }

    /// The expected edge (background-free) and background counts per channel separately, unshifted.
    public func expectedComponents(classIndex: Int, thickness: Double) throws -> (edge: [Double], background: [Double]) {
        try checkClass(classIndex)
        try OKEdgeSimulator.checkThickness(thickness)
        let parts = gridComponents(classIndex: classIndex, thickness: thickness)
        var edge = [Float](repeating: 0, count: outputAxis.size), background = edge
        edge.withUnsafeMutableBufferPointer { resample(parts.edge, shift: 0, into: $0, start: 0) }
        background.withUnsafeMutableBufferPointer { resample(parts.background, shift: 0, into: $0, start: 0) }
        return (edge.map(Double.init), background.map(Double.init))
    }

    /// One pixel: Poisson counts (plus `physics.readNoise` Gaussian noise) around `expectedCounts`.
    public func countedSpectrum(classIndex: Int, thickness: Double, shift: Double = 0,
                                using generator: inout SeededGenerator) throws -> Spectrum {
        let mean = try expectedCounts(classIndex: classIndex, thickness: thickness, shift: shift)
        let values = mean.map { m -> Float in
            var count = generator.nextPoisson(mean: m)
            if physics.readNoise > 0 { count += physics.readNoise * generator.nextGaussian() }
            return Float(count)
        }
        return Spectrum(values: values, energy: outputAxis, metadata: ["class": "\(classIndex)",
                                                                      "thickness": "\(thickness)"])
    }
}
