/// Cropping and rebinning along the energy axis and over pixels.
extension UniformAxis {
    /// The channel range of an energy range with HyperSpy's `isig[a:b]` semantics: from the channel nearest
    /// `lower` up to (not including) the channel nearest `upper`.
    ///
    ///     UniformAxis(offset: 440, scale: 0.125, size: 1120).channels(in: 520...580)   // 640..<1120
    ///
    /// - Throws: `EELSError.value` when the range lies outside the axis or selects no channel.
    public func channels(in range: ClosedRange<Double>) throws -> Range<Int> {
        guard scale > 0 else { throw EELSError.value("the energy axis has a non-positive scale \(scale)") }
        let start = try channel(of: range.lowerBound), end = try channel(of: range.upperBound)
        guard start >= 0, end <= size, start < end else {
            throw EELSError.value("energy range \(range.lowerBound)...\(range.upperBound) \(units) is outside the "
                + "axis [\(offset), \(self.end)] \(units) or selects no channel")
        }
        return start..<end
    }

    /// The axis after taking channels `range`.
    public func cropped(to range: Range<Int>) -> UniformAxis {
        var axis = self
        axis.offset = value(at: range.lowerBound)
        axis.size = range.count
        return axis
    }

    /// The axis after summing `factor` adjacent channels (HyperSpy's rebin: the offset moves to the centre of
    /// the first new bin, the scale grows by the factor, a remainder is dropped).
    public func rebinned(by factor: Int) -> UniformAxis {
        var axis = self
        axis.offset = offset + Double(factor - 1) * scale / 2
        axis.scale = scale * Double(factor)
        axis.size = size / factor
        return axis
    }
}

extension Spectrum {
    /// The channels whose energies lie in `range` (HyperSpy `isig[lower:upper]`: upper end exclusive).
    ///
    ///     let edge = try spectrum.crop(520...580)
    public func crop(_ range: ClosedRange<Double>) throws -> Spectrum {
        let channels = try energy.channels(in: range)
        return Spectrum(values: Array(values[channels]), energy: energy.cropped(to: channels), metadata: metadata)
    }

    /// Sums `factor` adjacent channels (HyperSpy `rebin(scale=[factor])`); a remainder at the end is dropped.
    ///
    ///     try Spectrum(values: [1, 2, 3, 4, 5], energy: axis).rebin(energy: 2).values   // [3, 7]
    public func rebin(energy factor: Int) throws -> Spectrum {
        guard factor >= 1, factor <= values.count else {
            throw EELSError.value("rebin factor \(factor) must be between 1 and the channel count \(values.count)")
        }
        let n = values.count / factor
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var acc: Float = 0
            for j in 0..<factor { acc += values[i * factor + j] }
            out[i] = acc
        }
        return Spectrum(values: out, energy: energy.rebinned(by: factor), metadata: metadata)
    }
}

extension SpectrumImage {
    /// The channels whose energies lie in `range`, for every pixel (one contiguous copy per pixel).
    ///
    ///     let window = try si.crop(520...580)   // channels 520 <= E < 580 eV
    public func crop(_ range: ClosedRange<Double>) throws -> SpectrumImage {
        try crop(channels: energy.channels(in: range))
    }

    /// The given channel indices of every pixel.
    public func crop(channels range: Range<Int>) throws -> SpectrumImage {
        guard range.lowerBound >= 0, range.upperBound <= channels, !range.isEmpty else {
            throw EELSError.value("channels \(range) are outside 0..<\(channels)")
        }
        let width = range.count, oldWidth = channels, start = range.lowerBound, pixels = pixelCount
        let out = [Float](filling: pixels * width) { buffer in
            data.withUnsafeBufferPointer { src in
                for p in 0..<pixels {
                    (buffer.baseAddress! + p * width).initialize(from: src.baseAddress! + p * oldWidth + start,
                                                                  count: width)
                }
            }
        }
        return withData(out, energy: energy.cropped(to: range))
    }

    /// Sums `factor` adjacent energy channels in every pixel (HyperSpy `rebin(scale=[1, 1, factor])`).
    ///
    ///     try si.rebin(energy: 2)   // 0.125 eV/channel -> 0.25 eV/channel, counts summed
    public func rebin(energy factor: Int) throws -> SpectrumImage {
        guard factor >= 1, factor <= channels else {
            throw EELSError.value("rebin factor \(factor) must be between 1 and the channel count \(channels)")
        }
        let newChannels = channels / factor, oldChannels = channels, pixels = pixelCount
        let out = [Float](filling: pixels * newChannels) { buffer in
            data.withUnsafeBufferPointer { src in
                for p in 0..<pixels {
                    let s = src.baseAddress! + p * oldChannels
                    let d = buffer.baseAddress! + p * newChannels
                    for i in 0..<newChannels {
                        var acc: Float = 0
                        for j in 0..<factor { acc += s[i * factor + j] }
                        d[i] = acc
                    }
                }
            }
        }
        return withData(out, energy: energy.rebinned(by: factor))
    }

    /// Sums blocks of `pixels[0]` rows x `pixels[1]` columns (HyperSpy `rebin(scale=[r, c, 1])`); rows or
    /// columns left over at the edges are dropped.
    ///
    ///     try si.rebin(pixels: [2, 2])   // 10 x 638 -> 5 x 319, each spectrum the sum of 4
    public func rebin(pixels factors: [Int]) throws -> SpectrumImage {
        guard factors.count == 2, factors[0] >= 1, factors[1] >= 1, factors[0] <= rows, factors[1] <= columns else {
            throw EELSError.value("rebin(pixels:) needs [rowFactor, columnFactor] within \(rows) x \(columns), "
                + "got \(factors)")
        }
        let fr = factors[0], fc = factors[1], newRows = rows / fr, newColumns = columns / fc, ch = channels
        var out = [Float](repeating: 0, count: newRows * newColumns * ch)
        out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                for r in 0..<(newRows * fr) {
                    for c in 0..<(newColumns * fc) {
                        let d = dst.baseAddress! + ((r / fr) * newColumns + c / fc) * ch
                        let s = src.baseAddress! + (r * columns + c) * ch
                        for k in 0..<ch { d[k] += s[k] }
                    }
                }
            }
        }
        var result = SpectrumImage(rows: newRows, columns: newColumns, energy: energy, data: out, metadata: metadata)
        result.rowAxis = rowAxis.rebinned(by: fr)
        result.columnAxis = columnAxis.rebinned(by: fc)
        return result
    }

    /// A spectrum image with the same pixels and spatial axes over new data (pixelCount * energy.size values).
    public func withData(_ newData: [Float], energy newEnergy: UniformAxis) -> SpectrumImage {
        var result = SpectrumImage(rows: rows, columns: columns, energy: newEnergy, data: newData, metadata: metadata)
        result.rowAxis = rowAxis
        result.columnAxis = columnAxis
        return result
    }
}
