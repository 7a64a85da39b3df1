import Foundation

/// The physical parameters of the simulated O K-edge experiment, each with its source.
///
/// Source keys follow shared/reference/simulator-parameters.md: [P] the paper (Pate, Hart & Taheri, Sci. Rep. 11,
/// 2021), [R] the authors' repository, [F] digitised Fig. 7B, [L8] Egerton's EELS textbook (3rd ed.), [A] assumed.
///
///     var physics = SimulationPhysics()
///     physics.pluralStrength = 1      // full Poisson plural scattering of the edge
///     let sim = try OKEdgeSimulator(physics: physics)
public struct SimulationPhysics: Sendable, Equatable, Codable {
    /// Initial-state (SrFeO3) O K ELNES at t/λ = 0.7 [F].
    public var initialTemplate: OKEdgeTemplate = .srFeO3
    /// Annealed-state (SrFeO2.5) O K ELNES at t/λ = 0.7 [F].
    public var annealedTemplate: OKEdgeTemplate = .srFeO25
    /// Drude plasmon energy of SrFeO3, eV: free-electron 26.0-28.7 eV [C], adopted 28.0 [A].
    public var initialPlasmonEnergy: Double = 28.0
    /// Drude plasmon energy of SrFeO2.5, eV: free-electron 23.8-26.5 eV [C], adopted 26.5 [A].
    public var annealedPlasmonEnergy: Double = 26.5
    /// Drude plasmon damping Γ, eV (ABO3 oxides: 10-15 eV) [A].
    public var plasmonWidth: Double = 12.0
    /// Spectrometer collection semi-angle β, rad: 24 mrad [P].
    public var collectionAngle: Double = 0.024
    /// γ m0 v² of the beam, eV: 343.6 keV at 200 kV (JEOL 2100F) [P], [C].
    public var beamEnergyFactor: Double = 343_600
    /// Power-law background exponent r in A E^-r: 3.0 (2.5-3.5; real oxides here fit 2.55) [A], [L8].
    public var backgroundExponent: Double = 3.0
    /// Total counts per raw 0.125 eV channel, mean over 536-546 eV, initial state at t/λ = 0.8, one 400 FPS pixel:
    /// "≈ 15 counts per channel at the O K-edge for 0.8 MFP" [P] (preset A; preset B is 7.5).
    public var edgeCountsAt08MFP: Double = 15.0
    /// Multiplies the ELNES template heights (edge counts) independently of the background [A]; 1 = Fig. 7B.
    public var edgeScale: Double = 1.0
    /// κ: the strength of the edge's plural-scattering redistribution relative to τ_ref (1 = Poisson physics;
    /// 0.1-0.2 reproduces Fig. 7B's thin/thick ground truths, simulator-parameters.md §4) [F], [C].
    public var pluralStrength: Double = 1.0
    /// Extra Gaussian spectrometer broadening, FWHM in eV, on top of the ≈0.9 eV already in the templates [A].
    public var extraResolutionFWHM: Double = 0.0
    /// Gaussian read noise σ per raw channel, counts (K2 counting mode: ≈0.3; default off) [L12].
    public var readNoise: Double = 0.0

    public init() {}

