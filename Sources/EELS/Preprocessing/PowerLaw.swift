import Foundation

/// Background models that can be fitted under an edge.
public enum BackgroundModel: String, Sendable, CaseIterable {
    /// A * E^-r.
    case powerLaw
}

/// A fitted power-law background A * E^-r (E in eV).
///
///     let fit = try spectrum.fitBackground(.powerLaw, in: 498...528)
///     fit.value(at: 530)                       // the background under the O K edge
///     let net = spectrum.subtractingBackground(fit)
public struct PowerLawFit: Sendable, Equatable, Codable {
    /// Amplitude A (counts at 1 eV).
    public var amplitude: Double
    /// Exponent r.
    public var exponent: Double
    /// The fit window in eV.
    public var window: ClosedRange<Double>
    /// Residual sum of squares over the window.
    public var residualSumOfSquares: Double
    /// Nonlinear iterations used after the log-log estimate.
    public var iterations: Int

    /// A * E^-r.
    public func value(at energy: Double) -> Double { amplitude * pow(energy, -exponent) }

    /// Fits A * E^-r to (energies, values): a log-log least-squares line on the positive points gives the
    /// start, then Levenberg-Marquardt on the unweighted residuals refines it (lmfit PowerLawModel's
    /// `guess` then `fit`).
    ///
    /// - Throws: `EELSError.value` with fewer than 2 points, non-positive energies, or no positive counts.
    public static func fit(energies: [Double], values: [Double], window: ClosedRange<Double>) throws -> PowerLawFit {
        guard energies.count == values.count, energies.count >= 2 else {
            throw EELSError.value("a power-law fit needs at least 2 channels in \(window), got \(energies.count)")
        }
        guard energies.allSatisfy({ $0 > 0 }) else {
            throw EELSError.value("a power-law fit needs positive energies; the window \(window) reaches \(energies[0])")
        }
        // Log-log estimate on positive values.
        var sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0, n = 0.0
        for (e, v) in zip(energies, values) where v > 0 {
            let x = log(e), y = log(v)
            sx += x; sy += y; sxx += x * x; sxy += x * y; n += 1
        }
        guard n >= 2 else { throw EELSError.value("a power-law fit needs positive counts in \(window)") }
        let denominator = n * sxx - sx * sx
        var r = denominator != 0 ? -(n * sxy - sx * sy) / denominator : 0
        var logA = (sy + r * sx) / n
        // Levenberg-Marquardt in (log A, r): model m = exp(logA - r ln E).
        let logE = energies.map { log($0) }
        func rss(_ logA: Double, _ r: Double) -> Double {
            var s = 0.0
            for i in values.indices {
                let d = values[i] - exp(logA - r * logE[i])
                s += d * d
            }
            return s
        }
        var current = rss(logA, r)
        var lambda = 1e-3
        var iterations = 0
        for _ in 0..<200 {
            iterations += 1
            var a11 = 0.0, a12 = 0.0, a22 = 0.0, g1 = 0.0, g2 = 0.0
            for i in values.indices {
                let m = exp(logA - r * logE[i])
                let j1 = m, j2 = -m * logE[i]  // d m / d logA, d m / d r
                let res = values[i] - m
                a11 += j1 * j1; a12 += j1 * j2; a22 += j2 * j2
                g1 += j1 * res; g2 += j2 * res
            }
            var improved = false
            while lambda < 1e12 {
                let b11 = a11 * (1 + lambda), b22 = a22 * (1 + lambda)
                let det = b11 * b22 - a12 * a12
                guard det != 0, det.isFinite else { lambda *= 10; continue }
                let d1 = (g1 * b22 - g2 * a12) / det
                let d2 = (b11 * g2 - a12 * g1) / det
                let candidate = rss(logA + d1, r + d2)
                if candidate.isFinite && candidate <= current {
                    let relative = (current - candidate) / Swift.max(current, .leastNormalMagnitude)
                    logA += d1; r += d2; current = candidate
                    lambda = Swift.max(lambda / 10, 1e-12)
                    improved = relative > 1e-15 || Swift.abs(d2) > 1e-13
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        return PowerLawFit(amplitude: exp(logA), exponent: r, window: window, residualSumOfSquares: current,
                           iterations: iterations)
    }
}

extension Spectrum {
    /// Fits a background model on the channels whose energies lie in `window` (eV, inclusive).
    ///
    ///     let fit = try coreLoss.fitBackground(.powerLaw, in: 498...528)
    public func fitBackground(_ model: BackgroundModel, in window: ClosedRange<Double>) throws -> PowerLawFit {
        let range = try energy.windowChannels(window)
        return try PowerLawFit.fit(energies: range.map { energy.value(at: $0) },
                                   values: range.map { Double(values[$0]) }, window: window)
    }

    /// The spectrum minus the fitted background at every channel (channels at E <= 0 keep their value).
    public func subtractingBackground(_ fit: PowerLawFit) -> Spectrum {
        var out = self
        for i in out.values.indices {
            let e = energy.value(at: i)
            if e > 0 { out.values[i] -= Float(fit.value(at: e)) }
        }
        return out
    }
}

extension SpectrumImage {
    /// One background fit per pixel, row-major, on the channels in `window` (eV, inclusive). Blocks of pixels are
    /// fitted in parallel; each pixel's fit is the same as fitting it alone.
    public func fitBackground(_ model: BackgroundModel, in window: ClosedRange<Double>) throws -> [PowerLawFit] {
        let range = try energy.windowChannels(window)
        let energies = range.map { energy.value(at: $0) }
        let pixels = pixelCount, ch = channels, block = 256
        guard pixels > block else {
            return try (0..<pixels).map { p in
                try PowerLawFit.fit(energies: energies, values: range.map { Double(data[p * ch + $0]) }, window: window)
            }
        }
        var results = [Result<PowerLawFit, Error>?](repeating: nil, count: pixels)
        data.withUnsafeBufferPointer { d in
            results.withUnsafeMutableBufferPointer { out in
                let (source, target) = (d.baseAddress!, out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: (pixels + block - 1) / block) { b in
                    for p in (b * block)..<min((b + 1) * block, pixels) {
                        let values = range.map { Double(source[p * ch + $0]) }
                        target[p] = Result { try PowerLawFit.fit(energies: energies, values: values, window: window) }
                    }
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    /// Every pixel minus its own fitted background (`fits` from `fitBackground`, one per pixel). Channels at
    /// non-positive energies are left as they are. Consecutive pixels with the same fit (pixels of one block)
    /// share one evaluated curve.
    public func subtractingBackground(_ fits: [PowerLawFit]) throws -> SpectrumImage {
        guard fits.count == pixelCount else {
            throw EELSError.shape("\(fits.count) background fits for \(pixelCount) pixels")
        }
        let ch = channels
        let logE = (0..<ch).map { energy.value(at: $0) > 0 ? log(energy.value(at: $0)) : .nan }
        var curve = [Float](repeating: 0, count: ch)
        var curveFit: (amplitude: Double, exponent: Double)?
        let out = [Float](filling: data.count) { dst in
            data.withUnsafeBufferPointer { src in
                for p in 0..<pixelCount {
                    let fit = fits[p]
                    if curveFit?.amplitude != fit.amplitude || curveFit?.exponent != fit.exponent {
                        let logA = log(fit.amplitude), r = fit.exponent
                        for k in 0..<ch { curve[k] = logE[k].isNaN ? 0 : Float(exp(logA - r * logE[k])) }
                        curveFit = (fit.amplitude, fit.exponent)
                    }
                    let base = p * ch
                    for k in 0..<ch { dst[base + k] = src[base + k] - curve[k] }
                }
            }
        }
        return withData(out, energy: energy)
    }
}

extension UniformAxis {
    /// The channels whose energies lie inside `window` (inclusive at both ends).
    ///
    /// - Throws: `EELSError.value` when fewer than 2 channels fall inside.
    public func windowChannels(_ window: ClosedRange<Double>) throws -> Range<Int> {
        let first = Swift.max(0, try channel(of: window.lowerBound, .up))
        let last = Swift.min(size - 1, try channel(of: window.upperBound, .down))
        guard last - first + 1 >= 2 else {
            throw EELSError.value("the window \(window.lowerBound)...\(window.upperBound) \(units) holds fewer than 2 "
                + "channels of the axis [\(offset), \(end)] \(units)")
        }
        return first..<(last + 1)
    }
}
