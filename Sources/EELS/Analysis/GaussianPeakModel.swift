import Foundation

/// The background under the peaks of a Gaussian fit.
///
/// - `none`: no background.
/// - `linear`: `offset + slope * (E - Ec)`, Ec the centre of the fit window (parameters "background.offset" in
///   counts and "background.slope" in counts/eV).
/// - `powerLaw`: `amplitude * (E / E0)^-exponent`, E0 the start of the fit window (parameters
///   "background.amplitude" in counts, the background at E0, and "background.exponent"); energies must be > 0.
///
///     let fit = try fitGaussians(spectrum, peaks: [528, 535], window: 524...545, background: .powerLaw)
public enum PeakBackground: String, Sendable, CaseIterable {
    case none, linear, powerLaw

    /// The number of background parameters.
    public var parameterCount: Int { self == .none ? 0 : 2 }

    /// The parameter names, in fit order.
    public var parameterNames: [String] {
        switch self {
        case .none: return []
        case .linear: return ["background.offset", "background.slope"]
        case .powerLaw: return ["background.amplitude", "background.exponent"]
        }
    }
}

/// One Gaussian peak: `height * exp(-(E - position)^2 / (2 sigma^2))`.
///
/// `sigma` is the standard deviation in eV (not the FWHM); `fwhm` = 2 sqrt(2 ln 2) sigma ~ 2.3548 sigma.
///
///     let p = GaussianPeak(position: 528, height: 120, sigma: 0.8)
///     p.fwhm   // 1.884 eV
///     p.area   // height * sigma * sqrt(2 pi), counts x eV
public struct GaussianPeak: Sendable, Equatable {
    /// Centre in eV.
    public var position: Double
    /// Peak height above the background, in the spectrum's units (counts).
    public var height: Double
    /// Standard deviation in eV.
    public var sigma: Double

    public init(position: Double, height: Double, sigma: Double) {
        self.position = position
        self.height = height
        self.sigma = sigma
    }

    /// Full width at half maximum in eV.
    public var fwhm: Double { sigma * 2 * (2 * log(2.0)).squareRoot() }
    /// Integrated area (height x eV).
    public var area: Double { height * sigma * (2 * Double.pi).squareRoot() }
    /// The peak's value at energy `e` (eV).
    public func value(at e: Double) -> Double {
        let z = (e - position) / sigma
        return height * exp(-0.5 * z * z)
    }
}

/// A sum of Gaussians plus a background on fixed energies: residuals and the analytic Jacobian for the solver.
///
/// Parameters: the background's (see `PeakBackground`), then position, height, sigma for each peak.
struct GaussianSumModel: LeastSquaresProblem {
    let energies: [Double]
    var data: [Double]
    /// Per-channel weights multiplying the residuals (nil: all 1).
    let weights: [Double]?
    let background: PeakBackground
    let peakCount: Int
    /// Window centre (linear background reference) and start (power-law reference), eV.
    let centre: Double
    let logRatio: [Double]

    init(energies: [Double], data: [Double], weights: [Double]? = nil, background: PeakBackground, peakCount: Int) {
        self.energies = energies
        self.data = data
        self.weights = weights
        self.background = background
        self.peakCount = peakCount
        self.centre = 0.5 * ((energies.first ?? 0) + (energies.last ?? 0))
        let start = energies.first ?? 1
        self.logRatio = background == .powerLaw ? energies.map { log($0 / start) } : []
    }

    var residualCount: Int { energies.count }
    var parameterCount: Int { background.parameterCount + 3 * peakCount }

    func evaluate(_ p: UnsafePointer<Double>, residuals r: UnsafeMutablePointer<Double>,
                  jacobian: UnsafeMutablePointer<Double>?) {
        let m = parameterCount, b = background.parameterCount
        for i in 0..<energies.count {
            let e = energies[i]
            var f = 0.0
            let row = jacobian.map { $0 + i * m }
            switch background {
            case .none: break
            case .linear:
                f = p[0] + p[1] * (e - centre)
                if let row { row[0] = 1; row[1] = e - centre }
            case .powerLaw:
                let shape = exp(-p[1] * logRatio[i])
                f = p[0] * shape
                if let row { row[0] = shape; row[1] = -logRatio[i] * p[0] * shape }
            }
            for k in 0..<peakCount {
                let mu = p[b + 3 * k], h = p[b + 3 * k + 1], s = p[b + 3 * k + 2]
                let d = e - mu
                let invS2 = 1 / (s * s)
                let shape = exp(-0.5 * d * d * invS2)
                let g = h * shape
                f += g
                if let row {
                    row[b + 3 * k] = g * d * invS2
                    row[b + 3 * k + 1] = shape
                    row[b + 3 * k + 2] = g * d * d * invS2 / s
                }
            }
            r[i] = f - data[i]
            if let weights {
                let w = weights[i]
                r[i] *= w
                if let row { for j in 0..<m { row[j] *= w } }
            }
        }
    }
}
