import Foundation

/// One continuum step of a core-loss edge: an erf rise of `height` at `onset` (Gaussian width `width`), decaying
/// above the onset as (E / onset)^-decay (the slowly falling hydrogenic continuum, Egerton [L8] ch. 3).
///
///     let l3 = EdgeStep(onset: 640, width: 1, height: 1)      // L3 continuum
///     let l2 = EdgeStep(onset: 651.2, width: 1, height: 0.5)  // L2: half of L3 (2p1/2 : 2p3/2 = 1 : 2)
public struct EdgeStep: Sendable, Equatable, Codable {
    /// The step's midpoint, eV.
    public var onset: Double
    /// The erf's Gaussian width σ, eV.
    public var width: Double
    /// The step height, counts per eV per pixel at the template's reference thickness.
    public var height: Double
    /// Power-law decay of the continuum above the onset (0 = flat).
    public var decay: Double

    public init(onset: Double, width: Double, height: Double, decay: Double = 0) {
        self.onset = onset
        self.width = width
        self.height = height
        self.decay = decay
    }
}

/// The background-free fine structure of one class of any core-loss edge at a reference thickness:
/// `T(E) = Σ_k h_k exp(-4 ln2 (E - c_k)² / FWHM_k²) + Σ_s H_s ½[1 + erf((E - e_s) / (√2 σ_s))] (max(E, e_s)/e_s)^-d_s`.
///
/// Unlike `OKEdgeTemplate` (heights per 0.25 eV bin, tied to the paper's axis) the values here are a density,
/// counts per eV per pixel, so one template serves any dispersion: counts per channel = `value(at:)` x dispersion.
///
///     let t = CoreEdgeTemplate(peaks: [ELNESPeak(name: "L3", centre: 640, fwhm: 1.6, height: 5)],
///                              steps: [EdgeStep(onset: 640, width: 1, height: 1)])
///     t.value(at: 640)   // 5.5 counts per eV
public struct CoreEdgeTemplate: Sendable, Equatable, Codable {
    /// Gaussian lines (white lines, ELNES peaks); heights in counts per eV.
    public var peaks: [ELNESPeak]
    /// Continuum steps.
    public var steps: [EdgeStep]
    /// The thickness t/λ at which the template holds (before plural scattering is added or removed).
    public var referenceThickness: Double

    public init(peaks: [ELNESPeak], steps: [EdgeStep], referenceThickness: Double = 0.5) {
        self.peaks = peaks
        self.steps = steps
        self.referenceThickness = referenceThickness
    }

    /// Counts per eV per pixel at energy loss `energy` (eV), at the reference thickness.
    public func value(at energy: Double) -> Double {
        var sum = 0.0
        for peak in peaks {
            let d = (energy - peak.centre) / peak.fwhm
            sum += peak.height * exp(-4 * M_LN2 * d * d)
        }
        for step in steps {
            let rise = 0.5 * (1 + erf((energy - step.onset) / (2.0.squareRoot() * step.width)))
            let fall = step.decay == 0 ? 1 : pow(Swift.max(energy, step.onset) / step.onset, -step.decay)
            sum += step.height * rise * fall
        }
        return sum
    }

    /// The integrated area of the Gaussian lines whose centres lie in `range` (eV): height x FWHM x √(π / 4 ln2).
    ///
    ///     let l3 = template.lineArea(in: 635...646), l2 = template.lineArea(in: 646...660)
    ///     l3 / l2   // the white-line ratio
    public func lineArea(in range: ClosedRange<Double>) -> Double {
        peaks.filter { range.contains($0.centre) }
            .reduce(0) { $0 + $1.height * $1.fwhm * (Double.pi / (4 * M_LN2)).squareRoot() }
    }

    /// A copy with every line and step moved by `shift` eV and every height multiplied by `scale`.
    public func shifted(by shift: Double, scale: Double = 1) -> CoreEdgeTemplate {
        var copy = self
        for k in copy.peaks.indices {
            copy.peaks[k].centre += shift
            copy.peaks[k].height *= scale
        }
        for k in copy.steps.indices {
            copy.steps[k].onset += shift
            copy.steps[k].height *= scale
        }
        return copy
    }

    /// Checks widths, heights and the reference thickness; `name` labels the message.
    func validate(_ name: String) throws {
        guard referenceThickness > 0, referenceThickness <= 3 else {
            throw EELSError.value("\(name): referenceThickness \(referenceThickness) must be in (0, 3] MFP")
        }
        for peak in peaks where !(peak.fwhm > 0 && peak.height >= 0 && peak.centre.isFinite) {
            throw EELSError.value("\(name): line '\(peak.name)' needs fwhm > 0 and height >= 0 "
                + "(got fwhm \(peak.fwhm), height \(peak.height))")
        }
        for step in steps where !(step.width > 0 && step.height >= 0 && step.onset > 0 && step.decay >= 0) {
            throw EELSError.value("\(name): a step at \(step.onset) eV needs width > 0, height >= 0, onset > 0 "
                + "and decay >= 0")
        }
    }
}
