import EELS
import Foundation

/// The preprocessing of the RapidEELS method for any core-loss edge, saved with every model so that a loaded model
/// prepares new data exactly as in training. The paper's method (O K edge) is the preset `.paper`.
///
/// - Corrections first (both optional, off in the paper): a dark reference subtracted channel by channel, and each
///   pixel's energy drift removed (`drift`; the removed shifts are the drift map, `corrected(_:)`).
/// - Inputs: raw counts in the network window, `channels` channels of `binWidth` eV from `windowStart`.
///   Raw channels are grouped into bins that start at the window's first channel (snapped to the nearest raw
///   channel), then binned by summing `binWidth / dispersion` channels.
/// - Targets (the "1 FPS" ground truth): the mean of each `blockRows` x `blockColumns` block of pixels, its
///   power-law background fitted on `background` and subtracted (or no subtraction when `background` is nil),
///   cut to the network window.
///
///     var method = PreprocessingMethod.paper
///     method.windowStart = 635; method.channels = 120; method.background = 600...635   // Mn L2,3 at 0.25 eV
///     let x = try method.inputs(si)    // rows x columns x 120, raw counts
///     let y = try method.targets(si)   // rows x columns x 120, background-subtracted block means
public struct PreprocessingMethod: Sendable, Equatable {
    /// First energy of the network window (eV).
    public var windowStart: Double = 520
    /// Channel width the network expects (eV); the data's dispersion must divide it.
    public var binWidth: Double = 0.25
    /// Channels in the network window.
    public var channels: Int = 240
    /// Power-law fit window of the ground truth (eV), or nil for no background subtraction.
    public var background: ClosedRange<Double>? = 498...528
    /// The ground-truth block (rows x columns of pixels).
    public var blockRows: Int = 10
    public var blockColumns: Int = 40
    /// A dark reference (detector signal without beam) subtracted from every raw pixel, or nil.
    public var darkReference: Spectrum?
    /// How each pixel's energy drift is removed before binning.
    public var drift: DriftCorrection = .none
    /// The largest drift searched by cross-correlation, eV.
    public var maximumDrift: Double = 3

    public init() {}

    /// The paper's method: 520-580 eV at 0.25 eV (240 channels), background 498-528 eV, 10 x 40 blocks.
    public static let paper = PreprocessingMethod()

    /// A method for a window `window` (eV, start...end) at `binWidth`, with `background` and a block.
    ///
    ///     let mn = try PreprocessingMethod(window: 635...665, binWidth: 0.25, background: 610...635,
    ///                                      block: (4, 8))
    /// - Throws: `RapidEELSError.value` for a window of fewer than 16 channels, a non-positive bin width, an empty
    ///   block or a background window that is empty.
    public init(window: ClosedRange<Double>, binWidth: Double, background: ClosedRange<Double>?,
                block: (rows: Int, columns: Int)) throws {
        guard binWidth > 0, binWidth.isFinite else {
            throw RapidEELSError.value("the bin width must be positive, got \(binWidth) eV")
        }
        self.windowStart = window.lowerBound
        self.binWidth = binWidth
        self.channels = Int(((window.upperBound - window.lowerBound) / binWidth).rounded())
        self.background = background
        self.blockRows = block.rows
        self.blockColumns = block.columns
        try validate()
    }

    /// The network's energy axis: windowStart, windowStart + binWidth, ... (`channels` values).
    public var axis: UniformAxis { UniformAxis(offset: windowStart, scale: binWidth, size: channels) }
    /// The window's energy range, start...end (end = start + channels x binWidth).
    public var window: ClosedRange<Double> { windowStart...(windowStart + Double(channels) * binWidth) }

    /// Throws unless the method itself is usable (independent of any data).
    public func validate() throws {
        guard binWidth > 0, binWidth.isFinite else {
            throw RapidEELSError.value("the bin width must be positive, got \(binWidth) eV")
        }
        guard channels >= 16 else {
            throw RapidEELSError.value(String(format: "the window %.2f-%.2f eV holds %d channels of %.3g eV; the "
                + "network needs at least 16: widen the window or use a smaller bin width", window.lowerBound,
                window.upperBound, channels, binWidth))
        }
        guard blockRows >= 1, blockColumns >= 1 else {
            throw RapidEELSError.value("the ground-truth block \(blockRows) x \(blockColumns) must be at least 1 x 1")
        }
        if let b = background, !(b.upperBound > b.lowerBound) {
            throw RapidEELSError.value("the background window \(b.lowerBound)...\(b.upperBound) eV is empty")
        }
    }

