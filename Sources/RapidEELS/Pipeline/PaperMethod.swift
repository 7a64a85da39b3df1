import EELS
import Foundation

/// The paper's preprocessing, exactly (DESIGN.md, "The paper's method, exactly"):
/// inputs are raw counts binned to 0.25 eV and cut to 520-580 eV (240 channels); targets are the 10 x 40 block
/// means ("1 FPS"), power-law background fitted on 498-528 eV and subtracted, cut to the same window.
///
///     let method = PaperMethod()
///     let x = try method.inputs(si)    // rows x columns x 240, raw counts
///     let y = try method.targets(si)   // rows x columns x 240, background-subtracted block means
public struct PaperMethod: Codable, Sendable, Equatable {
    /// First energy of the network window (eV); the window holds `channels` channels of `binWidth`.
    public var windowStart: Double = 520
    /// Channel width the network expects (eV).
    public var binWidth: Double = 0.25
    /// Channels in the network window (520-580 eV at 0.25 eV).
    public var channels: Int = 240
    /// Power-law fit window for the ground truth (eV).
    public var backgroundStart: Double = 498
    public var backgroundEnd: Double = 528
    /// The ground-truth block (rows x columns of pixels).
    public var blockRows: Int = 10
    public var blockColumns: Int = 40

    public init() {}

    /// The network's energy axis: 520, 520.25, ..., 579.75 eV.
    public var axis: UniformAxis { UniformAxis(offset: windowStart, scale: binWidth, size: channels) }

    /// Sums adjacent channels so the dispersion becomes `binWidth` (0.125 -> 0.25 eV sums pairs).
    /// - Throws: `RapidEELSError.incompatible` when the dispersion is not `binWidth` divided by an integer.
    public func binned(_ si: SpectrumImage) throws -> SpectrumImage {
        let ratio = binWidth / si.energy.scale
        let factor = Int(ratio.rounded())
        guard factor >= 1, abs(ratio - Double(factor)) < 1e-6 else {
            throw RapidEELSError.incompatible("the data's dispersion is \(si.energy.scale) eV/channel; the model needs "
                + "\(binWidth) eV/channel, which is not a whole number of its channels")
        }
        return factor == 1 ? si : try si.rebin(energy: factor)
    }

    /// The `channels` channels starting at `windowStart` of data already on the `binWidth` grid.
    /// - Throws: `RapidEELSError.incompatible` when the data do not cover the window or are off the grid.
    public func windowed(_ si: SpectrumImage) throws -> SpectrumImage {
        let start = try si.energy.channel(of: windowStart)
        let offGrid = abs(windowStart - si.energy.value(at: start)) / si.energy.scale
        guard offGrid < 0.26, start >= 0, start + channels <= si.channels else {
            throw RapidEELSError.incompatible(String(format: "the data cover %.2f-%.2f eV; the model needs "
                + "%.2f-%.2f eV", si.energy.offset, si.energy.end + si.energy.scale, windowStart,
                windowStart + Double(channels) * binWidth))
        }
        var out = try si.crop(channels: start..<(start + channels))
        out.energy = axis
        return out
    }

    /// Network inputs: raw counts on the model's axis (binned and windowed), not scaled.
    public func inputs(_ si: SpectrumImage) throws -> SpectrumImage { try windowed(binned(si)) }

    /// The "1 FPS" ground truth of every pixel: its block's mean, background-subtracted, windowed.
    /// One power-law fit per block (every pixel of a block shares it).
    public func targets(_ si: SpectrumImage, assignment: BlockAssignment = .spatial) throws -> SpectrumImage {
        let binned = try binned(si)
        let (means, blockOfPixel) = try binned.blockMeans(rows: blockRows, columns: blockColumns,
                                                          assignment: assignment)
        let blocks = means.count / binned.channels
        let blockImage = SpectrumImage(rows: 1, columns: blocks, energy: binned.energy, data: means)
        let fits = try blockImage.fitBackground(.powerLaw, in: backgroundStart...backgroundEnd)
        let subtracted = try windowed(blockImage.subtractingBackground(fits))
        var out = [Float](repeating: 0, count: si.pixelCount * channels)
        for p in 0..<si.pixelCount {
            let b = blockOfPixel[p]
            out.replaceSubrange(p * channels..<(p + 1) * channels,
                                with: subtracted.data[b * channels..<(b + 1) * channels])
        }
        return binned.withData(out, energy: axis)
    }
}

/// Errors of the RapidEELS workflow, each saying what was expected.
public enum RapidEELSError: Error, CustomStringConvertible, Equatable {
    /// Data that cannot be brought onto the model's axis or shape.
    case incompatible(String)
    /// A model file or its metadata is not what the workflow needs.
    case model(String)
    /// A bad argument.
    case value(String)

    public var description: String {
        switch self {
        case .incompatible(let m), .model(let m), .value(let m): return m
        }
    }
}
