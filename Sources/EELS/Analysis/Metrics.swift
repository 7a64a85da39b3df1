import Foundation

/// Mean squared error between two equally long arrays (e.g. a denoised and a ground-truth spectrum).
///
///     try mse([1, 2, 3], [1, 2, 5])   // 4/3
///
/// - Throws: `EELSError.shape` when the lengths differ or are zero.
public func mse(_ a: [Float], _ b: [Float]) throws -> Double {
    guard a.count == b.count, !a.isEmpty else {
        throw EELSError.shape("mse: lengths \(a.count) and \(b.count) must be equal and non-zero")
    }
    var s = 0.0
    for i in a.indices { let d = Double(a[i]) - Double(b[i]); s += d * d }
    return s / Double(a.count)
}

/// The MSE of two spectra (same channel count).
public func mse(_ a: Spectrum, _ b: Spectrum) throws -> Double { try mse(a.values, b.values) }

/// Per-pixel MSE of two spectrum images of the same shape: `[rows x columns]` row-major.
///
///     let map = try msePerPixel(denoised, truth)   // one value per pixel
public func msePerPixel(_ a: SpectrumImage, _ b: SpectrumImage) throws -> [Double] {
    guard a.rows == b.rows, a.columns == b.columns, a.channels == b.channels else {
        throw EELSError.shape("mse: \(a.rows) x \(a.columns) x \(a.channels) vs \(b.rows) x \(b.columns) x "
            + "\(b.channels)")
    }
    let c = a.channels
    return (0..<a.pixelCount).map { p in
        var s = 0.0
        for k in 0..<c { let d = Double(a.data[p * c + k]) - Double(b.data[p * c + k]); s += d * d }
        return s / Double(c)
    }
}

/// The MSE over a whole spectrum image (mean over pixels and channels).
public func mse(_ a: SpectrumImage, _ b: SpectrumImage) throws -> Double {
    let perPixel = try msePerPixel(a, b)
    return perPixel.reduce(0, +) / Double(max(perPixel.count, 1))
}

/// The fraction of predictions equal to the labels.
///
///     try accuracy(predicted: [0, 1, 1], truth: [0, 1, 0])   // 0.667
public func accuracy(predicted: [Int], truth: [Int]) throws -> Double {
    guard predicted.count == truth.count, !truth.isEmpty else {
        throw EELSError.shape("accuracy: \(predicted.count) predictions for \(truth.count) labels")
    }
    return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(truth.count)
}

/// A confusion matrix: `counts[t][p]` = how many samples of true class t were predicted as p.
///
///     let m = try ConfusionMatrix(predicted: [0, 1, 1], truth: [0, 1, 0], classes: 2)
///     m.counts   // [[1, 1], [0, 1]]
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// `[truth][predicted]`.
    public let counts: [[Int]]

    /// - Throws: `EELSError.shape` for different lengths, `EELSError.value` for a label outside 0..<classes.
    public init(predicted: [Int], truth: [Int], classes: Int) throws {
        guard predicted.count == truth.count else {
            throw EELSError.shape("confusion matrix: \(predicted.count) predictions for \(truth.count) labels")
        }
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, truth) {
            guard (0..<classes).contains(p), (0..<classes).contains(t) else {
                throw EELSError.value("confusion matrix: label \((0..<classes).contains(p) ? t : p) is outside "
                    + "0..<\(classes)")
            }
            m[t][p] += 1
        }
        self.classes = classes
        counts = m
    }

    /// A matrix of given counts (square, `counts[truth][predicted]`), e.g. summed over several images.
    /// - Throws: `EELSError.shape` when `counts` is not square.
    public init(counts: [[Int]]) throws {
        guard counts.allSatisfy({ $0.count == counts.count }) else {
            throw EELSError.shape("confusion matrix: counts must be k x k")
        }
        classes = counts.count
        self.counts = counts
    }

    /// Samples counted.
    public var total: Int { counts.joined().reduce(0, +) }

    /// Correct predictions over all.
    public var accuracy: Double {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? 0 : Double((0..<classes).map { counts[$0][$0] }.reduce(0, +)) / Double(total)
    }

    /// Recall of each class (correct / true count); NaN for an absent class.
    public var recall: [Double] {
        (0..<classes).map { t in
            let n = counts[t].reduce(0, +)
            return n == 0 ? .nan : Double(counts[t][t]) / Double(n)
        }
    }
}

/// Differences of fitted peak statistics against a ground truth (the paper's supplementary Table 2): the mean and
/// standard deviation over pixels of (fitted - truth) position (eV) and height (counts), successful fits only.
///
///     let d = try peakStatisticsDifference(fit: denoisedFits, truth: groundTruthFits, peak: 1)
///     d.meanPositionShift   // eV
public struct PeakStatisticsDifference: Sendable {
    public let meanPositionShift: Double
    public let positionShiftStandardDeviation: Double
    public let meanHeightShift: Double
    public let heightShiftStandardDeviation: Double
    /// Mean relative height shift (fitted - truth) / truth.
    public let meanRelativeHeightShift: Double
    /// Pixels where both fits succeeded.
    public let pixels: Int
}

/// Compares peak `peak` (1-based) of two per-pixel fits of the same shape.
///
/// - Throws: `EELSError.shape` for different shapes, `EELSError.value` for an unknown peak or no common success.
public func peakStatisticsDifference(fit: PeakFitMap, truth: PeakFitMap, peak: Int) throws
    -> PeakStatisticsDifference {
    guard fit.rows == truth.rows, fit.columns == truth.columns else {
        throw EELSError.shape("peak statistics: maps are \(fit.rows) x \(fit.columns) and "
            + "\(truth.rows) x \(truth.columns)")
    }
    let fp = try fit.values("peak\(peak).position"), tp = try truth.values("peak\(peak).position")
    let fh = try fit.values("peak\(peak).height"), th = try truth.values("peak\(peak).height")
    var dp: [Double] = [], dh: [Double] = [], rel: [Double] = []
    for i in fp.indices where fit.success[i] && truth.success[i] {
        dp.append(fp[i] - tp[i]); dh.append(fh[i] - th[i])
        rel.append(th[i] != 0 ? (fh[i] - th[i]) / th[i] : 0)
    }
    guard !dp.isEmpty else { throw EELSError.value("peak statistics: no pixel where both fits succeeded") }
    func meanStd(_ v: [Double]) -> (Double, Double) {
        let m = v.reduce(0, +) / Double(v.count)
        return (m, (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(v.count - 1, 1))).squareRoot())
    }
    let (mp, sp) = meanStd(dp), (mh, sh) = meanStd(dh)
    return PeakStatisticsDifference(meanPositionShift: mp, positionShiftStandardDeviation: sp, meanHeightShift: mh,
                                    heightShiftStandardDeviation: sh,
                                    meanRelativeHeightShift: rel.reduce(0, +) / Double(rel.count), pixels: dp.count)
}
