import Foundation

/// What each pixel's spectrum is aligned to by `SpectrumImage.alignDrift`.
///
///     .mean                                                     // the SI's own mean spectrum (relative drift)
///     .reference(referenceSpectrum)                             // a given spectrum on the same axis
///     .edgeOnset(window: 636...650, background: 605...635)      // each pixel's edge onset to the mean onset
public enum DriftReference: Sendable {
    /// Cross-correlation with the SI's mean spectrum, refined once against the mean of the aligned SI. The mean
    /// is blurred by the drift itself, so shifts are relative: they are re-centred to a mean of 0.
    case mean
    /// Cross-correlation with a given reference spectrum (same channel count and axis as the SI): absolute shifts
    /// relative to it.
    case reference(Spectrum)
    /// Each pixel's edge onset: a power law fitted on `background` (log-log least squares) is subtracted, the
    /// result smoothed, and the onset is the first energy in `window` where it reaches `fraction` of its maximum
    /// there (linear interpolation between channels). Shifts are onsets minus `target` (nil: the onset of the SI's
    /// mean spectrum).
    case edgeOnset(window: ClosedRange<Double>, background: ClosedRange<Double>, fraction: Double = 0.5,
                   target: Double? = nil)
    /// Like `edgeOnset`, with the onset at the maximum of the smoothed derivative inside `window` (parabolic
    /// refinement), no background subtraction needed.
    case steepestRise(window: ClosedRange<Double>, target: Double? = nil)
}

/// Settings of `alignDrift`.
///
///     var options = DriftAlignmentOptions()
///     options.window = 630...665      // correlate the L2,3 white lines only
///     options.maximumShift = 2
public struct DriftAlignmentOptions: Sendable, Equatable {
    /// The energy range compared by cross-correlation (nil: the whole axis less `maximumShift` at each end).
    public var window: ClosedRange<Double>?
    /// The largest shift searched, eV.
    public var maximumShift: Double = 3
    /// Gaussian smoothing σ applied before correlating or locating an onset, eV (0: none).
    public var smoothing: Double = 0.4

    public init() {}
}

/// The aligned SI and the drift that was removed.
///
///     let result = try si.alignDrift(to: .mean)
///     result.shifts[3, 7]   // eV: pixel (3, 7) sat this much higher than the reference
public struct DriftAlignment: Sendable {
    /// The SI with every pixel moved down by its shift (linear interpolation; ends repeat the edge channel).
    public var image: SpectrumImage
    /// Shift per pixel, eV, rows x columns: positive when the pixel's spectrum lay higher in energy than the
    /// reference (a pixel x(E) = reference(E - δ) has shift δ).
    public var shifts: Image2D
    /// The spectrum the pixels were aligned to (for `.mean`, the mean of the aligned SI).
    public var reference: Spectrum
}

