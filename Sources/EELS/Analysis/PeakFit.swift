import Foundation

/// Options of a Gaussian peak fit.
///
///     var options = PeakFitOptions()
///     options.positionRange = 1.5   // each centre may move at most 1.5 eV from its requested position
///     let fit = try fitGaussians(spectrum, peaks: [528, 535], window: 524...545, options: options)
public struct PeakFitOptions: Sendable {
    /// How far (eV) a peak centre may move from its requested position. nil: half the distance to the nearest
    /// other peak, at most half the window.
    public var positionRange: Double?
    /// Starting values in fit order (background, then position/height/sigma per peak); nil: guessed from the data
    /// (as lmfit's `guess`).
    public var start: [Double]?
    /// Bounds of sigma in eV; nil: from a quarter of a channel to the window width.
    public var sigmaRange: ClosedRange<Double>?
    /// The most Levenberg-Marquardt iterations.
    public var maxIterations: Int = 200
    /// Weight each channel by 1 / sqrt(max(counts, 1)) (Poisson statistics). false: unweighted, as curve_fit and
    /// lmfit without `sigma`/`weights`.
    public var poissonWeights: Bool = false

    public init(positionRange: Double? = nil, start: [Double]? = nil, sigmaRange: ClosedRange<Double>? = nil,
                maxIterations: Int = 200, poissonWeights: Bool = false) {
        self.poissonWeights = poissonWeights
        self.positionRange = positionRange
        self.start = start
        self.sigmaRange = sigmaRange
        self.maxIterations = maxIterations
    }
}

/// The fit of a sum of Gaussians (plus background) to one spectrum.
///
///     let fit = try fitGaussians(spectrum, peaks: [528, 535], window: 524...545, background: .linear)
///     if fit.success { print(fit.peaks[0].position, fit.peakUncertainties[0].position) }
public struct PeakFitResult: Sendable {
    /// Parameter names in fit order, e.g. ["background.offset", "background.slope", "peak1.position", ...].
    public let parameterNames: [String]
    /// Fitted values in fit order (eV for positions and sigmas, counts for heights).
    public let parameters: [Double]
    /// One-standard-deviation uncertainties: sqrt of the covariance diagonal, the covariance (J^T J)^-1 scaled by
    /// the reduced chi-square (lmfit's and curve_fit's default). NaN when the fit failed.
    public let uncertainties: [Double]
    /// The full covariance, `[parameters x parameters]` row-major; nil when singular.
    public let covariance: [Double]?
    /// The fitted peaks (sigma, not FWHM).
    public let peaks: [GaussianPeak]
    /// Uncertainties of the peaks' position, height and sigma.
    public let peakUncertainties: [GaussianPeak]
    /// The background model and its fitted parameters.
    public let background: PeakBackground
    public let backgroundParameters: [Double]
    /// chi-square / (channels - parameters): counts^2 unweighted, ~1 for a good fit with Poisson weights.
    public let reducedChiSquare: Double
    /// True when the solver converged to finite values with a non-singular covariance and every peak kept a
    /// positive height; false for flat or bad spectra.
    public let success: Bool
    /// Why the fit stopped or failed.
    public let message: String
    public let iterations: Int
    /// The fit window (eV) and its channel range in the spectrum.
    public let window: ClosedRange<Double>
    public let channels: Range<Int>

    /// The fitted model at energy `e` (eV): background plus all peaks.
    public func value(at e: Double) -> Double {
        var f = 0.0
        let c = 0.5 * (fittedRange.lowerBound + fittedRange.upperBound)
        switch background {
        case .none: break
        case .linear: f = backgroundParameters[0] + backgroundParameters[1] * (e - c)
        case .powerLaw:
            f = backgroundParameters[0] * pow(e / fittedRange.lowerBound, -backgroundParameters[1])
        }
        return peaks.reduce(f) { $0 + $1.value(at: e) }
    }

    /// The energies of the first and last channels fitted (eV): the linear background's reference is their
    /// midpoint, the power law's E0 the first.
    public let fittedRange: ClosedRange<Double>
}

