/// Pixel-range slicing of spectrum images and 2D images (HyperSpy's `inav[a:b, c:d]`): the spatial axes keep
/// their scale and units, and their offsets move to the first kept pixel.
extension SpectrumImage {
    /// The pixels in `rows` x `columns` (half-open index ranges), with every channel.
    ///
    ///     var si = SpectrumImage(rows: 4, columns: 6, energy: UniformAxis(offset: 500, scale: 1, size: 3))
    ///     si.columnAxis = UniformAxis(offset: 10, scale: 1.99, size: 6, units: "nm", name: "x")
    ///     let sub = try si.slice(rows: 1..<3, columns: 2..<5)   // 2 x 3 pixels
    ///     sub.columnAxis.offset                                  // 13.98 (10 + 2 * 1.99)
    ///
    /// - Throws: `EELSError.value` when a range is empty or leaves the image.
    public func slice(rows rowRange: Range<Int>, columns columnRange: Range<Int>) throws -> SpectrumImage {
        try checkSlice(rowRange, of: rows, axis: "row")
        try checkSlice(columnRange, of: columns, axis: "column")
        let ch = channels, width = columnRange.count
        var out = [Float]()
        out.reserveCapacity(rowRange.count * width * ch)
        data.withUnsafeBufferPointer { src in
            for r in rowRange {
                let start = (r * columns + columnRange.lowerBound) * ch
                out.append(contentsOf: src[start..<start + width * ch])
            }
        }
        var result = SpectrumImage(rows: rowRange.count, columns: width, energy: energy, data: out, metadata: metadata)
        result.rowAxis = rowAxis.cropped(to: rowRange)
        result.columnAxis = columnAxis.cropped(to: columnRange)
        return result
    }

    /// The map of one channel (HyperSpy `isig[k]`): rows x columns values with this image's spatial axes.
    ///
    ///     let edge = try si.channelMap(100)   // an Image2D with si.rowAxis, si.columnAxis
    ///
    /// - Throws: `EELSError.value` when `channel` is outside the energy axis.
    public func channelMap(_ channel: Int) throws -> Image2D {
        guard channel >= 0, channel < channels else {
            throw EELSError.value("channel \(channel) is outside 0..<\(channels)")
        }
        let values = (0..<pixelCount).map { data[$0 * channels + channel] }
        var meta = metadata
        meta["title"] = (metadata["title"].map { $0 + " " } ?? "") + "at \(energy.value(at: channel)) \(energy.units)"
        return Image2D(rows: rows, columns: columns, data: values, rowAxis: rowAxis, columnAxis: columnAxis,
                       metadata: meta)
    }
}

extension Image2D {
    /// The pixels in `rows` x `columns` (half-open index ranges), axes offset to the first kept pixel.
    ///
    ///     let corner = try image.slice(rows: 0..<2, columns: 0..<2)
    ///
    /// - Throws: `EELSError.value` when a range is empty or leaves the image.
    public func slice(rows rowRange: Range<Int>, columns columnRange: Range<Int>) throws -> Image2D {
        try checkSlice(rowRange, of: rows, axis: "row")
        try checkSlice(columnRange, of: columns, axis: "column")
        var out = [Float]()
        out.reserveCapacity(rowRange.count * columnRange.count)
        for r in rowRange { out.append(contentsOf: data[(r * columns + columnRange.lowerBound)..<(r * columns + columnRange.upperBound)]) }
        return Image2D(rows: rowRange.count, columns: columnRange.count, data: out,
                       rowAxis: rowAxis.cropped(to: rowRange), columnAxis: columnAxis.cropped(to: columnRange),
                       metadata: metadata)
    }
}

private func checkSlice(_ range: Range<Int>, of size: Int, axis: String) throws {
    guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= size else {
        throw EELSError.value("\(axis)s \(range.lowerBound)..<\(range.upperBound) are "
            + (range.isEmpty ? "empty" : "outside 0..<\(size)"))
    }
}