    /// How many raw channels make one bin of `si`.
    /// - Throws: `RapidEELSError.incompatible` when the dispersion does not divide the bin width.
    public func binFactor(_ si: SpectrumImage) throws -> Int { try binFactor(on: si.energy) }

    /// How many raw channels of `axis` make one bin (as `binFactor(_:)`).
    public func binFactor(on axis: UniformAxis) throws -> Int {
        let ratio = binWidth / axis.scale
        let factor = Int(ratio.rounded())
        guard factor >= 1, abs(ratio - Double(factor)) < 1e-6 else {
            let multiples = (1...3).map { fmtEV(axis.scale * Double($0)) }.joined(separator: ", ")
            throw RapidEELSError.incompatible("the data's dispersion is \(fmtEV(axis.scale)) eV/channel, which "
                + "does not divide the bin width \(fmtEV(binWidth)) eV: use a bin width that is a whole number of "
                + "channels (\(multiples) ... eV)")
        }
        return factor
    }

    /// `si` binned to `binWidth` on bins aligned with the window start, over all the data those bins cover.
    /// - Throws: `RapidEELSError.incompatible` for a dispersion that does not divide the bin width or data that do
    ///   not cover the window.
    public func binned(_ si: SpectrumImage) throws -> SpectrumImage {
        let factor = try binFactor(si)
        let start = try si.energy.channel(of: windowStart)
        let dataEnd = si.energy.offset + Double(si.channels) * si.energy.scale
        guard start >= 0, start + channels * factor <= si.channels else {
            throw RapidEELSError.incompatible(String(format: "the data cover %.2f-%.2f eV; the window needs "
                + "%.2f-%.2f eV: choose a window inside the data, or data of this edge", si.energy.offset, dataEnd,
                window.lowerBound, window.upperBound))
        }
        let phase = start % factor
        let usable = (si.channels - phase) / factor * factor
        var aligned = phase == 0 && usable == si.channels ? si : try si.crop(channels: phase..<(phase + usable))
        if factor > 1 { aligned = try aligned.rebin(energy: factor) }
        return aligned
    }

    /// The `channels` channels from `windowStart` of data already binned by `binned(_:)`.
    public func windowed(_ binned: SpectrumImage) throws -> SpectrumImage {
        let start = try binned.energy.channel(of: windowStart)
        guard start >= 0, start + channels <= binned.channels else {
            throw RapidEELSError.incompatible(String(format: "the data cover %.2f-%.2f eV; the window needs "
                + "%.2f-%.2f eV", binned.energy.offset, binned.energy.end + binned.energy.scale,
                window.lowerBound, window.upperBound))
        }
        var out = try binned.crop(channels: start..<(start + channels))
        out.energy = axis
        return out
    }

    /// Network inputs: raw counts on the window's axis (corrected, binned and windowed), not scaled.
    public func inputs(_ si: SpectrumImage) throws -> SpectrumImage { try inputs(corrected: corrected(si).image) }

    /// Where the network inputs lie in data on `axis`: the raw channel where the first bin starts and how many raw
    /// channels make a bin, with the geometry `binned` and `windowed` use (bins aligned with the window start);
    /// nil when the data do not cover the window (then `binned`/`windowed` throw the reason).
    /// - Throws: `RapidEELSError.incompatible` for a dispersion that does not divide the bin width.
    public func inputChannels(on energy: UniformAxis) throws -> (first: Int, factor: Int)? {
        let factor = try binFactor(on: energy)
        let start = try energy.channel(of: windowStart)
        guard start >= 0, start + channels * factor <= energy.size else { return nil }
        let phase = start % factor
        let usable = (energy.size - phase) / factor * factor
        var binnedAxis = phase == 0 && usable == energy.size ? energy : energy.cropped(to: phase..<(phase + usable))
        if factor > 1 { binnedAxis = binnedAxis.rebinned(by: factor) }
        let first = try binnedAxis.channel(of: windowStart)
        guard first >= 0, first + channels <= binnedAxis.size else { return nil }
        return (phase + first * factor, factor)
    }

