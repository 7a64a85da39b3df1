/// Decoding an image's data payload. Bounds were checked when the image was read, so these never trap.
extension DMImage {
    /// The data as Float in raw C order (slowest first), for real-valued types (integers, floats, bool).
    ///
    /// float32 little-endian data are copied with one memcpy.
    /// - Throws: `EELSError.value` for complex and RGB data (use `rawArray(in:)`).
    public func floatValues(in bytes: FileBytes) throws -> [Float] {
        let count = elementCount
        switch dataType.family {
        case .complex, .rgba:
            throw EELSError.value("\(title.isEmpty ? "image" : title) holds \(dataType.numpyName) data, "
                + "not real counts; read it as a RawArray")
        default: break
        }
        if dataType == .float32 && littleEndian {
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: raw[dataOffset..<dataOffset + count * 4]))
                }
                initialized = count
            }
        }
        let simple = simpleType
        let width = simple.byteCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                buffer[i] = Float(simple.decode(bytes, at: dataOffset + i * width, littleEndian: littleEndian))
            }
            initialized = count
        }
    }

    /// The data exactly as stored, in raw C order, with complex values interleaved and packed complex unpacked
    /// the way rosettasciio unpacks it.
    public func rawArray(in bytes: FileBytes, metadata: [String: String] = [:]) throws -> RawArray {
        let values: [Double]
        switch dataType {
        case .rgb, .rgba:
            // Stored B, G, R, A per pixel; returned R, G, B, A.
            values = (0..<elementCount).flatMap { i -> [Double] in
                let o = dataOffset + 4 * i
                return [Double(bytes[o + 2]), Double(bytes[o + 1]), Double(bytes[o]), Double(bytes[o + 3])]
            }
        case .complex64, .complex128:
            values = decodeFloats(count: 2 * elementCount, width: dataType == .complex64 ? 4 : 8)
        case .packedComplex64, .packedComplex128:
            values = try unpackHalfPlane(bytes)
        case .packedComplexOld:
            values = try unpackOldPackedComplex(bytes)
        default:
            values = try floatValuesAsDouble(in: bytes)
        }
        return RawArray(shape: shape, dtype: dataType.numpyName, family: dataType.family, values: values,
                        axes: axes, metadata: metadata)

        func decodeFloats(count: Int, width: Int) -> [Double] {
            let type: DMSimpleType = width == 4 ? .float32 : .float64
            return (0..<count).map { type.decode(bytes, at: dataOffset + $0 * width, littleEndian: littleEndian) }
        }
    }

    private func floatValuesAsDouble(in bytes: FileBytes) throws -> [Double] {
        let simple = simpleType
        return (0..<elementCount).map {
            simple.decode(bytes, at: dataOffset + $0 * simple.byteCount, littleEndian: littleEndian)
        }
    }

    /// The tag-level type of one stored real value.
    var simpleType: DMSimpleType {
        switch dataType {
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .uint8, .bool: return .bool  // one unsigned byte
        case .uint16: return .uint16
        case .uint32: return .uint32
        case .float64, .complex128, .packedComplex128: return .float64
        default: return .float32
        }
    }

    private func fail(_ detail: String) -> EELSError {
        .value("\(title.isEmpty ? "image" : title): \(detail)")
    }

    /// Types 27/28: an ny x nx FFT stored as its (ny, nx / 2 + 1) half plane; rebuilt as
    /// [half[:, ::-1], conj(half[:, 1:-1])] (rosettasciio's unpacking).
    private func unpackHalfPlane(_ bytes: FileBytes) throws -> [Double] {
        guard dimensions.count == 2 else { throw fail("packed complex data must be 2D, not \(dimensions.count)D") }
        let ny = dimensions[1], nx = dimensions[0], half = nx / 2 + 1
        let width = dataType == .packedComplex64 ? 4 : 8
        let type: DMSimpleType = width == 4 ? .float32 : .float64
        func stored(_ row: Int, _ col: Int) -> (Double, Double) {
            let o = dataOffset + (row * half + col) * 2 * width
            return (type.decode(bytes, at: o, littleEndian: littleEndian),
                    type.decode(bytes, at: o + width, littleEndian: littleEndian))
        }
        var out: [Double] = []
        out.reserveCapacity(2 * ny * nx)
        for row in 0..<ny {
            for col in stride(from: half - 1, through: 0, by: -1) {
                let (re, im) = stored(row, col)
                out += [re, im]
            }
            if half >= 3 {
                for col in 1..<(half - 1) {
                    let (re, im) = stored(row, col)
                    out += [re, -im]
                }
            }
        }
        guard out.count == 2 * ny * nx else { throw fail("packed complex width \(nx) does not unpack evenly") }
        return out
    }

    /// Type 5: the old 2N x 2N packed FFT layout (rosettasciio's `unpack_packed_complex`).
    private func unpackOldPackedComplex(_ bytes: FileBytes) throws -> [Double] {
        guard dimensions.count == 2, dimensions[0] == dimensions[1], dimensions[0] % 2 == 0 else {
            throw fail("old packed complex data must be a square 2N x 2N image, not \(shape)")
        }
        let size = dimensions[0], n = size / 2
        let t: [Double] = (0..<(size * size)).map {
            DMSimpleType.float32.decode(bytes, at: dataOffset + 4 * $0, littleEndian: littleEndian)
        }
        var re = [Double](repeating: 0, count: size * size), im = re
        func set(_ r: Int, _ c: Int, _ a: Double, _ b: Double) { re[r * size + c] = a; im[r * size + c] = b }
        func conjFrom(_ r: Int, _ c: Int, _ sr: Int, _ sc: Int) {
            set(r, c, re[sr * size + sc], -im[sr * size + sc])
        }
        set(n, 0, t[0], 0)
        set(0, 0, t[1], 0)
        set(n, n, t[2 * n * n], 0)
        set(0, n, t[2 * n * n + 1], 0)
        for i in 0..<n {  // top right quarter, except the first column
            let start = 2 * i * n + 2
            for j in 0..<(n - 1) { set(i, n + 1 + j, t[start + 2 * j], t[start + 2 * j + 1]) }
        }
        for j in 0..<(n - 1) {  // first column, bottom left quarter
            let o = 2 * n + j * 2 * n
            set(n + 1 + j, 0, t[o], t[o + 1])
        }
        var start = 2 * n * n + 2
        for j in 0..<(n - 1) { set(n, n + 1 + j, t[start + 2 * j], t[start + 2 * j + 1]) }
        start += 2 * (n - 1)
        for k in 0..<((n - 1) * n) {  // bottom right quarter, except the first row
            set(n + 1 + k / n, n + k % n, t[start + 2 * k], t[start + 2 * k + 1])
        }
        if n >= 2 {
            for j in 1..<n {
                conjFrom(0, j, 0, size - j)
                conjFrom(n, j, n, size - j)
                conjFrom(j, 0, size - j, 0)
                conjFrom(j, n, size - j, n)
            }
            for i in 1..<n { for j in 1..<n { conjFrom(i, j, size - i, size - j) } }
            for i in 1..<n { for j in 1..<n { conjFrom(n + i, j, n - i, size - j) } }
        }
        var out: [Double] = []
        out.reserveCapacity(2 * size * size)
        for k in 0..<(size * size) { out += [re[k], im[k]] }
        return out
    }
}