extension SpectrumImage {
    /// Measures and removes a per-pixel energy drift, with sub-channel shifts: a least-squares cross-correlation
    /// (scale and linear background free, so a sloping background does not bias it) with parabolic refinement of
    /// its peak, or an edge-onset criterion; every spectrum is then resampled by linear interpolation.
    ///
    ///     let aligned = try si.alignDrift(to: .mean)                       // relative, mean shift 0
    ///     let byOnset = try si.alignDrift(to: .edgeOnset(window: 636...650, background: 605...635))
    ///     aligned.shifts.data                                               // eV per pixel
    ///
    /// - Throws: `EELSError.shape` when a reference spectrum's channels differ from the SI's;
    ///   `EELSError.value` for windows outside the axis, a non-positive maximum shift or fraction outside (0, 1).
    public func alignDrift(to reference: DriftReference = .mean,
                           options: DriftAlignmentOptions = DriftAlignmentOptions()) throws -> DriftAlignment {
        guard energy.scale > 0, channels >= 4 else {
            throw EELSError.value("alignDrift needs an increasing energy axis of at least 4 channels; got "
                + "\(channels) channels at \(energy.scale) \(energy.units)/channel")
        }
        guard options.maximumShift > 0, options.maximumShift.isFinite, options.smoothing >= 0 else {
            throw EELSError.value("alignDrift: maximumShift \(options.maximumShift) eV must be > 0 and smoothing "
                + "\(options.smoothing) eV >= 0")
        }
        var shifts: [Double]
        var alignedReference: Spectrum?
        switch reference {
        case .mean:
            let first = try correlationShifts(against: meanSpectrum().values, options: options)
            let once = shifted(by: first).meanSpectrum()
            shifts = try correlationShifts(against: once.values, options: options)
            let centre = shifts.reduce(0, +) / Double(Swift.max(shifts.count, 1))
            shifts = shifts.map { $0 - centre }
        case .reference(let spectrum):
            guard spectrum.values.count == channels else {
                throw EELSError.shape("alignDrift: the reference spectrum has \(spectrum.values.count) channels; the SI "
                    + "has \(channels); give a reference on the SI's energy axis")
            }
            shifts = try correlationShifts(against: spectrum.values, options: options)
            alignedReference = spectrum
        case .edgeOnset(let window, let background, let fraction, let target):
            guard fraction > 0, fraction < 1 else {
                throw EELSError.value("alignDrift: edge-onset fraction \(fraction) must be in (0, 1)")
            }
            let locate = try OnsetLocator(axis: energy, window: window, background: background, fraction: fraction,
                                          smoothing: options.smoothing)
            shifts = try onsetShifts(locate, target: target)
        case .steepestRise(let window, let target):
            let locate = try OnsetLocator(axis: energy, window: window, background: nil, fraction: 0,
                                          smoothing: Swift.max(options.smoothing, energy.scale))
            shifts = try onsetShifts(locate, target: target)
        }
        let aligned = shifted(by: shifts)
        let map = Image2D(rows: rows, columns: columns, data: shifts.map(Float.init), rowAxis: rowAxis,
                          columnAxis: columnAxis, metadata: ["quantity": "energy drift", "units": energy.units])
        return DriftAlignment(image: aligned, shifts: map, reference: alignedReference ?? aligned.meanSpectrum())
    }

    /// Every pixel moved down by its shift (eV): out(E) = x(E + shift), linear interpolation, ends clamped.
    ///
    ///     let undone = si.shifted(by: shifts.map { -$0 })   // re-applies a drift
    public func shifted(by shifts: [Double]) -> SpectrumImage {
        precondition(shifts.count == pixelCount, "shifted(by:): one shift per pixel")
        let ch = channels, scale = energy.scale
        let out = [Float](filling: data.count) { dst in
            data.withUnsafeBufferPointer { src in
                for p in 0..<pixelCount {
                    let s = shifts[p] / scale, base = p * ch
                    for k in 0..<ch {
                        let position = Swift.min(Swift.max(Double(k) + s, 0), Double(ch - 1))
                        let lower = Swift.min(Int(position), ch - 2)
                        let w = Float(position - Double(lower))
                        dst[base + k] = src[base + lower] * (1 - w) + src[base + lower + 1] * w
                    }
                }
            }
        }
        return withData(out, energy: energy)
    }

