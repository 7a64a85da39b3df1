import EELS
import Foundation

/// Mean squared error between two spectrum images of the same shape (over every pixel and channel).
///
///     let error = try meanSquaredError(denoised, truth)
/// - Throws: `RapidEELSError.incompatible` when the shapes differ.
public func meanSquaredError(_ a: SpectrumImage, _ b: SpectrumImage) throws -> Double {
    guard a.data.count == b.data.count, a.channels == b.channels else {
        throw RapidEELSError.incompatible("cannot compare \(a.rows) x \(a.columns) x \(a.channels) with "
            + "\(b.rows) x \(b.columns) x \(b.channels)")
    }
    guard !a.data.isEmpty else { return 0 }
    var sum = 0.0
    for i in a.data.indices {
        let d = Double(a.data[i]) - Double(b.data[i])
        sum += d * d
    }
    return sum / Double(a.data.count)
}

/// Mean squared error of every pixel's spectrum: [pixels].
public func meanSquaredErrorPerSpectrum(_ a: SpectrumImage, _ b: SpectrumImage) throws -> [Double] {
    _ = try meanSquaredError(a, b)
    let k = a.channels
    return (0..<a.pixelCount).map { p in
        var sum = 0.0
        for c in 0..<k {
            let d = Double(a.data[p * k + c]) - Double(b.data[p * k + c])
            sum += d * d
        }
        return sum / Double(max(k, 1))
    }
}

extension PaperMethod {
    /// The PCA baseline of the paper's Fig. 5: the binned raw image (full loaded range) reconstructed from
    /// `components` principal components, then each pixel's power-law background fitted on the background window
    /// and subtracted, then windowed, so it is in the same units as `targets(_:)`.
    public func pcaDenoised(_ si: SpectrumImage, components: Int) throws -> SpectrumImage {
        let binned = try binned(si)
        let model = try pca(binned, components: components)
        let reconstructed = try model.reconstructedImage(like: binned, components: components)
        let fits = try reconstructed.fitBackground(.powerLaw, in: backgroundStart...backgroundEnd)
        return try windowed(reconstructed.subtractingBackground(fits))
    }
}
