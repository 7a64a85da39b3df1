import Foundation

/// Data behind the paper's Fig. 2 (panels A-C), from simulated SIs. All spectra are counts per 0.125 eV channel on
/// the SI's axis (440-580 eV); means are over pixels.
extension SimulatedItem {
    /// The mean spectrum over a block of pixels (row and column ranges of the SI).
    /// - Throws: `EELSError.value` for an empty block or one outside the SI.
    ///
    ///     let centre = try item.meanSpectrum(rows: 0..<10, columns: 299..<339)
    public func meanSpectrum(rows: Range<Int>, columns: Range<Int>) throws -> Spectrum {
        let si = image
        guard !rows.isEmpty, !columns.isEmpty, rows.lowerBound >= 0, rows.upperBound <= si.rows,
              columns.lowerBound >= 0, columns.upperBound <= si.columns else {
            throw EELSError.value("block rows \(rows) x columns \(columns) is empty or outside the "
                + "\(si.rows) x \(si.columns) SI '\(name)'")
        }
        let channels = si.channels
        var sum = [Double](repeating: 0, count: channels)
        for r in rows {
            for c in columns {
                let start = (r * si.columns + c) * channels
                for k in 0..<channels { sum[k] += Double(si.data[start + k]) }
            }
        }
        let n = Double(rows.count * columns.count)
        return Spectrum(values: sum.map { Float($0 / n) }, energy: si.energy, metadata: ["title": name])
    }

    /// Fig. 2A: one pixel next to the mean of the `blockColumns`-wide, all-rows block centred on it.
    /// - Throws: `EELSError.value` for a pixel outside the SI.
    ///
    ///     let (pixel, mean) = try item.pixelAndBlockMean(row: 4, column: 319)
    public func pixelAndBlockMean(row: Int, column: Int, blockColumns: Int = 40) throws
        -> (pixel: Spectrum, blockMean: Spectrum) {
        let si = image
        guard (0..<si.rows).contains(row), (0..<si.columns).contains(column) else {
            throw EELSError.value("pixel (\(row), \(column)) is outside the \(si.rows) x \(si.columns) SI '\(name)'")
        }
        let width = Swift.min(Swift.max(blockColumns, 1), si.columns)
        let start = Swift.min(Swift.max(column - width / 2, 0), si.columns - width)
        let pixel = try meanSpectrum(rows: row..<row + 1, columns: column..<column + 1)
        return (pixel, try meanSpectrum(rows: 0..<si.rows, columns: start..<start + width))
    }

    /// Fig. 2C: the mean spectra of the leftmost, central and rightmost `blockColumns` columns (all rows), which
    /// show the descan shift across the scan.
    ///
    ///     let (left, centre, right) = try item.scanPositionMeans()
    public func scanPositionMeans(blockColumns: Int = 40) throws -> (left: Spectrum, centre: Spectrum, right: Spectrum) {
        let columns = image.columns, rows = 0..<image.rows
        let width = Swift.min(Swift.max(blockColumns, 1), columns)
        let middle = (columns - width) / 2
        return (try meanSpectrum(rows: rows, columns: 0..<width),
                try meanSpectrum(rows: rows, columns: middle..<middle + width),
                try meanSpectrum(rows: rows, columns: columns - width..<columns))
    }
}

extension SimulatedDataset {
    /// Fig. 2B: the mean spectrum of every pixel of the SIs of one state and thickness class.
    /// - Throws: `EELSError.value` when the dataset has no such SI.
    ///
    ///     let thin = try data.categoryMean(state: .initial, thickness: .thin)
    public func categoryMean(state: OxidationState, thickness: ThicknessClass) throws -> Spectrum {
        let members = items.filter { $0.state == state && $0.thicknessClass == thickness }
        guard let first = members.first else {
            throw EELSError.value("no simulated SI is \(state.rawValue) and \(thickness.rawValue)")
        }
        var sum = [Double](repeating: 0, count: first.image.channels)
        var pixels = 0
        for member in members {
            let mean = try member.meanSpectrum(rows: 0..<member.image.rows, columns: 0..<member.image.columns)
            let n = member.image.pixelCount
            for k in sum.indices { sum[k] += Double(mean.values[k]) * Double(n) }
            pixels += n
        }
        return Spectrum(values: sum.map { Float($0 / Double(pixels)) }, energy: first.image.energy,
                        metadata: ["title": "\(state.rawValue) \(thickness.rawValue) mean"])
    }
}
