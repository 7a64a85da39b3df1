import EELS
import Foundation

extension PreprocessingMethod {
    /// Each raw pixel in the ground truth's units: binned, its own power-law background fitted on the method's
    /// background window and subtracted, cut to the window; no averaging over a block and no model. This is the
    /// "raw" spectrum of the paper's Fig. 7A and the raw curve of Fig. 5B, comparable with `targets(_:)` and with a
    /// denoiser's output.
    ///
    ///     let raw = try PreprocessingMethod.paper.subtractedInputs(si)   // rows x columns x 240, counts per bin
    /// - Throws: `RapidEELSError.incompatible` for a method without a background window, a background window
    ///   outside the data, and as `binned(_:)`.
    public func subtractedInputs(_ si: SpectrumImage) throws -> SpectrumImage {
        guard let background else {
            throw RapidEELSError.incompatible("the method has no background window (background: nil), so there is "
                + "no background to subtract: use modelInput for the raw counts")
        }
        let binned = try binned(corrected(si).image)
        let first = binned.energy.offset, last = binned.energy.end + binned.energy.scale
        guard background.lowerBound >= first - 1e-9, background.upperBound <= last else {
            throw RapidEELSError.incompatible(String(format: "the background window %.2f-%.2f eV is outside the "
                + "data (%.2f-%.2f eV)", background.lowerBound, background.upperBound, first, last))
        }
        let fits = try binned.fitBackground(.powerLaw, in: background)
        return try windowed(binned.subtractingBackground(fits))
    }
}
