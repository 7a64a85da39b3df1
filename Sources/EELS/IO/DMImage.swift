/// Layer 2 of the DigitalMicrograph reader: one image of the file's ImageList with its meaning: data type,
/// shape, calibrations (offset = -origin * scale, as DigitalMicrograph stores an origin in channels), units,
/// title, and where its data lie. Decoding the data is `DMImage+Data.swift`.
///
///     let file = try DMFile(path: "EELS_SI.dm4")
///     let image = file.images[0]
///     image.shape          // [2048, 2, 2]: raw C order, slowest first (DigitalMicrograph lists x first)
///     image.axes[0].offset // 300.0 (eV)
public struct DMImage: Sendable {
    /// The image's title (the ImageList entry's Name tag), "" when absent.
    public var title: String
    /// DigitalMicrograph's data type code (ImageData.DataType).
    public var dataType: DMImageDataType
    /// Dimensions as DigitalMicrograph lists them: fastest-varying (x) first.
    public var dimensions: [Int]
    /// Calibrated axes in raw C order (slowest first), matching `shape`.
    public var axes: [UniformAxis]
    /// Intensity calibration: origin, scale, units of the brightness.
    public var intensityUnits: String
    /// `ImageTags.Meta Data.Format` ("Spectrum", "Spectrum image", ...), "" when absent.
    public var format: String
    /// `ImageTags.Meta Data.Signal` ("EELS", ...), "" when absent.
    public var signal: String
    /// Where the data payload starts in the file, and its length in bytes.
    public var dataOffset: Int
    public var dataLength: Int
    /// Byte order of the data.
    public var littleEndian: Bool
    /// The position of this image in ImageList.
    public var listIndex: Int

    /// The shape in raw C order (slowest first), as NumPy and rosettasciio report it.
    public var shape: [Int] { dimensions.reversed() }
    /// The number of elements (pixels).
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// Reads image `index` of ImageList from a parsed tag tree.
    ///
    /// - Throws: `EELSError.file` naming the tag that is missing or inconsistent.
    public init(tree: DMTagTree, listIndex index: Int) throws {
        let prefix = "ImageList.\(index)"
        func fail(_ detail: String) -> EELSError { .file(path: tree.path, detail: "\(prefix): \(detail)") }
        guard let image = tree.root.tag(at: prefix)?.group else { throw fail("no such image group") }
        guard let imageData = image["ImageData"]?.group else { throw fail("ImageData group is missing") }
        func number(_ group: DMTagGroup, _ path: String) -> Double? {
            group.tag(at: path)?.data?.value(in: tree.bytes).number
        }
        func text(_ group: DMTagGroup, _ path: String) -> String? {
            guard let value = group.tag(at: path)?.data?.value(in: tree.bytes) else { return nil }
            switch value {
            case .text(let s): return s
            case .numbers(let v) where v.isEmpty: return ""
            default: return nil
            }
        }
        listIndex = index
        title = text(image, "Name") ?? ""
        guard let code = number(imageData, "DataType") else { throw fail("ImageData.DataType is missing") }
        guard let rawType = Int(exactly: code), let type = DMImageDataType(rawValue: rawType) else {
            throw fail("ImageData.DataType \(code) is not a DigitalMicrograph image type this reader knows")
        }
        dataType = type
        guard let dims = imageData["Dimensions"]?.group, !dims.entries.isEmpty else {
            throw fail("ImageData.Dimensions is missing or empty")
        }
        var sizes: [Int] = []
        for (i, entry) in dims.entries.enumerated() {
            guard let v = entry.tag.data?.value(in: tree.bytes).number, v >= 1, v <= Double(Int32.max) else {
                throw fail("ImageData.Dimensions.\(i) is not a positive size")
            }
            sizes.append(Int(v))
        }
        guard sizes.count <= 8 else { throw fail("\(sizes.count) dimensions; at most 8 are supported") }
        dimensions = sizes
        guard let data = imageData["Data"]?.data else { throw fail("ImageData.Data is missing") }
        dataOffset = data.payloadOffset
        dataLength = data.payloadLength
        littleEndian = data.littleEndian

        // Calibrations in DigitalMicrograph order (x first); missing ones default to origin 0, scale 1, no units.
        let calibrations = imageData.tag(at: "Calibrations.Dimension")?.group?.entries ?? []
        var dmAxes: [UniformAxis] = []
        for (i, size) in sizes.enumerated() {
            var origin = 0.0, scale = 1.0, units = ""
            if i < calibrations.count, let cal = calibrations[i].tag.group {
                origin = number(cal, "Origin") ?? 0
                scale = number(cal, "Scale") ?? 1
                units = text(cal, "Units") ?? ""
            }
            dmAxes.append(UniformAxis(offset: -origin * scale, scale: scale, size: size, units: units, name: ""))
        }
        intensityUnits = text(imageData, "Calibrations.Brightness.Units") ?? ""
        format = text(image, "ImageTags.Meta Data.Format") ?? ""
        signal = text(image, "ImageTags.Meta Data.Signal") ?? ""
        // Names as rosettasciio gives them: "Energy loss" for the eV axis of EELS data, then x, y, z.
        var rawAxes = Array(dmAxes.reversed())
        var unnamed = Array(rawAxes.indices)
        if signal == "EELS" || image.tag(at: "ImageTags.spim.eels") != nil,
           let energy = rawAxes.firstIndex(where: { $0.units == "eV" }) {
            rawAxes[energy].name = "Energy loss"
            unnamed.removeAll { $0 == energy }
        }
        for (index, name) in zip(unnamed.reversed(), ["x", "y", "z"]) { rawAxes[index].name = name }
        axes = rawAxes

        let needed = type.payloadBytes(dimensions: sizes)
        guard needed >= 0, needed <= dataLength else {
            throw fail("ImageData.Data holds \(dataLength) bytes but \(sizes) of \(type) need \(needed)")
        }
    }
}

