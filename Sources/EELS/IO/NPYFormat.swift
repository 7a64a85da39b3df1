import Foundation

/// NumPy's .npy format (versions 1-3), with an optional JSON sidecar (`name.json` beside `name.npy`) holding
/// the axes and the kind of data, so a NumPy or HyperSpy user can pick results up with calibrations.
///
/// Layout without a sidecar: 1D -> `Spectrum` (uncalibrated), 2D -> `Image2D`, 3D -> `SpectrumImage`
/// (rows, columns, channels: HyperSpy's order for a spectrum image), complex or more than 3D -> `RawArray`.
///
///     try NPYFormat.write(si, to: "/tmp/si.npy")        // also writes /tmp/si.json with the axes
///     let back = try load("/tmp/si.npy").spectrumImage  // same data and axes
public enum NPYFormat {
    /// The sidecar's content: C-order axes like HyperSpy's axes dictionaries, the kind, and metadata.
    public struct Sidecar: Codable, Equatable, Sendable {
        public struct Axis: Codable, Equatable, Sendable {
            public var name: String
            public var offset: Double
            public var scale: Double
            public var size: Int
            public var units: String
            public var navigate: Bool
        }
        /// "spectrum", "spectrumImage" or "image".
        public var kind: String
        public var axes: [Axis]
        public var metadata: [String: String]
    }

