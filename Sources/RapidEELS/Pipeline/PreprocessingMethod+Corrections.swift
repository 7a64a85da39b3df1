import EELS
import Foundation

/// How a method removes each pixel's energy drift before binning (saved with the model, so new data are aligned
/// the same way).
///
///     .none                                                        // the paper: drift left for the network to learn
///     .mean                                                        // each SI to its own mean spectrum
///     .onset(window: 636...650, background: 605...635, target: nil) // each pixel's edge onset to the SI's mean onset
///     .reference(spectrum)                                         // cross-correlation with a saved spectrum
public enum DriftCorrection: Sendable, Equatable {
    case none
    /// Cross-correlation with the SI's own mean (relative shifts, mean 0 per SI).
    case mean
    /// The edge onset of every pixel (power law on `background` subtracted, `fraction` of the window's maximum)
    /// moved to `target` eV, or to the SI's mean onset when `target` is nil.
    case onset(window: ClosedRange<Double>, background: ClosedRange<Double>, fraction: Double, target: Double?)
    /// Cross-correlation with a reference spectrum (resampled onto each SI's axis): absolute shifts.
    case reference(Spectrum)

    public static func == (a: DriftCorrection, b: DriftCorrection) -> Bool {
        switch (a, b) {
        case (.none, .none), (.mean, .mean): return true
        case let (.onset(w1, b1, f1, t1), .onset(w2, b2, f2, t2)): return w1 == w2 && b1 == b2 && f1 == f2 && t1 == t2
        case let (.reference(s1), .reference(s2)): return s1.values == s2.values && s1.energy == s2.energy
        default: return false
        }
    }

    /// One phrase for summaries.
    public var summary: String {
        switch self {
        case .none: return "no drift correction"
        case .mean: return "drift aligned to each SI's mean"
        case .onset(let w, _, _, let t):
            return String(format: "drift aligned by the edge onset in %.1f-%.1f eV", w.lowerBound, w.upperBound)
                + (t.map { String(format: " to %.2f eV", $0) } ?? "")
        case .reference: return "drift aligned to a reference spectrum"
        }
    }
}

/// The raw image after the method's corrections, and the drift it removed.
public struct CorrectedImage: Sendable {
    /// Dark-subtracted and drift-aligned raw counts (the input image itself when the method corrects nothing).
    public var image: SpectrumImage
    /// The energy shift removed from every pixel (eV, rows x columns), nil without drift correction.
    public var shifts: Image2D?
}

extension PreprocessingMethod {
    /// `si` with the dark reference subtracted (channel by channel) and each pixel's drift removed.
    ///
    ///     let c = try method.corrected(si)
    ///     c.shifts?.data    // eV per pixel: the drift map
    /// - Throws: `RapidEELSError.incompatible` for a dark reference of another channel count or windows outside
    ///   the data.
    public func corrected(_ si: SpectrumImage) throws -> CorrectedImage {
        var image = si
        if let dark = darkReference {
            guard dark.values.count == si.channels else {
                throw RapidEELSError.incompatible("the method's dark reference has \(dark.values.count) channels; the "
                    + "data have \(si.channels): a dark reference belongs to one detector read-out")
            }
            image = try image.subtractingDark(dark)
        }
        let reference: DriftReference
        switch drift {
        case .none: return CorrectedImage(image: image, shifts: nil)
        case .mean: reference = .mean
        case .onset(let window, let background, let fraction, let target):
            reference = .edgeOnset(window: window, background: background, fraction: fraction, target: target)
        case .reference(let spectrum):
            reference = .reference(spectrum.resampled(onto: image.energy))
        }
        var options = DriftAlignmentOptions()
        options.maximumShift = maximumDrift
        let aligned: DriftAlignment
        do { aligned = try image.alignDrift(to: reference, options: options) } catch let error as EELSError {
            throw RapidEELSError.incompatible("drift correction: \(error)")
        }
        return CorrectedImage(image: aligned.image, shifts: aligned.shifts)
    }
}

extension Spectrum {
    /// The spectrum linearly interpolated onto `axis` (ends clamped).
    func resampled(onto axis: UniformAxis) -> Spectrum {
        if axis == energy { return self }
        let source = values
        let out = (0..<axis.size).map { k -> Float in
            let x = (axis.value(at: k) - energy.offset) / energy.scale
            let i = Swift.min(Swift.max(Int(x.rounded(.down)), 0), source.count - 1)
            let j = Swift.min(i + 1, source.count - 1), f = Float(Swift.min(Swift.max(x - Double(i), 0), 1))
            return source[i] * (1 - f) + source[j] * f
        }
        return Spectrum(values: out, energy: axis, metadata: metadata)
    }
}

extension PreprocessingMethod {
    public static func == (a: PreprocessingMethod, b: PreprocessingMethod) -> Bool {
        a.windowStart == b.windowStart && a.binWidth == b.binWidth && a.channels == b.channels
            && a.background == b.background && a.blockRows == b.blockRows && a.blockColumns == b.blockColumns
            && a.darkReference?.values == b.darkReference?.values && a.darkReference?.energy == b.darkReference?.energy
            && a.drift == b.drift && a.maximumDrift == b.maximumDrift
    }
}