    /// Checks every parameter's range and names the first one out of it.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw EELSError.value("SimulationPhysics: \(message)") }
        }
        try require(initialPlasmonEnergy > 1 && initialPlasmonEnergy < 100,
                    "initialPlasmonEnergy \(initialPlasmonEnergy) eV is outside 1-100 eV")
        try require(annealedPlasmonEnergy > 1 && annealedPlasmonEnergy < 100,
                    "annealedPlasmonEnergy \(annealedPlasmonEnergy) eV is outside 1-100 eV")
        try require(plasmonWidth > 0 && plasmonWidth < 100, "plasmonWidth \(plasmonWidth) eV is outside 0-100 eV")
        try require(collectionAngle > 0 && collectionAngle < 1, "collectionAngle \(collectionAngle) rad is outside 0-1")
        try require(beamEnergyFactor > 1000, "beamEnergyFactor \(beamEnergyFactor) eV must exceed 1 keV")
        try require(backgroundExponent > 0 && backgroundExponent < 10,
                    "backgroundExponent \(backgroundExponent) is outside 0-10")
        try require(edgeScale >= 0 && edgeScale.isFinite, "edgeScale \(edgeScale) must be >= 0")
        try require(pluralStrength >= 0 && pluralStrength <= 2, "pluralStrength \(pluralStrength) is outside 0-2")
        try require(extraResolutionFWHM >= 0 && extraResolutionFWHM < 20,
                    "extraResolutionFWHM \(extraResolutionFWHM) eV is outside 0-20 eV")
        try require(readNoise >= 0 && readNoise.isFinite, "readNoise \(readNoise) must be >= 0")
        for (name, t) in [("initialTemplate", initialTemplate), ("annealedTemplate", annealedTemplate)] {
            try require(t.referenceThickness > 0, "\(name).referenceThickness must be > 0")
            try require(t.stepWidth > 0, "\(name).stepWidth must be > 0")
            try require(t.peaks.allSatisfy { $0.fwhm > 0 && $0.height >= 0 },
                        "\(name) peaks need fwhm > 0 and height >= 0")
        }
    }

    /// The template of a state.
    public func template(_ state: OxidationState) -> OKEdgeTemplate {
        state == .initial ? initialTemplate : annealedTemplate
    }

    /// The plasmon energy of a state, eV.
    public func plasmonEnergy(_ state: OxidationState) -> Double {
        state == .initial ? initialPlasmonEnergy : annealedPlasmonEnergy
    }

    /// The single-scattering low-loss distribution s(ε) per channel (unit sum) on ε = j * spacing, j = 0..<count:
    /// Drude Im(-1/ε) = ε Γ Ep² / ((ε² - Ep²)² + (εΓ)²) times the angular factor ln(1 + β²/θE²),
    /// θE = ε / (γ m0 v²); zero below 0.5 eV (the zero-loss peak is the separate δ term) [L8] ch. 3-4.
    public func lowLossDistribution(state: OxidationState, spacing: Double, count: Int) -> [Double] {
        Self.drudeLowLoss(plasmonEnergy: plasmonEnergy(state), plasmonWidth: plasmonWidth,
                          collectionAngle: collectionAngle, beamEnergyFactor: beamEnergyFactor,
                          spacing: spacing, count: count)
    }

    /// The Drude single-scattering distribution of `lowLossDistribution` for any plasmon energy and width (eV),
    /// collection angle β (rad) and γ m0 v² (eV): unit sum on ε = j * spacing, zero below 0.5 eV [L8] ch. 3-4.
    /// Shared by every simulated edge (O K, Mn L2,3, ...).
    ///
    ///     let s = SimulationPhysics.drudeLowLoss(plasmonEnergy: 24, plasmonWidth: 10, collectionAngle: 0.024,
    ///                                            beamEnergyFactor: 343_600, spacing: 0.05, count: 4096)
    public static func drudeLowLoss(plasmonEnergy ep: Double, plasmonWidth gamma: Double, collectionAngle: Double,
                                    beamEnergyFactor: Double, spacing: Double, count: Int) -> [Double] {
        var s = [Double](repeating: 0, count: count)
        var total = 0.0
        for j in 0..<count {
            let e = Double(j) * spacing
            guard e >= 0.5 else { continue }
            let drude = e * gamma * ep * ep / ((e * e - ep * ep) * (e * e - ep * ep) + (e * gamma) * (e * gamma))
            let thetaE = e / beamEnergyFactor
            let value = drude * log(1 + collectionAngle * collectionAngle / (thetaE * thetaE))
            s[j] = value
            total += value
        }
        return total > 0 ? s.map { $0 / total } : s
    }
}
