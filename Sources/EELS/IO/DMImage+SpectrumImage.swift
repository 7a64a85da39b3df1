import COpenBLAS

/// Decoding a 3D spectrum image straight into the layout the rest of the module uses.
extension DMImage {
    /// A 3D image's data as rows x columns x channels (channels fastest), decoded strip by strip straight from
    /// the file's (mapped) bytes and transposed into the result: no whole-image intermediate copy.
    /// DigitalMicrograph stores spectrum images with energy as the slowest axis, raw shape (channels, rows,
    /// columns); strips of channels are transposed with OpenBLAS (`cblas_somatcopy`).
    ///
    ///     let file = try DMFile(path: "EELS_SI.dm4")
    ///     let values = try file.images[0].channelsLastValues(in: file.tree.bytes)   // 2 x 2 x 2048
    ///
    /// - Throws: `EELSError.value` unless the image is 3D with real values.
    public func channelsLastValues(in bytes: FileBytes) throws -> [Float] {
        guard dimensions.count == 3 else {
            throw EELSError.value("\(title.isEmpty ? "image" : title) is \(dimensions.count)D, "
                + "not a 3D spectrum image")
        }
        switch dataType.family {
        case .complex, .rgba:
            throw EELSError.value("\(title.isEmpty ? "image" : title) holds \(dataType.numpyName) data, "
                + "not real counts; read it as a RawArray")
        default: break
        }
        let channels = dimensions[2], pixels = dimensions[0] * dimensions[1], count = channels * pixels
        precondition(dataOffset >= 0 && dataOffset + dataType.storedBytes * count <= bytes.count,
                     "DMImage bounds were checked when the image was read")
        return [Float](filling: count) { out in
            bytes.withUnsafeBytes { raw in
                let end = dataOffset + dataType.storedBytes * count
                let source = UnsafeRawBufferPointer(rebasing: raw[dataOffset..<end])
                decodeTransposed(source, into: out, channels: channels, pixels: pixels)
            }
        }
    }

    /// `bins` sums of `factor` adjacent channels from channel `first`, for every pixel, as rows x columns x bins
    /// (bins fastest): a binned energy window of a 3D spectrum image straight from the file's channel-major slab,
    /// with no intermediate image of the raw channels (live mode's frames). Each bin is summed in channel order
    /// starting from 0, as `SpectrumImage.rebin(energy:)` sums (factor 1 copies), so the values are crop + rebin's
    /// bit for bit.
    ///
    ///     let file = try DMFile(path: "frame_00001.dm4")      // 1,120 channels at 0.125 eV from 440 eV
    ///     let x = try file.images[0].binnedChannelsLast(in: file.tree.bytes, first: 640, factor: 2, bins: 240)
    ///
    /// - Throws: `EELSError.value` unless the image is 3D with real values and the channels exist.
    public func binnedChannelsLast(in bytes: FileBytes, first: Int, factor: Int, bins: Int) throws -> [Float] {
        guard dimensions.count == 3, dataType.family != .complex, dataType.family != .rgba else {
            throw EELSError.value("\(title.isEmpty ? "image" : title) is not a 3D spectrum image of real values")
        }
        let all = dimensions[2], pixels = dimensions[0] * dimensions[1]
        guard first >= 0, factor >= 1, bins >= 1, first + bins * factor <= all else {
            throw EELSError.value("\(bins) bins of \(factor) channels from channel \(first) are outside the image's "
                + "0..<\(all)")
        }
        precondition(dataOffset >= 0 && dataOffset + dataType.storedBytes * all * pixels <= bytes.count,
                     "DMImage bounds were checked when the image was read")
        let slab = UnsafeMutablePointer<Float>.allocate(capacity: bins * pixels)     // [bins][pixels]
        defer { slab.deallocate() }
        let row = UnsafeMutablePointer<Float>.allocate(capacity: pixels)
        defer { row.deallocate() }
        let simple = simpleType, width = simple.byteCount, little = littleEndian
        let copies = dataType == .float32 && littleEndian && 1.littleEndian == 1
        bytes.withUnsafeBytes { raw in
            let source = UnsafeRawBufferPointer(rebasing: raw[dataOffset..<(dataOffset + dataType.storedBytes * all * pixels)])
            func decode(channel k: Int, into out: UnsafeMutablePointer<Float>) {
                if copies {
                    UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress! + 4 * k * pixels,
                                                            byteCount: 4 * pixels)
                } else {
                    for p in 0..<pixels {
                        out[p] = Float(simple.decode(source, at: (k * pixels + p) * width, littleEndian: little))
                    }
                }
            }
            for i in 0..<bins {
                let sums = slab + i * pixels
                if factor == 1 {
                    decode(channel: first + i, into: sums)
                    continue
                }
                sums.initialize(repeating: 0, count: pixels)
                for f in 0..<factor {
                    decode(channel: first + i * factor + f, into: row)
                    for p in 0..<pixels { sums[p] += row[p] }
                }
            }
        }
        return [Float](filling: bins * pixels) { out in
            if bins <= Int(Int32.max), pixels <= Int(Int32.max) {
                cblas_somatcopy(CblasRowMajor, CblasTrans, blasint(bins), blasint(pixels), 1, slab, blasint(pixels),
                                out.baseAddress!, blasint(bins))
            } else {
                for i in 0..<bins { for p in 0..<pixels { out[p * bins + i] = slab[i * pixels + p] } }
            }
        }
    }

    /// Element (k, p) of the stored [channels][pixels] array goes to out[p * channels + k]. A strip of channel
    /// rows at a time (about 2 MB) is decoded into an aligned scratch buffer (one memcpy for little-endian
    /// float32: DM data offsets are rarely 4-byte aligned), then OpenBLAS transposes the strip into place.
    private func decodeTransposed(_ source: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<Float>,
                                  channels: Int, pixels: Int) {
        let strip = Swift.max(1, Swift.min(64, (2 << 20) / (4 * pixels)))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: strip * pixels)
        defer { scratch.deallocate() }
        let simple = simpleType, width = simple.byteCount, little = littleEndian
        let copies = dataType == .float32 && littleEndian && 1.littleEndian == 1
        var k0 = 0
        while k0 < channels {
            let rows = Swift.min(strip, channels - k0), start = k0 * pixels
            if copies {
                UnsafeMutableRawPointer(scratch).copyMemory(from: source.baseAddress! + 4 * start,
                                                           byteCount: 4 * rows * pixels)
            } else {
                for i in 0..<(rows * pixels) {
                    scratch[i] = Float(simple.decode(source, at: (start + i) * width, littleEndian: little))
                }
            }
            if channels <= Int(Int32.max), pixels <= Int(Int32.max) {
                cblas_somatcopy(CblasRowMajor, CblasTrans, blasint(rows), blasint(pixels), 1, scratch,
                                blasint(pixels), out.baseAddress! + k0, blasint(channels))
            } else {
                for k in 0..<rows { for p in 0..<pixels { out[p * channels + k0 + k] = scratch[k * pixels + p] } }
            }
            k0 += rows
        }
    }
}
