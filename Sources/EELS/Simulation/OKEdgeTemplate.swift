import Foundation

/// The two oxidation states of the paper's SrFeO3-δ film.
///
///     let label = OxidationState.annealed.classIndex   // 1
public enum OxidationState: String, CaseIterable, Sendable, Codable {
    /// As grown, SrFeO3-δ (Fe4+): strong, broad pre-peak near 531 eV on the paper's axis, B/C doublet at 539/545 eV.
    case initial
    /// After the ex situ anneal, SrFeO2.5 brownmillerite (Fe3+): weaker, narrower pre-peak moved up ~0.4 eV,
    /// main-edge onset ~1.75 eV lower, one merged hump at 537-542 eV.
    case annealed

    /// The classifier's class index: 0 = initial, 1 = annealed (as the paper's released classifier).
    public var classIndex: Int { self == .initial ? 0 : 1 }
}

/// One Gaussian component of an ELNES template: centre and FWHM in eV, height in counts per 0.25 eV bin.
///
///     let prePeak = ELNESPeak(name: "A1", centre: 530.86, fwhm: 2.76, height: 4.86)
public struct ELNESPeak: Sendable, Equatable, Codable {
    public var name: String
    /// Centre on the paper's (uncalibrated) energy axis, eV.
    public var centre: Double
    /// Full width at half maximum, eV.
    public var fwhm: Double
    /// Peak height, counts per 0.25 eV bin per 2.5 ms pixel at the reference thickness.
    public var height: Double

    public init(name: String, centre: Double, fwhm: Double, height: Double) {
        self.name = name
        self.centre = centre
        self.fwhm = fwhm
        self.height = height
    }
}

/// The O K-edge fine structure of one state at the reference thickness t/λ = 0.7, after power-law background removal:
/// `T(E) = Σ_k h_k exp(-4 ln2 (E - c_k)² / FWHM_k²) + H ½[1 + erf((E - e0) / (√2 σ))]`.
///
/// Heights are counts per 0.25 eV bin per 400 FPS pixel; `value(at:)` returns counts per raw 0.125 eV channel
/// (half). Source: fits to the digitised paper Fig. 7B (github.com/patecm/rapidEELS images/Figure7.png), rms 0.2,
/// tabulated in shared/reference/simulator-parameters.md §2.1-2.2; assignments follow Abbate 1992 / Wadati 2005
/// (Fe4+ ligand-hole pre-peak) and Khare 2017-2018 (Fe3+ brownmillerite). The templates already contain the
/// spectrometer resolution (ZLP FWHM ≈ 0.9 eV) and the plural scattering of t/λ = 0.7.
///
///     let t = OKEdgeTemplate.srFeO3
///     t.value(at: 531)   // ≈ 3.6 counts per 0.125 eV channel
public struct OKEdgeTemplate: Sendable, Equatable, Codable {
    public var peaks: [ELNESPeak]
    /// Main-edge (continuum) onset, eV: the erf step's midpoint.
    public var stepOnset: Double
    /// The erf step's Gaussian width σ, eV (10-90 % width = 2.563 σ).
    public var stepWidth: Double
    /// The step height H, counts per 0.25 eV bin.
    public var stepHeight: Double
    /// The thickness t/λ at which the template was measured (0.7 MFP, Fig. 7B's thin curves).
    public var referenceThickness: Double

    public init(peaks: [ELNESPeak], stepOnset: Double, stepWidth: Double, stepHeight: Double,
                referenceThickness: Double = 0.7) {
        self.peaks = peaks
        self.stepOnset = stepOnset
        self.stepWidth = stepWidth
        self.stepHeight = stepHeight
        self.referenceThickness = referenceThickness
    }

    /// SrFeO3-δ (initial state), simulator-parameters.md §2.1.
    public static let srFeO3 = OKEdgeTemplate(
        peaks: [
            ELNESPeak(name: "A1 pre-peak", centre: 530.86, fwhm: 2.76, height: 4.86),
            ELNESPeak(name: "A2 pre-peak", centre: 533.13, fwhm: 2.20, height: 2.31),
            ELNESPeak(name: "B Sr 4d-O 2p", centre: 538.93, fwhm: 4.35, height: 3.83),
            ELNESPeak(name: "C Fe 4sp-O 2p", centre: 544.75, fwhm: 4.18, height: 2.77),
            ELNESPeak(name: "D multiple scattering", centre: 571.4, fwhm: 19.9, height: 1.49),
        ],
        stepOnset: 537.03, stepWidth: 2.87, stepHeight: 5.14)

    /// SrFeO2.5 (annealed state), simulator-parameters.md §2.2.
    public static let srFeO25 = OKEdgeTemplate(
        peaks: [
            ELNESPeak(name: "A pre-peak", centre: 531.29, fwhm: 2.39, height: 3.87),
            ELNESPeak(name: "B Sr 4d-O 2p", centre: 535.50, fwhm: 7.00, height: 2.52),
            ELNESPeak(name: "C Fe 4sp-O 2p", centre: 542.05, fwhm: 4.54, height: 1.50),
            ELNESPeak(name: "D multiple scattering", centre: 569.6, fwhm: 24.1, height: 1.32),
        ],
        stepOnset: 535.55, stepWidth: 1.10, stepHeight: 4.22)

    /// The template of a state.
    public static func forState(_ state: OxidationState) -> OKEdgeTemplate {
        state == .initial ? srFeO3 : srFeO25
    }

    /// Counts per raw 0.125 eV channel per pixel at energy loss `energy` (eV), at the reference thickness.
    public func value(at energy: Double) -> Double {
        var sum = 0.0
        for peak in peaks {
            let d = (energy - peak.centre) / peak.fwhm
            sum += peak.height * exp(-4 * M_LN2 * d * d)
        }
        sum += stepHeight * 0.5 * (1 + erf((energy - stepOnset) / (2.0.squareRoot() * stepWidth)))
        return 0.5 * sum
    }

    /// A copy with every peak centre moved by `centreShift[k]` eV and height scaled by `heightScale[k]`
    /// (per-SI randomisation; arrays shorter than `peaks` leave the rest unchanged).
    public func perturbed(centreShift: [Double], heightScale: [Double]) -> OKEdgeTemplate {
        var copy = self
        for k in copy.peaks.indices {
            if k < centreShift.count { copy.peaks[k].centre += centreShift[k] }
            if k < heightScale.count { copy.peaks[k].height *= heightScale[k] }
        }
        return copy
    }
}
