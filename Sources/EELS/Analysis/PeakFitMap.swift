import Dispatch
import Foundation

/// Gaussian fits of every pixel of a spectrum image: per-pixel maps of each parameter, its uncertainty, the reduced
/// chi-square and a success flag. Maps are `[rows x columns]` row-major.
///
///     let maps = try fitGaussians(si, peaks: [528, 535], window: 524...545, background: .linear)
///     let shift = maps.values("peak1.position")      // eV, rows * columns
///     let ok = maps.success.filter { $0 }.count
public struct PeakFitMap: Sendable {
    public let rows: Int
    public let columns: Int
    /// Parameter names in fit order (see `PeakFitResult.parameterNames`).
    public let parameterNames: [String]
    /// `parameterValues[j]` is the map of parameter j (rows * columns values; NaN where a fit failed).
    public let parameterValues: [[Double]]
    /// `parameterUncertainties[j]` is the map of parameter j's 1-sigma uncertainty.
    public let parameterUncertainties: [[Double]]
    /// The reduced chi-square of each pixel's fit.
    public let reducedChiSquare: [Double]
    /// Whether each pixel's fit succeeded (see `PeakFitResult.success`).
    public let success: [Bool]
    public let background: PeakBackground
    /// The fitted image's spatial axes (y for rows, x for columns), so parameter maps keep the calibration.
    public var rowAxis = UniformAxis(offset: 0, scale: 1, size: 0, units: "px", name: "y")
    public var columnAxis = UniformAxis(offset: 0, scale: 1, size: 0, units: "px", name: "x")

    /// The map of the named parameter, e.g. "peak1.position".
    ///
    /// - Throws: `EELSError.value` naming the known parameters when `name` is not one of them.
    public func values(_ name: String) throws -> [Double] {
        parameterValues[try index(of: name)]
    }

    /// The uncertainty map of the named parameter.
    public func uncertainties(_ name: String) throws -> [Double] {
        parameterUncertainties[try index(of: name)]
    }

    /// The fraction of pixels whose fit succeeded.
    public var successRate: Double { Double(success.filter { $0 }.count) / Double(max(success.count, 1)) }

    private func index(of name: String) throws -> Int {
        guard let j = parameterNames.firstIndex(of: name) else {
            throw EELSError.value("no fit parameter '\(name)'; known: \(parameterNames.joined(separator: ", "))")
        }
        return j
    }
}

/// Fits Gaussians to every pixel of a spectrum image in parallel (`DispatchQueue.concurrentPerform`). A pixel whose
/// spectrum equals its predecessor's bit for bit takes its fit (the same input gives the same fit).
///
///     let maps = try fitGaussians(si, peaks: [528, 535], window: 524...545, background: .linear)
///
/// - Parameter isCancelled: polled between blocks of pixels; when it returns true the call throws
///   `CancellationError`.
/// - Throws: as the single-spectrum `fitGaussians`, and `CancellationError`.
public func fitGaussians(_ si: SpectrumImage, peaks: [Double], window: ClosedRange<Double>,
                         background: PeakBackground = .linear, options: PeakFitOptions = PeakFitOptions(),
                         isCancelled: (@Sendable () -> Bool)? = nil) throws -> PeakFitMap {
    let fitter = try GaussianFitter(energy: si.energy, peaks: peaks, window: window, background: background,
                                    options: options)
    let pixels = si.pixelCount, channels = si.channels, m = fitter.names.count
    var values = [Double](repeating: .nan, count: m * pixels)
    var errors = [Double](repeating: .nan, count: m * pixels)
    var chi = [Double](repeating: .nan, count: pixels)
    var ok = [Bool](repeating: false, count: pixels)
    let block = 64
    let blocks = (pixels + block - 1) / block
    let cancelled = ManagedFlag()
    si.data.withUnsafeBufferPointer { data in
        values.withUnsafeMutableBufferPointer { v in
            errors.withUnsafeMutableBufferPointer { e in
                chi.withUnsafeMutableBufferPointer { x in
                    ok.withUnsafeMutableBufferPointer { s in
                        let (vp, ep, xp, sp) = (v.baseAddress!, e.baseAddress!, x.baseAddress!, s.baseAddress!)
                        DispatchQueue.concurrentPerform(iterations: blocks) { b in
                            if cancelled.value { return }
                            if let isCancelled, isCancelled() { cancelled.set(); return }
                            for pixel in (b * block)..<min((b + 1) * block, pixels) {
                                let spectrum = data.baseAddress! + pixel * channels
                                // A pixel equal to the one before (every pixel of a block-mean ground truth)
                                // has the same fit: copy it.
                                if pixel > b * block, memcmp(spectrum, spectrum - channels,
                                                             channels * MemoryLayout<Float>.stride) == 0 {
                                    for j in 0..<m {
                                        vp[j * pixels + pixel] = vp[j * pixels + pixel - 1]
                                        ep[j * pixels + pixel] = ep[j * pixels + pixel - 1]
                                    }
                                    xp[pixel] = xp[pixel - 1]
                                    sp[pixel] = sp[pixel - 1]
                                    continue
                                }
                                let r = fitter.fit(spectrum)
                                for j in 0..<m {
                                    vp[j * pixels + pixel] = r.success ? r.parameters[j] : .nan
                                    ep[j * pixels + pixel] = r.uncertainties[j]
                                }
                                xp[pixel] = r.reducedChiSquare
                                sp[pixel] = r.success
                            }
                        }
                    }
                }
            }
        }
    }
    if cancelled.value { throw CancellationError() }
    return PeakFitMap(
        rows: si.rows, columns: si.columns, parameterNames: fitter.names,
        parameterValues: (0..<m).map { Array(values[$0 * pixels..<($0 + 1) * pixels]) },
        parameterUncertainties: (0..<m).map { Array(errors[$0 * pixels..<($0 + 1) * pixels]) },
        reducedChiSquare: chi, success: ok, background: background, rowAxis: si.rowAxis, columnAxis: si.columnAxis)
}

/// A flag set from worker threads (a lock-protected Bool).
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.lock(); defer { lock.unlock() }; return flag }
    func set() { lock.lock(); flag = true; lock.unlock() }
}
