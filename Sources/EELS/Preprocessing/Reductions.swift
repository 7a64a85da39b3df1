extension SpectrumImage {
    /// The mean of all pixels' spectra (channels values on the same energy axis).
    ///
    ///     let mean = si.meanSpectrum()   // mean.values.count == si.channels
    public func meanSpectrum() -> Spectrum {
        var s = sumSpectrum()
        let n = Float(Swift.max(pixelCount, 1))
        for k in s.values.indices { s.values[k] /= n }
        return s
    }

    /// The sum of all pixels' spectra (accumulated in Double, returned as Float).
    public func sumSpectrum() -> Spectrum {
        var acc = [Double](repeating: 0, count: channels)
        data.withUnsafeBufferPointer { d in
            for p in 0..<pixelCount {
                let base = p * channels
                for k in 0..<channels { acc[k] += Double(d[base + k]) }
            }
        }
        return Spectrum(values: acc.map { Float($0) }, energy: energy, metadata: metadata)
    }

    /// The total counts of each pixel, rows x columns (an intensity map).
    public func intensityMap() -> Image2D {
        var out = [Float](repeating: 0, count: pixelCount)
        data.withUnsafeBufferPointer { d in
            for p in 0..<pixelCount {
                var acc: Float = 0
                for k in 0..<channels { acc += d[p * channels + k] }
                out[p] = acc
            }
        }
        return Image2D(rows: rows, columns: columns, data: out, rowAxis: rowAxis, columnAxis: columnAxis,
                       metadata: metadata)
    }
}
