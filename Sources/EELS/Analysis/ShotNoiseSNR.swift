import Foundation

/// The signal-to-noise ratio per energy channel of a spectrum image at a lower frame rate, measured from the data
/// (the paper's Fig. 3B: SNR against frame rate; "≈ 15 counts per channel at the O K edge, SNR √N = 3.8" at 400 FPS).
///
/// `signal` is the mean count per channel in the window, `noise` the standard deviation of one channel's count about
/// its expectation. The expectation is not needed: neighbouring spectra along a row see the same material, so the
/// difference of two of them has twice the noise variance and no signal (`variance = mean((a - b)²) / 2`).
///
///     let r = try si.shotNoiseSNR(combining: 4, window: 530...545)   // 100 FPS
///     r.snr        // ≈ 2 x the 400 FPS value for shot noise
public struct ShotNoiseSNR: Sendable, Equatable {
    /// Pixels combined along each row (400 FPS data: 1, 2, 4, 16 are 400, 200, 100, 25 FPS).
    public var combined: Int
    /// Mean count per channel in the window, over every combined spectrum.
    public var signal: Double
    /// Standard deviation of one channel's count (root of the mean over the window's channels of the variance).
    public var noise: Double
    /// Pairs of neighbouring spectra the noise was measured on.
    public var pairs: Int

    /// `signal / noise`.
    public var snr: Double { noise > 0 ? signal / noise : .infinity }
}

extension SpectrumImage {
    /// Measures the per-channel SNR in `window` (eV) after summing `n` adjacent pixels of each row (as
    /// `simulateFrameRate(combining:)`, a dwell n times longer). Spectra `2k` and `2k + 1` of each row are paired.
    /// For pure shot noise the result is √(mean count) and grows as √n.
    ///
    ///     let fps25 = try si.shotNoiseSNR(combining: 16, window: 530...545)
    /// - Throws: `EELSError.value` when `n` leaves fewer than two combined spectra in a row, or the window holds no
    ///   channel of the axis.
    public func shotNoiseSNR(combining n: Int, window: ClosedRange<Double>) throws -> ShotNoiseSNR {
        guard n >= 1, 2 * n <= columns else {
            throw EELSError.value("the SNR needs two combined spectra per row: combining \(n) pixels needs at least "
                + "\(2 * max(n, 1)) columns, the image has \(columns)")
        }
        let range = try energy.channels(in: window)
        let groups = columns / n, ch = channels
        var signal = 0.0, variance = 0.0, pairs = 0, spectra = 0
        var a = [Double](repeating: 0, count: range.count), b = a
        data.withUnsafeBufferPointer { d in
            func combined(row: Int, group: Int, into out: inout [Double]) {
                for k in out.indices { out[k] = 0 }
                for c in (group * n)..<((group + 1) * n) {
                    let base = (row * columns + c) * ch + range.lowerBound
                    for k in out.indices { out[k] += Double(d[base + k]) }
                }
            }
            for r in 0..<rows {
                for g in Swift.stride(from: 0, to: groups - 1, by: 2) {
                    combined(row: r, group: g, into: &a)
                    combined(row: r, group: g + 1, into: &b)
                    for k in a.indices {
                        signal += a[k] + b[k]
                        let diff = a[k] - b[k]
                        variance += diff * diff / 2
                    }
                    pairs += 1
                    spectra += 2
                }
            }
        }
        let values = Double(max(spectra, 1) * range.count)
        return ShotNoiseSNR(combined: n, signal: signal / values,
                            noise: (variance / Double(max(pairs, 1) * range.count)).squareRoot(), pairs: pairs)
    }
}