    /// Network inputs of an image already through `corrected(_:)`: `windowed(binned(si))`, bit for bit, in one
    /// pass that reads only the window's channels (a live frame of 1,120 channels is not binned whole, and no
    /// intermediate image is made).
    public func inputs(corrected si: SpectrumImage) throws -> SpectrumImage {
        guard let (offset, factor) = try inputChannels(on: si.energy) else { return try windowed(binned(si)) }
        let raw = si.channels, width = channels, pixels = si.pixelCount
        let out = [Float](filling: pixels * width) { buffer in
            si.data.withUnsafeBufferPointer { src in
                for p in 0..<pixels {
                    let s = src.baseAddress! + p * raw + offset
                    let d = buffer.baseAddress! + p * width
                    if factor == 1 {
                        d.initialize(from: s, count: width)
                        continue
                    }
                    for i in 0..<width {          // the order of rebin's sum, so the same Float result
                        var acc: Float = 0
                        for j in 0..<factor { acc += s[i * factor + j] }
                        d[i] = acc
                    }
                }
            }
        }
        return si.withData(out, energy: axis)
    }

    /// Throws unless `si` holds at least one whole ground-truth block.
    public func checkBlock(_ si: SpectrumImage, name: String? = nil) throws {
        guard si.rows >= blockRows, si.columns >= blockColumns else {
            let label = name ?? si.metadata["title"] ?? "the spectrum image"
            throw RapidEELSError.incompatible("\(label) is \(si.rows) x \(si.columns) pixels, smaller than one "
                + "\(blockRows) x \(blockColumns) ground-truth block: choose a smaller block, e.g. "
                + "block: [\(min(blockRows, si.rows)), \(min(blockColumns, si.columns))]")
        }
    }

    /// The "1 FPS" ground truth of every pixel: its block's mean, background-subtracted (one power-law fit per
    /// block), windowed.
    /// - Throws: `RapidEELSError.incompatible` for an image smaller than a block or data that do not cover the
    ///   background window, and as `binned(_:)`.
    public func targets(_ si: SpectrumImage, assignment: BlockAssignment = .spatial) throws -> SpectrumImage {
        try targets(corrected: corrected(si).image, assignment: assignment)
    }

    /// Targets of an image already through `corrected(_:)`.
    public func targets(corrected si: SpectrumImage, assignment: BlockAssignment = .spatial) throws -> SpectrumImage {
        try checkBlock(si)
        let binned = try binned(si)
        let (means, blockOfPixel) = try binned.blockMeans(rows: blockRows, columns: blockColumns,
                                                          assignment: assignment)
        let blocks = means.count / binned.channels
        let blockImage = SpectrumImage(rows: 1, columns: blocks, energy: binned.energy, data: means)
        let subtracted = try windowed(backgroundSubtracted(blockImage))
        var out = [Float](repeating: 0, count: si.pixelCount * channels)
        for p in 0..<si.pixelCount {
            let b = blockOfPixel[p]
            out.replaceSubrange(p * channels..<(p + 1) * channels,
                                with: subtracted.data[b * channels..<(b + 1) * channels])
        }
        return binned.withData(out, energy: axis)
    }

    /// Binned spectra with one power-law background per pixel fitted on `background` and subtracted (unchanged
    /// without a background window): the step `targets` and `localTargets` share.
    /// - Throws: `RapidEELSError.incompatible` when the background window lies outside the data.
    func backgroundSubtracted(_ binned: SpectrumImage) throws -> SpectrumImage {
        guard let background else { return binned }
        let first = binned.energy.offset, last = binned.energy.end
        guard background.lowerBound >= first - 1e-9, background.upperBound <= last + binned.energy.scale else {
            throw RapidEELSError.incompatible(String(format: "the background window %.2f-%.2f eV is outside the "
                + "data (%.2f-%.2f eV): choose one inside the data before the edge, or background: nil",
                background.lowerBound, background.upperBound, first, last + binned.energy.scale))
        }
        return try binned.subtractingBackground(try binned.fitBackground(.powerLaw, in: background))
    }

    /// Every pixel's local ground truth (beyond the paper): the mean of the `window` (odd rows x columns, cut at
    /// the image's edges) pixels around it, background-subtracted with one power-law fit per pixel, windowed. Where
    /// `targets` gives each pixel its fixed block's mean, this gives it a window centred on itself.
    ///
    ///     let local = try method.localTargets(corrected: si, window: (21, 81))   // all 10 rows, ±40 columns
    /// - Throws: as `targets(corrected:)`, and `RapidEELSError.value` for an even or non-positive window.
    public func localTargets(corrected si: SpectrumImage, window: (rows: Int, columns: Int)) throws -> SpectrumImage {
        let binned = try binned(si)
        let local: SpectrumImage
        do {
            local = binned.withData(try slidingMean(binned.data, rows: binned.rows, columns: binned.columns,
                                                    depth: binned.channels, window: window), energy: binned.energy)
        } catch let error as EELSError { throw RapidEELSError.value(error.description) }
        return try windowed(backgroundSubtracted(local))
    }