    /// The sidecar path for a .npy path: the extension replaced by .json.
    public static func sidecarPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingPathExtension().appendingPathExtension("json").path
    }

    /// The sidecar beside `path`, when there is one that parses.
    public static func sidecar(for path: String) -> Sidecar? {
        guard let data = FileManager.default.contents(atPath: sidecarPath(for: path)) else { return nil }
        return try? JSONDecoder().decode(Sidecar.self, from: data)
    }

    /// Parsed .npy header.
    struct Header {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]
        var dataOffset: Int
    }

    static func parseHeader(_ bytes: [UInt8], path: String) throws -> Header {
        var reader = ByteReader(bytes: bytes, path: path)
        let magic = try reader.readBytes(6, what: "NPY magic")
        guard magic.elementsEqual([0x93] + Array("NUMPY".utf8)) else { throw reader.error("not an NPY file (bad magic)") }
        let major = try reader.readUInt8(what: "NPY major version")
        _ = try reader.readUInt8(what: "NPY minor version")
        guard (1...3).contains(major) else { throw reader.error("NPY version \(major) is not supported") }
        let headerLength = Int(try reader.readUInt(width: major == 1 ? 2 : 4, bigEndian: false, what: "header length"))
        let text = String(decoding: try reader.readBytes(headerLength, what: "NPY header"), as: UTF8.self)
        func field(_ key: String) -> Substring? {
            guard let range = text.range(of: "'\(key)'") else { return nil }
            return text[range.upperBound...].drop { $0 == ":" || $0 == " " }
        }
        guard let descrField = field("descr"), descrField.first == "'",
              let end = descrField.dropFirst().firstIndex(of: "'") else {
            throw EELSError.file(path: path, detail: "NPY header has no 'descr' string: \(text.prefix(80))")
        }
        let descr = String(descrField[descrField.index(after: descrField.startIndex)..<end])
        let fortran = field("fortran_order").map { $0.hasPrefix("True") } ?? false
        guard let shapeField = field("shape"), shapeField.first == "(",
              let close = shapeField.firstIndex(of: ")") else {
            throw EELSError.file(path: path, detail: "NPY header has no 'shape' tuple: \(text.prefix(80))")
        }
        let parts = shapeField[shapeField.index(after: shapeField.startIndex)..<close]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for p in parts {
            guard let v = Int(p), v >= 0, v <= Int(Int32.max) else {
                throw EELSError.file(path: path, detail: "NPY shape entry '\(p)' is not a size")
            }
            shape.append(v)
        }
        return Header(descr: descr, fortranOrder: fortran, shape: shape, dataOffset: reader.offset)
    }

    /// Reads an .npy file held in memory.
    ///
    /// - Throws: `EELSError.file` for unsupported dtypes, truncated data or malformed headers.
    public static func read(bytes: [UInt8], path: String, sidecar: Sidecar? = nil) throws -> LoadedData {
        let header = try parseHeader(bytes, path: path)
        let descr = header.descr
        guard descr.count >= 3, let width = Int(descr.dropFirst(2)) else {
            throw EELSError.file(path: path, detail: "NPY dtype '\(descr)' is not supported")
        }
        let little = descr.first != ">"
        let kind = descr.dropFirst().first!
        var count = 1
        for d in header.shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= Int(Int32.max) * 4 else { throw EELSError.file(path: path, detail: "NPY shape overflows") }
            count = p
        }
        let components = kind == "c" ? 2 : 1
        let elementWidth = width / components
        let simple: DMSimpleType
        switch (kind, elementWidth) {
        case ("f", 4), ("c", 4): simple = .float32
        case ("f", 8), ("c", 8): simple = .float64
        case ("i", 1): simple = .int8
        case ("i", 2): simple = .int16
        case ("i", 4): simple = .int32
        case ("i", 8): simple = .int64
        case ("u", 1), ("b", 1): simple = .bool
        case ("u", 2): simple = .uint16
        case ("u", 4): simple = .uint32
        case ("u", 8): simple = .uint64
        default: throw EELSError.file(path: path, detail: "NPY dtype '\(descr)' is not supported")
        }
        let needed = count * width
        guard needed <= bytes.count - header.dataOffset else {
            throw EELSError.file(path: path, detail: "truncated: NPY data need \(needed) bytes after the header "
                + "at offset \(header.dataOffset) but \(bytes.count - header.dataOffset) remain")
        }
        let total = count * components
        var values: [Float]
        if simple == .float32 && little {
            values = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: raw[header.dataOffset..<header.dataOffset + total * 4]))
                }
                initialized = total
            }
        } else {
            values = (0..<total).map {
                Float(simple.decode(bytes, at: header.dataOffset + $0 * elementWidth, littleEndian: little))
            }
        }
        if header.fortranOrder && header.shape.count > 1 {
            values = fortranToC(values, shape: header.shape, components: components)
        }
        let shape = header.shape
        let axes = sidecar?.axes.map {
            UniformAxis(offset: $0.offset, scale: $0.scale, size: $0.size, units: $0.units, name: $0.name)
        }
        let axesFit = axes.map { $0.map(\.size) == shape } ?? false
        var metadata = sidecar?.metadata ?? [:]
        metadata["source"] = path
        metadata["format"] = "NPY"
        metadata["dtype"] = descr
        if kind == "c" || shape.count > 3 || shape.isEmpty {
            let family: DMValueFamily = kind == "c" ? .complex : (kind == "f" ? .float : .signedInteger)
            return .raw(RawArray(shape: shape, dtype: descr, family: family, values: values.map(Double.init),
                                 axes: axesFit ? axes! : [], metadata: metadata))
        }
        func axis(_ i: Int, _ fallback: UniformAxis) -> UniformAxis { axesFit ? axes![i] : fallback }
        switch shape.count {
        case 1:
            return .spectrum(Spectrum(values: values, energy: axis(0, UniformAxis(offset: 0, scale: 1, size: shape[0],
                                                                                    units: "", name: "")),
                                      metadata: metadata))
        case 2:
            if sidecar?.kind == "spectrumImage" {
                var si = SpectrumImage(rows: shape[0], columns: 1, energy: axis(1, UniformAxis(offset: 0, scale: 1,
                                                                                            size: shape[1])),
                                       data: values, metadata: metadata)
                si.rowAxis = axis(0, si.rowAxis)
                return .spectrumImage(si)
            }
            return .image(Image2D(rows: shape[0], columns: shape[1], data: values,
                                  rowAxis: axesFit ? axes![0] : nil, columnAxis: axesFit ? axes![1] : nil,
                                  metadata: metadata))
        default:
            var si = SpectrumImage(rows: shape[0], columns: shape[1],
                                   energy: axis(2, UniformAxis(offset: 0, scale: 1, size: shape[2], units: "", name: "")),
                                   data: values, metadata: metadata)
            si.rowAxis = axis(0, si.rowAxis)
            si.columnAxis = axis(1, si.columnAxis)
            return .spectrumImage(si)
        }
    }

    static func fortranToC(_ values: [Float], shape: [Int], components: Int) -> [Float] {
        var out = values
        let n = shape.reduce(1, *)
        var index = [Int](repeating: 0, count: shape.count)
        for f in 0..<n {
            // f enumerates Fortran order: the first index fastest.
            var c = 0
            for d in 0..<shape.count { c = c * shape[d] + index[d] }
            for k in 0..<components { out[c * components + k] = values[f * components + k] }
            var d = 0
            while d < shape.count {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d += 1
            }
        }
        return out
    }

    /// The bytes of a version-1 .npy file of little-endian float32 values in C order.
    public static func encode(values: [Float], shape: [Int]) -> [UInt8] {
        precondition(shape.reduce(1, *) == values.count, "NPY: shape \(shape) for \(values.count) values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        values.withUnsafeBytes { out += $0 }
        return out
    }

    static func writeFiles(values: [Float], shape: [Int], sidecar: Sidecar, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(encode(values: values, shape: shape)).write(to: url)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(sidecar).write(to: URL(fileURLWithPath: sidecarPath(for: path)))
        } catch {
            throw EELSError.file(path: path, detail: "cannot write: \(error.localizedDescription)")
        }
    }

    private static func axis(_ a: UniformAxis, navigate: Bool) -> Sidecar.Axis {
        Sidecar.Axis(name: a.name, offset: a.offset, scale: a.scale, size: a.size, units: a.units, navigate: navigate)
    }

    /// Writes a spectrum as a 1D float32 .npy plus its JSON sidecar.
    public static func write(_ spectrum: Spectrum, to path: String) throws {
        try writeFiles(values: spectrum.values, shape: [spectrum.values.count],
                       sidecar: Sidecar(kind: "spectrum", axes: [axis(spectrum.energy, navigate: false)],
                                        metadata: spectrum.metadata), to: path)
    }

    /// Writes a spectrum image as a (rows, columns, channels) float32 .npy plus its JSON sidecar.
    public static func write(_ si: SpectrumImage, to path: String) throws {
        let axes = [axis(si.rowAxis, navigate: true), axis(si.columnAxis, navigate: true),
                    axis(si.energy, navigate: false)]
        try writeFiles(values: si.data, shape: [si.rows, si.columns, si.channels],
                       sidecar: Sidecar(kind: "spectrumImage", axes: axes, metadata: si.metadata), to: path)
    }

    /// Writes a 2D image as a (rows, columns) float32 .npy plus its JSON sidecar.
    public static func write(_ image: Image2D, to path: String) throws {
        try writeFiles(values: image.data, shape: [image.rows, image.columns],
                       sidecar: Sidecar(kind: "image", axes: [axis(image.rowAxis, navigate: false),
                                                              axis(image.columnAxis, navigate: false)],
                                        metadata: image.metadata), to: path)
    }
}