    /// Cross-correlation shifts (eV) of every pixel against `reference` values: for every integer shift s the
    /// window of the (smoothed) pixel moved by s is matched to the (smoothed) reference by least squares with a
    /// free scale and a free linear background, x(k + s) ≈ a r(k) + b + c k; the residual's minimum is refined
    /// by a parabola through its neighbours. This is the detrended, normalised cross-correlation: it uses the
    /// counts themselves, not their derivative, so noise is not amplified, and a sloping background cancels.
    private func correlationShifts(against reference: [Float], options: DriftAlignmentOptions) throws -> [Double] {
        let maxShift = Swift.max(1, Int((options.maximumShift / energy.scale).rounded(.up)))
        let range: Range<Int>
        if let window = options.window {
            range = try energy.windowChannels(window)
        } else {
            range = 0..<channels
        }
        let first = Swift.max(range.lowerBound, maxShift), last = Swift.min(range.upperBound, channels - maxShift)
        guard last - first >= 4 else {
            throw EELSError.value("alignDrift: the correlation window \(energy.value(at: range.lowerBound))-"
                + "\(energy.value(at: range.upperBound - 1)) \(energy.units) leaves fewer than 4 channels once "
                + "±\(options.maximumShift) \(energy.units) are kept free at the ends of the axis "
                + "[\(energy.offset), \(energy.end)]")
        }
        let width = last - first
        let filter = DerivativeFilter(sigma: options.smoothing / energy.scale, derivative: false)
        // Orthonormal constant and linear vectors over the window; the reference with both projected out.
        let u0 = [Double](repeating: 1 / Double(width).squareRoot(), count: width)
        let centre = Double(width - 1) / 2
        let norm1 = (0..<width).map { (Double($0) - centre) * (Double($0) - centre) }.reduce(0, +).squareRoot()
        let u1 = (0..<width).map { (Double($0) - centre) / norm1 }
        func dot(_ a: [Double], _ b: ArraySlice<Double>) -> Double {
            var acc = 0.0
            var i = b.startIndex
            for v in a { acc += v * b[i]; i += 1 }
            return acc
        }
        let smoothedReference = filter.apply(reference.map(Double.init))
        let window = smoothedReference[first..<last]
        let p0 = dot(u0, window), p1 = dot(u1, window)
        let r = (0..<width).map { window[first + $0] - p0 * u0[$0] - p1 * u1[$0] }
        let rr = r.reduce(0) { $0 + $1 * $1 }
        guard rr > 0 else {
            throw EELSError.value("alignDrift: the reference is a straight line in the correlation window; "
                + "choose a window that contains the edge")
        }
        var result = [Double](repeating: 0, count: pixelCount)
        var spectrum = [Double](repeating: 0, count: channels)
        var residual = [Double](repeating: 0, count: 2 * maxShift + 1)
        for p in 0..<pixelCount {
            for k in 0..<channels { spectrum[k] = Double(data[p * channels + k]) }
            let x = filter.apply(spectrum)
            for (i, s) in (-maxShift...maxShift).enumerated() {
                let moved = x[(first + s)..<(last + s)]
                let xx = moved.reduce(0) { $0 + $1 * $1 }
                let q0 = dot(u0, moved), q1 = dot(u1, moved), xr = dot(r, moved)
                residual[i] = xx - q0 * q0 - q1 * q1 - xr * xr / rr
                if xr < 0 { residual[i] = .greatestFiniteMagnitude }  // a negative scale is not a match
            }
            let best = residual.indices.min { residual[$0] < residual[$1] }!
            var refinement = 0.0
            if best > 0, best < residual.count - 1 {
                let a = residual[best - 1], b = residual[best], c = residual[best + 1]
                let curvature = a - 2 * b + c
                if curvature > 0, a.isFinite, c.isFinite, a < .greatestFiniteMagnitude, c < .greatestFiniteMagnitude {
                    refinement = Swift.min(Swift.max(0.5 * (a - c) / curvature, -0.5), 0.5)
                }
            }
            result[p] = (Double(best - maxShift) + refinement) * energy.scale
        }
        return result
    }

    private func onsetShifts(_ locate: OnsetLocator, target: Double?) throws -> [Double] {
        let reference = try target ?? locate.onset(meanSpectrum().values.map(Double.init), pixel: "the mean spectrum")
        var result = [Double](repeating: 0, count: pixelCount)
        var spectrum = [Double](repeating: 0, count: channels)
        for p in 0..<pixelCount {
            for k in 0..<channels { spectrum[k] = Double(data[p * channels + k]) }
            result[p] = try locate.onset(spectrum, pixel: "pixel (\(p / columns), \(p % columns))") - reference
        }
        return result
    }
}