    /// One line for tables: "635.00-665.00 eV at 0.25 eV (120 ch), background 600.00-630.00 eV, block 4 x 8".
    public var summary: String {
        String(format: "%.2f-%.2f eV at %@ eV (%d ch), ", window.lowerBound, window.upperBound, fmtEV(binWidth),
               channels)
            + (background.map { String(format: "background %.2f-%.2f eV", $0.lowerBound, $0.upperBound) }
                ?? "no background subtraction")
            + ", block \(blockRows) x \(blockColumns)"
            + (darkReference == nil ? "" : ", dark reference subtracted")
            + (drift == .none ? "" : ", " + drift.summary)
    }
}

func fmtEV(_ x: Double) -> String { String(format: "%g", x) }

/// The JSON form: the keys of `PaperMethod` (so files saved before the general method load unchanged) plus
/// `hasBackground`.
extension PreprocessingMethod: Codable {
    enum CodingKeys: String, CodingKey {
        case windowStart, binWidth, channels, backgroundStart, backgroundEnd, hasBackground, blockRows, blockColumns
        case dark, drift, maximumDrift
    }

    /// A spectrum as JSON: its axis and values.
    struct StoredSpectrum: Codable {
        var offset: Double, scale: Double, values: [Float]
        init(_ s: Spectrum) { offset = s.energy.offset; scale = s.energy.scale; values = s.values }
        var spectrum: Spectrum {
            Spectrum(values: values, energy: UniformAxis(offset: offset, scale: scale, size: values.count))
        }
    }

    /// The drift correction as JSON.
    struct StoredDrift: Codable {
        var kind: String
        var window: [Double]?
        var background: [Double]?
        var fraction: Double?
        var target: Double?
        var reference: StoredSpectrum?

        init(_ d: DriftCorrection) {
            switch d {
            case .none: kind = "none"
            case .mean: kind = "mean"
            case .onset(let w, let b, let f, let t):
                kind = "onset"; window = [w.lowerBound, w.upperBound]; background = [b.lowerBound, b.upperBound]
                fraction = f; target = t
            case .reference(let s): kind = "reference"; reference = StoredSpectrum(s)
            }
        }

        func correction() throws -> DriftCorrection {
            switch kind {
            case "none": return .none
            case "mean": return .mean
            case "onset":
                guard let w = window, w.count == 2, w[1] > w[0], let b = background, b.count == 2, b[1] > b[0] else {
                    throw RapidEELSError.model("the saved onset drift correction has no valid windows")
                }
                return .onset(window: w[0]...w[1], background: b[0]...b[1], fraction: fraction ?? 0.5, target: target)
            case "reference":
                guard let reference else { throw RapidEELSError.model("the saved drift reference has no spectrum") }
                return .reference(reference.spectrum)
            default: throw RapidEELSError.model("unknown drift correction '\(kind)' in the saved method")
            }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        windowStart = try c.decode(Double.self, forKey: .windowStart)
        binWidth = try c.decode(Double.self, forKey: .binWidth)
        channels = try c.decode(Int.self, forKey: .channels)
        let has = try c.decodeIfPresent(Bool.self, forKey: .hasBackground) ?? true
        if has {
            background = try c.decode(Double.self, forKey: .backgroundStart)...c.decode(Double.self, forKey: .backgroundEnd)
        } else {
            background = nil
        }
        blockRows = try c.decode(Int.self, forKey: .blockRows)
        blockColumns = try c.decode(Int.self, forKey: .blockColumns)
        darkReference = try c.decodeIfPresent(StoredSpectrum.self, forKey: .dark)?.spectrum
        drift = try c.decodeIfPresent(StoredDrift.self, forKey: .drift)?.correction() ?? .none
        maximumDrift = try c.decodeIfPresent(Double.self, forKey: .maximumDrift) ?? 3
        try validate()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(binWidth, forKey: .binWidth)
        try c.encode(channels, forKey: .channels)
        try c.encode(background != nil, forKey: .hasBackground)
        if let background {
            try c.encode(background.lowerBound, forKey: .backgroundStart)
            try c.encode(background.upperBound, forKey: .backgroundEnd)
        }
        try c.encode(blockRows, forKey: .blockRows)
        try c.encode(blockColumns, forKey: .blockColumns)
        if let darkReference { try c.encode(StoredSpectrum(darkReference), forKey: .dark) }
        if drift != .none {
            try c.encode(StoredDrift(drift), forKey: .drift)
            try c.encode(maximumDrift, forKey: .maximumDrift)
        }
    }
}