/// Fits Gaussians at the requested positions to a spectrum within an energy window, by Levenberg-Marquardt
/// with bounds (positions within `positionRange`, heights >= 0, sigma within `sigmaRange`).
///
/// Widths are standard deviations (sigma) in eV. Bad data (flat, NaN) give `success == false`, never a crash.
///
///     let fit = try fitGaussians(spectrum, peaks: [528, 535], window: 524...545, background: .linear)
///
/// - Throws: `EELSError.value` when the window is outside the axis, holds fewer channels than parameters, or
///   a peak lies outside it; for a power-law background on energies <= 0; for start values of the wrong count.
public func fitGaussians(_ spectrum: Spectrum, peaks: [Double], window: ClosedRange<Double>,
                         background: PeakBackground = .linear,
                         options: PeakFitOptions = PeakFitOptions()) throws -> PeakFitResult {
    let fitter = try GaussianFitter(energy: spectrum.energy, peaks: peaks, window: window, background: background,
                                    options: options)
    return spectrum.values.withUnsafeBufferPointer { fitter.fit($0.baseAddress!) }
}

/// A configured Gaussian fit (window, bounds, model) reused for every pixel of a spectrum image.
struct GaussianFitter: Sendable {
    let energies: [Double]
    let channels: Range<Int>
    let window: ClosedRange<Double>
    let requested: [Double]
    let background: PeakBackground
    let options: PeakFitOptions
    let lower: [Double]
    let upper: [Double]
    let names: [String]
    let scale: Double

    init(energy: UniformAxis, peaks: [Double], window: ClosedRange<Double>, background: PeakBackground,
         options: PeakFitOptions) throws {
        guard !peaks.isEmpty else { throw EELSError.value("fitGaussians: give at least one peak position") }
        guard energy.size > 0, energy.scale > 0 else {
            throw EELSError.value("fitGaussians: the energy axis is empty or not increasing")
        }
        let first = max(try energy.channel(of: window.lowerBound, .up), 0)
        let last = min(try energy.channel(of: window.upperBound, .down), energy.size - 1)
        let m = background.parameterCount + 3 * peaks.count
        guard last - first + 1 > m else {
            throw EELSError.value("fitGaussians: the window \(window.lowerBound)...\(window.upperBound) eV holds "
                + "\(max(last - first + 1, 0)) channels of the axis \(energy.offset)...\(energy.end) eV; "
                + "\(m) parameters need more")
        }
        for p in peaks where !window.contains(p) {
            throw EELSError.value("fitGaussians: peak \(p) eV is outside the window "
                + "\(window.lowerBound)...\(window.upperBound) eV")
        }
        if background == .powerLaw && energy.value(at: first) <= 0 {
            throw EELSError.value("fitGaussians: a power-law background needs energies > 0")
        }
        if let start = options.start, start.count != m {
            throw EELSError.value("fitGaussians: \(start.count) start values for \(m) parameters")
        }
        channels = first..<(last + 1)
        energies = channels.map { energy.value(at: $0) }
        self.window = window
        self.requested = peaks
        self.background = background
        self.options = options
        scale = energy.scale
        let width = energies.last! - energies.first!
        let sigmaRange = options.sigmaRange ?? (energy.scale / 4)...width
        var lo = [Double](repeating: -.infinity, count: background.parameterCount)
        var hi = [Double](repeating: .infinity, count: background.parameterCount)
        if background == .powerLaw { lo[0] = 0; lo[1] = -20; hi[1] = 20 }
        var names = background.parameterNames
        for (k, p) in peaks.enumerated() {
            let spacing = peaks.enumerated().filter { $0.offset != k }.map { abs($0.element - p) }.min()
            let range = options.positionRange ?? min((spacing ?? .infinity) / 2, width / 2)
            lo += [max(p - range, energies.first!), 0, sigmaRange.lowerBound]
            hi += [min(p + range, energies.last!), .infinity, sigmaRange.upperBound]
            names += ["peak\(k + 1).position", "peak\(k + 1).height", "peak\(k + 1).sigma"]
        }
        lower = lo
        upper = hi
        self.names = names
    }

    /// Fits the spectrum whose full channel data start at `values`.
    func fit(_ values: UnsafePointer<Float>) -> PeakFitResult {
        var data = [Double](repeating: 0, count: energies.count)
        var finite = true
        for (i, c) in channels.enumerated() {
            data[i] = Double(values[c])
            if !data[i].isFinite { finite = false }
        }
        let weights = options.poissonWeights ? data.map { 1 / max($0, 1).squareRoot() } : nil
        let model = GaussianSumModel(energies: energies, data: data, weights: weights, background: background,
                                     peakCount: requested.count)
        guard finite else { return failed(model, "the spectrum has NaN or infinite values in the window") }
        guard let low = data.min(), let high = data.max(), high > low else {
            return failed(model, "the spectrum is flat in the window: no peaks to fit")
        }
        let start = options.start ?? guess(data)
        var solver = LevenbergMarquardt()
        solver.maxIterations = options.maxIterations
        let s = solver.solve(model, start: start, lower: lower, upper: upper)
        return result(model, s)
    }

