import Foundation

/// A Gaussian smoothing filter (σ in channels), optionally followed by a central difference.
struct DerivativeFilter {
    let kernel: [Double]
    let derivative: Bool

    init(sigma: Double, derivative: Bool = true) {
        self.derivative = derivative
        guard sigma > 0.05 else { kernel = [1]; return }
        let half = Swift.max(1, Int((3 * sigma).rounded(.up)))
        let raw = (-half...half).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = raw.reduce(0, +)
        kernel = raw.map { $0 / total }
    }

    /// Smooths (ends clamped) and, when `derivative`, takes the central difference per channel.
    func apply(_ x: [Double]) -> [Double] {
        let n = x.count, half = kernel.count / 2
        var smooth = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var acc = 0.0
            for (j, w) in kernel.enumerated() {
                acc += w * x[Swift.min(Swift.max(i + j - half, 0), n - 1)]
            }
            smooth[i] = acc
        }
        guard derivative else { return smooth }
        var d = [Double](repeating: 0, count: n)
        for i in 0..<n { d[i] = 0.5 * (smooth[Swift.min(i + 1, n - 1)] - smooth[Swift.max(i - 1, 0)]) }
        return d
    }
}

/// Finds an edge onset in one spectrum: fraction-of-maximum crossing after background removal, or (fraction 0,
/// no background) the maximum of the smoothed derivative.
struct OnsetLocator {
    let axis: UniformAxis
    let window: Range<Int>
    let background: Range<Int>?
    let fraction: Double
    let smooth: DerivativeFilter
    let slope: DerivativeFilter

    init(axis: UniformAxis, window: ClosedRange<Double>, background: ClosedRange<Double>?, fraction: Double,
         smoothing: Double) throws {
        self.axis = axis
        self.window = try axis.windowChannels(window)
        self.background = try background.map { try axis.windowChannels($0) }
        self.fraction = fraction
        smooth = DerivativeFilter(sigma: smoothing / axis.scale, derivative: false)
        slope = DerivativeFilter(sigma: smoothing / axis.scale, derivative: true)
    }

    func onset(_ spectrum: [Double], pixel: String) throws -> Double {
        if let background {
            // Log-log least-squares power law on the positive channels of the background window.
            var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, n = 0.0
            for k in background where spectrum[k] > 0 {
                let x = log(axis.value(at: k)), y = log(spectrum[k])
                sx += x; sy += y; sxx += x * x; sxy += x * y; n += 1
            }
            let det = n * sxx - sx * sx
            var net = spectrum
            if n >= 2, det != 0 {
                let r = (n * sxy - sx * sy) / det, a = (sy - r * sx) / n
                for k in net.indices { net[k] -= exp(a + r * log(axis.value(at: k))) }
            }
            let s = smooth.apply(net)
            let peak = window.max { s[$0] < s[$1] }!
            let level = fraction * s[peak]
            guard s[peak] > 0 else {
                throw EELSError.value("alignDrift: \(pixel) has no edge above the background in "
                    + "\(axis.value(at: window.lowerBound))-\(axis.value(at: window.upperBound - 1)) \(axis.units)")
            }
            for k in window where s[k] >= level {
                guard k > window.lowerBound else { return axis.value(at: k) }
                let below = s[k - 1]
                let t = (level - below) / (s[k] - below)
                return axis.value(at: k - 1) + t * axis.scale
            }
            return axis.value(at: peak)
        }
        let d = slope.apply(spectrum)
        let best = window.max { d[$0] < d[$1] }!
        var refinement = 0.0
        if best > 0, best < spectrum.count - 1 {
            let a = d[best - 1], b = d[best], c = d[best + 1], curvature = a - 2 * b + c
            if curvature < 0 { refinement = Swift.min(Swift.max(0.5 * (a - c) / curvature, -0.5), 0.5) }
        }
        return axis.value(at: best) + refinement * axis.scale
    }
}

extension Spectrum {
    /// The energy of an edge's onset: a power law fitted on `background` (log-log least squares) is subtracted,
    /// the rest smoothed (Gaussian σ `smoothing` eV), and the onset is the first energy in `window` where it
    /// reaches `fraction` of its maximum there (linear interpolation between channels). With `background` nil,
    /// the onset is instead the maximum of the smoothed derivative in `window` (parabolic refinement).
    ///
    ///     let onset = try spectrum.edgeOnset(window: 634...646, background: 605...632)   // ≈ 639.1 eV for simulated Mn2+
    ///
    /// - Throws: `EELSError.value` for windows outside the axis, a fraction outside (0, 1), or no edge above the
    ///   background.
    public func edgeOnset(window: ClosedRange<Double>, background: ClosedRange<Double>?, fraction: Double = 0.5,
                          smoothing: Double = 0.4) throws -> Double {
        guard background == nil || (fraction > 0 && fraction < 1) else {
            throw EELSError.value("edgeOnset: fraction \(fraction) must be in (0, 1)")
        }
        guard energy.scale > 0, values.count >= 4, smoothing >= 0 else {
            throw EELSError.value("edgeOnset needs an increasing axis of at least 4 channels and smoothing >= 0")
        }
        let locator = try OnsetLocator(axis: energy, window: window, background: background, fraction: fraction,
                                       smoothing: background == nil ? Swift.max(smoothing, energy.scale) : smoothing)
        return try locator.onset(values.map(Double.init), pixel: "the spectrum")
    }
}