/// DigitalMicrograph's image data types (ImageData.DataType codes).
public enum DMImageDataType: Int, Sendable, CaseIterable {
    case int16 = 1, float32 = 2, complex64 = 3, packedComplexOld = 5, uint8 = 6, int32 = 7, rgb = 8, int8 = 9
    case uint16 = 10, uint32 = 11, float64 = 12, complex128 = 13, bool = 14, rgba = 23
    case packedComplex64 = 27, packedComplex128 = 28

    /// The family of values, as NumPy's dtype kind.
    public var family: DMValueFamily {
        switch self {
        case .int8, .int16, .int32: return .signedInteger
        case .uint8, .uint16, .uint32: return .unsignedInteger
        case .float32, .float64: return .float
        case .complex64, .complex128, .packedComplexOld, .packedComplex64, .packedComplex128: return .complex
        case .rgb, .rgba: return .rgba
        case .bool: return .bool
        }
    }

    /// NumPy's name for the type rosettasciio returns ("float32", "complex64", "rgba" for the RGBA record).
    public var numpyName: String {
        switch self {
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .float32: return "float32"
        case .float64: return "float64"
        case .complex64, .packedComplexOld, .packedComplex64: return "complex64"
        case .complex128, .packedComplex128: return "complex128"
        case .rgb, .rgba: return "rgba"
        case .bool: return "bool"
        }
    }

    /// Bytes per stored element (per stored float for packed complex).
    public var storedBytes: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32, .rgb, .rgba, .packedComplexOld: return 4
        case .float64, .complex64, .packedComplex64: return 8
        case .complex128, .packedComplex128: return 16
        }
    }

    /// Payload bytes needed for an image of these DigitalMicrograph dimensions; -1 on overflow.
    func payloadBytes(dimensions: [Int]) -> Int {
        var count = 1
        for d in dimensions {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            if o || p > Int(Int32.max) * 4 { return -1 }
            count = p
        }
        switch self {
        case .packedComplex64, .packedComplex128:
            // (ny, nx / 2 + 1) complex values for an ny x nx image
            guard let nx = dimensions.first else { return -1 }
            return count / nx * (nx / 2 + 1) * storedBytes
        default:
            return count * storedBytes
        }
    }
}

/// The family of an image's values, NumPy's dtype kind.
public enum DMValueFamily: String, Sendable {
    case signedInteger = "int", unsignedInteger = "uint", float, complex, rgba, bool
}