    /// Starting values from the data: a background through the window's ends, then for each peak the local maximum
    /// above it near the requested position and the half-width at half maximum.
    func guess(_ y: [Double]) -> [Double] {
        let n = y.count, edge = max(1, min(3, n / 10))
        let yl = y[0..<edge].reduce(0, +) / Double(edge), yr = y[(n - edge)..<n].reduce(0, +) / Double(edge)
        let el = energies[edge / 2], er = energies[n - 1 - edge / 2]
        var p: [Double] = []
        var base = [Double](repeating: 0, count: n)
        switch background {
        case .none: break
        case .linear:
            let slope = (yr - yl) / (er - el)
            let c = 0.5 * (energies[0] + energies[n - 1])
            let offset = yl + slope * (c - el)
            p = [offset, slope]
            for i in 0..<n { base[i] = offset + slope * (energies[i] - c) }
        case .powerLaw:
            var r = 2.0, a = max(yl, 1e-9)
            if yl > 0, yr > 0 { r = min(max(-log(yr / yl) / log(er / el), -20), 20) }
            a = max(yl * pow(el / energies[0], r), 1e-9)
            p = [a, r]
            for i in 0..<n { base[i] = a * pow(energies[i] / energies[0], -r) }
        }
        let b = background.parameterCount
        for (k, position) in requested.enumerated() {
            let lo = lower[b + 3 * k], hi = upper[b + 3 * k]
            // Local maximum of data - background within the allowed position range.
            var best = -1, bestValue = -Double.infinity
            for i in 0..<n where energies[i] >= lo && energies[i] <= hi && y[i] - base[i] > bestValue {
                best = i; bestValue = y[i] - base[i]
            }
            if best < 0 { best = min(max(Int(((position - energies[0]) / scale).rounded()), 0), n - 1) }
            let height = max(y[best] - base[best], 0)
            var left = best, right = best
            while left > 0 && y[left] - base[left] > height / 2 { left -= 1 }
            while right < n - 1 && y[right] - base[right] > height / 2 { right += 1 }
            let hwhm = max(Double(right - left) * scale / 2, scale)
            var sigma = hwhm / (2 * log(2.0)).squareRoot()
            sigma = min(max(sigma, lower[b + 3 * k + 2]), min(upper[b + 3 * k + 2], (hi - lo) / 2 + scale))
            p += [energies[best], max(height, 1e-6 * max(abs(bestValue), 1)), sigma]
        }
        return p
    }

    private func failed(_ model: GaussianSumModel, _ why: String) -> PeakFitResult {
        let m = model.parameterCount
        let s = LeastSquaresSolution(parameters: [Double](repeating: .nan, count: m), covariance: nil,
                                     chiSquare: .nan, iterations: 0, converged: false, message: why)
        return result(model, s)
    }

    private func result(_ model: GaussianSumModel, _ s: LeastSquaresSolution) -> PeakFitResult {
        let m = model.parameterCount, b = background.parameterCount
        let dof = Double(energies.count - m)
        let errors = (0..<m).map { j -> Double in
            guard let cov = s.covariance, cov[j * m + j] >= 0 else { return .nan }
            return cov[j * m + j].squareRoot()
        }
        let p = s.parameters
        var message = s.message
        var success = s.converged && s.covariance != nil && p.allSatisfy { $0.isFinite }
            && errors.allSatisfy { $0.isFinite }
        if s.converged && s.covariance == nil { message = "singular covariance: the data do not determine the peaks" }
        for k in 0..<requested.count where success && !(p[b + 3 * k + 1] > 0) {
            success = false
            message = "peak \(k + 1) vanished (height 0): no peak near \(requested[k]) eV"
        }
        let peaks = (0..<requested.count).map {
            GaussianPeak(position: p[b + 3 * $0], height: p[b + 3 * $0 + 1], sigma: p[b + 3 * $0 + 2])
        }
        let peakErrors = (0..<requested.count).map {
            GaussianPeak(position: errors[b + 3 * $0], height: errors[b + 3 * $0 + 1], sigma: errors[b + 3 * $0 + 2])
        }
        return PeakFitResult(
            parameterNames: names, parameters: p, uncertainties: success ? errors : errors.map { _ in .nan },
            covariance: s.covariance, peaks: peaks, peakUncertainties: peakErrors, background: background,
            backgroundParameters: Array(p[0..<b]), reducedChiSquare: s.chiSquare / dof, success: success,
            message: success ? "ok: " + message : message, iterations: s.iterations, window: window,
            channels: channels, fittedRange: energies[0]...energies[energies.count - 1])
    }
}
