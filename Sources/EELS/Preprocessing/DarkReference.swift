/// Dark-reference subtraction: the detector's signal without beam (read-out offset and dark current per channel)
/// removed from every pixel, channel by channel.
///
/// The dark reference is matched by channel, not by energy: it is a property of the detector read-out, so it must
/// have the SI's channel count; its energy calibration is not used.
///
///     let dark = try load("dark_reference.dm4").spectrum!
///     let clean = try si.subtractingDark(dark)
///     let fromFrames = try si.subtractingDark(darkSI)        // the mean of a dark SI
extension SpectrumImage {
    /// The SI minus `dark` in every pixel. With `clampAtZero`, negative results become 0.
    /// - Throws: `EELSError.shape` when the channel counts differ.
    public func subtractingDark(_ dark: Spectrum, clampAtZero: Bool = false) throws -> SpectrumImage {
        guard dark.values.count == channels else {
            throw EELSError.shape("dark reference has \(dark.values.count) channels but the spectrum image has "
                + "\(channels); a dark reference must come from the same detector read-out (same channel count)")
        }
        let ch = channels
        let out = [Float](filling: data.count) { dst in
            data.withUnsafeBufferPointer { src in
                dark.values.withUnsafeBufferPointer { d in
                    for p in 0..<pixelCount {
                        let base = p * ch
                        for k in 0..<ch {
                            let v = src[base + k] - d[k]
                            dst[base + k] = clampAtZero ? Swift.max(v, 0) : v
                        }
                    }
                }
            }
        }
        var result = withData(out, energy: energy)
        result.metadata["dark reference"] = dark.metadata["title"] ?? dark.metadata["source"] ?? "subtracted"
        return result
    }

    /// The SI minus the mean spectrum of a dark SI (dark frames acquired with the beam blanked).
    /// - Throws: `EELSError.shape` when the channel counts differ.
    public func subtractingDark(_ dark: SpectrumImage, clampAtZero: Bool = false) throws -> SpectrumImage {
        guard dark.channels == channels else {
            throw EELSError.shape("dark spectrum image has \(dark.channels) channels but the spectrum image has "
                + "\(channels); a dark reference must come from the same detector read-out (same channel count)")
        }
        guard dark.pixelCount > 0 else { throw EELSError.shape("dark spectrum image has no pixels") }
        return try subtractingDark(dark.meanSpectrum(), clampAtZero: clampAtZero)
    }
}

extension Spectrum {
    /// The spectrum minus a dark reference, channel by channel.
    ///
    ///     let clean = try spectrum.subtractingDark(dark)
    /// - Throws: `EELSError.shape` when the channel counts differ.
    public func subtractingDark(_ dark: Spectrum, clampAtZero: Bool = false) throws -> Spectrum {
        guard dark.values.count == values.count else {
            throw EELSError.shape("dark reference has \(dark.values.count) channels but the spectrum has "
                + "\(values.count); a dark reference must come from the same detector read-out (same channel count)")
        }
        var out = self
        for k in out.values.indices {
            let v = values[k] - dark.values[k]
            out.values[k] = clampAtZero ? Swift.max(v, 0) : v
        }
        return out
    }
}
