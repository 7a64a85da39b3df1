/// Per-channel robust scaling, as scikit-learn's `RobustScaler`: x' = (x - median) / IQR, the median and the
/// interquartile range (75th minus 25th percentile) of each energy channel over the training spectra. Percentiles
/// use NumPy's default "linear" definition: position q * (n - 1) in the sorted values, linearly interpolated.
/// A channel whose IQR is 0 gets scale 1. Codable, so a trained model can store it as metadata.
///
///     let scaler = try RobustScaler(fittingSpectra: train.values, channels: 240)
///     let x = try scaler.transform(si)            // per channel (x - median) / IQR
///     let back = try scaler.inverseTransform(x)   // the original counts
public struct RobustScaler: Codable, Equatable, Sendable {
    /// Per-channel medians.
    public var center: [Float]
    /// Per-channel interquartile ranges (1 where the range is 0).
    public var scale: [Float]

    public var channels: Int { center.count }

    /// A scaler with given centres and scales.
    public init(center: [Float], scale: [Float]) {
        precondition(center.count == scale.count)
        self.center = center
        self.scale = scale
    }

    /// Fits on `spectra`, a row-major [count x channels] matrix.
    ///
    /// - Throws: `EELSError.shape` when the matrix is empty or not a whole number of spectra.
    public init(fittingSpectra spectra: [Float], channels: Int) throws {
        guard channels > 0, !spectra.isEmpty, spectra.count % channels == 0 else {
            throw EELSError.shape("RobustScaler needs [spectra x \(channels)] values, got \(spectra.count)")
        }
        let count = spectra.count / channels
        var center = [Float](repeating: 0, count: channels), scale = center
        var column = [Float](repeating: 0, count: count)
        for k in 0..<channels {
            for i in 0..<count { column[i] = spectra[i * channels + k] }
            column.sort()
            center[k] = Float(Self.percentile(sorted: column, 50))
            let iqr = Self.percentile(sorted: column, 75) - Self.percentile(sorted: column, 25)
            scale[k] = iqr == 0 ? 1 : Float(iqr)
        }
        self.init(center: center, scale: scale)
    }

    /// Fits on every pixel of the training spectrum images (all on the same energy axis).
    public init(fitting images: [SpectrumImage]) throws {
        guard let first = images.first else { throw EELSError.shape("RobustScaler needs at least one training image") }
        guard images.allSatisfy({ $0.channels == first.channels }) else {
            throw EELSError.shape("training images differ in channel count")
        }
        try self.init(fittingSpectra: images.flatMap(\.data), channels: first.channels)
    }

    /// NumPy's default percentile of sorted values: linear interpolation at position q/100 * (n - 1).
    ///
    ///     RobustScaler.percentile(sorted: [1, 2, 3, 4], 25)   // 1.75
    public static func percentile(sorted: [Float], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        let a = Double(sorted[lower]), b = Double(sorted[upper])
        return a + (b - a) * fraction
    }

    /// Scales a row-major [count x channels] matrix.
    public func transform(spectra: [Float]) throws -> [Float] {
        try apply(spectra) { ($0 - $1) / $2 }
    }

    /// Undoes `transform(spectra:)`.
    public func inverseTransform(spectra: [Float]) throws -> [Float] {
        try apply(spectra) { $0 * $2 + $1 }
    }

    /// Scales every pixel of a spectrum image.
    public func transform(_ si: SpectrumImage) throws -> SpectrumImage {
        si.withData(try transform(spectra: si.data), energy: si.energy)
    }

    /// Undoes `transform(_:)`.
    public func inverseTransform(_ si: SpectrumImage) throws -> SpectrumImage {
        si.withData(try inverseTransform(spectra: si.data), energy: si.energy)
    }

    private func apply(_ spectra: [Float], _ f: (Float, Float, Float) -> Float) throws -> [Float] {
        let ch = channels
        guard ch > 0, spectra.count % ch == 0 else {
            throw EELSError.shape("RobustScaler was fitted on \(ch) channels; \(spectra.count) values are not "
                + "a whole number of spectra")
        }
        var out = spectra
        for i in 0..<(spectra.count / ch) {
            for k in 0..<ch { out[i * ch + k] = f(spectra[i * ch + k], center[k], scale[k]) }
        }
        return out
    }
}
