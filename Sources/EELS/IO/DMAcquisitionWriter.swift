import Foundation

/// The acquisition metadata written into a DM file's `ImageTags`, under the tag names DigitalMicrograph uses and
/// rosettasciio maps (EELS.Acquisition, EELS.Experimental Conditions, Microscope Info, Meta Data).
///
///     var tags = DMAcquisitionTags()
///     tags.exposure = 0.0025                   // 400 FPS
///     tags.extra = ["Class": "Mn3+"]           // written under ImageTags.RapidEELS
public struct DMAcquisitionTags: Sendable, Equatable {
    /// Exposure per spectrum (dwell time per pixel), s: 2.5 ms at 400 FPS.
    public var exposure: Double = 0.0025
    /// Frames summed per spectrum.
    public var numberOfFrames: Int = 1
    /// Collection and convergence semi-angles, mrad (the paper: 24 and 8).
    public var collectionAngle: Double = 24
    public var convergenceAngle: Double = 8
    /// Beam energy, V (200 kV).
    public var voltage: Double = 200_000
    public var microscope: String = "JEOL 2100F (simulated)"
    public var spectrometer: String = "GIF Quantum + K2 Summit (simulated)"
    /// Intensity units (ImageData.Calibrations.Brightness.Units).
    public var intensityUnits: String = "Counts"
    /// Free text key-value pairs written as ImageTags.RapidEELS.<key> (e.g. the simulated class and thickness).
    public var extra: [String: String] = [:]

    public init() {}
}

/// Writes spectra, spectrum images and 2D images as complete DigitalMicrograph 3/4 files, laid out the way an
/// acquisition in DigitalMicrograph saves them: `ImageList` holding one image (no thumbnail) with
/// `ImageData.{Calibrations.{Brightness, Dimension[], DisplayCalibratedUnits}, Data, DataType, Dimensions[],
/// PixelDepth}`, `ImageTags.{Meta Data, EELS, EELS Spectrometer, Microscope Info, RapidEELS}`, `Name`, and
/// `DocumentObjectList`/`ImageSourceList` so that DigitalMicrograph can display it. Data are float32,
/// little-endian; calibrations use DigitalMicrograph's convention `value = (index - Origin) x Scale`, with
/// Origin and Scale stored as float32 as DigitalMicrograph does (so an axis comes back within float32 rounding),
/// and units "px" written as "" (DigitalMicrograph's uncalibrated axis).
///
/// A spectrum image is stored with energy as the slowest axis: Dimensions [columns, rows, channels] (x, y, E),
/// data in C order (channels, rows, columns), Meta Data.Format "Spectrum image", Signal "EELS".
///
///     try DMWriter.write(si, to: "mn3_02.dm4")
///     let back = try load("mn3_02.dm4").spectrumImage!     // same data and axes
///     let bytes = DMWriter.bytes(spectrum, version: 3)      // a DM3 spectrum
public enum DMWriter {
    /// The file bytes of a spectrum image.
    public static func bytes(_ si: SpectrumImage, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) -> [UInt8] {
        // (channels, rows, columns) in C order: element (k, p) = si.data[p * channels + k].
        let channels = si.channels, pixels = si.pixelCount
        var stored = [Float](repeating: 0, count: si.data.count)
        si.data.withUnsafeBufferPointer { src in
            stored.withUnsafeMutableBufferPointer { dst in
                for p in 0..<pixels {
                    let base = p * channels
                    for k in 0..<channels { dst[k * pixels + p] = src[base + k] }
                }
            }
        }
        return build(values: stored, axesFastestFirst: [si.columnAxis, si.rowAxis, si.energy], format: "Spectrum image",
                     signal: "EELS", version: version, title: title.isEmpty ? si.metadata["title"] ?? "" : title,
                     tags: tags)
    }

    /// The file bytes of a single spectrum (1D, Format "Spectrum").
    public static func bytes(_ spectrum: Spectrum, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) -> [UInt8] {
        build(values: spectrum.values, axesFastestFirst: [spectrum.energy], format: "Spectrum", signal: "EELS",
              version: version, title: title.isEmpty ? spectrum.metadata["title"] ?? "" : title, tags: tags)
    }

    /// The file bytes of a 2D image (Format "Image", no signal type).
    public static func bytes(_ image: Image2D, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) -> [UInt8] {
        build(values: image.data, axesFastestFirst: [image.columnAxis, image.rowAxis], format: "Image", signal: "",
              version: version, title: title.isEmpty ? image.metadata["title"] ?? "" : title, tags: tags)
    }

    /// Writes a spectrum image to `path` (DM4 unless `version` is 3).
    /// - Throws: `EELSError.value` for a version other than 3 or 4; `EELSError.file` when the file cannot be written.
    public static func write(_ si: SpectrumImage, to path: String, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) throws {
        try checkVersion(version)
        try save(bytes(si, version: version, title: title, tags: tags), to: path)
    }

    /// Writes a spectrum to `path`.
    public static func write(_ spectrum: Spectrum, to path: String, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) throws {
        try checkVersion(version)
        try save(bytes(spectrum, version: version, title: title, tags: tags), to: path)
    }

    /// Writes a 2D image to `path`.
    public static func write(_ image: Image2D, to path: String, version: Int = 4, title: String = "",
                             tags: DMAcquisitionTags = DMAcquisitionTags()) throws {
        try checkVersion(version)
        try save(bytes(image, version: version, title: title, tags: tags), to: path)
    }

    static func checkVersion(_ version: Int) throws {
        guard version == 3 || version == 4 else {
            throw EELSError.value("DMWriter: version \(version) is not a DigitalMicrograph file version; use 3 or 4")
        }
    }

    static func save(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EELSError.file(path: path, detail: "cannot write the DM file: \(error.localizedDescription)")
        }
    }

    private static func build(values: [Float], axesFastestFirst axes: [UniformAxis], format: String, signal: String,
                              version: Int, title: String, tags: DMAcquisitionTags) -> [UInt8] {
        var b = DMTreeBuilder()
        func calibration(_ axis: UniformAxis) -> DMTag {
            let scale = axis.scale == 0 ? 1 : axis.scale
            return b.group([("Origin", b.float32(Float(-axis.offset / scale))), ("Scale", b.float32(Float(scale))),
                            ("Units", b.text(axis.units == "px" ? "" : axis.units))])
        }
        let dimensionCalibrations = axes.map { ("", calibration($0)) }
        let calibrations = b.group([
            ("Brightness", b.group([("Origin", b.float32(0)), ("Scale", b.float32(1)),
                                    ("Units", b.text(tags.intensityUnits))])),
            ("Dimension", b.group(dimensionCalibrations)),
            ("DisplayCalibratedUnits", b.bool(true)),
        ])
        let dimensions = b.group(axes.map { ("", b.uint32(UInt32(clamping: $0.size))) })
        let imageData = b.group([
            ("Calibrations", calibrations),
            ("Data", b.floats(values)),
            ("DataType", b.int32(Int32(DMImageDataType.float32.rawValue))),
            ("Dimensions", dimensions),
            ("PixelDepth", b.uint32(4)),
        ])
        var metaData: [(String, DMTag)] = [("Format", b.text(format))]
        if !signal.isEmpty { metaData.append(("Signal", b.text(signal))) }
        var imageTags: [(String, DMTag)] = [("Meta Data", b.group(metaData))]
        if signal == "EELS" {
            let energy = axes.last!
            imageTags.append(("EELS", b.group([
                ("Acquisition", b.group([
                    ("Exposure (s)", b.float64(tags.exposure)),
                    ("Number of frames", b.uint32(UInt32(clamping: tags.numberOfFrames))),
                ])),
                ("Experimental Conditions", b.group([
                    ("Collection semi-angle (mrad)", b.float64(tags.collectionAngle)),
                    ("Convergence semi-angle (mrad)", b.float64(tags.convergenceAngle)),
                ])),
            ])))
            imageTags.append(("EELS Spectrometer", b.group([
                ("Dispersion (eV/ch)", b.float64(energy.scale)),
                ("Energy loss (eV)", b.float64(energy.offset + energy.scale * Double(energy.size) / 2)),
                ("Instrument name", b.text(tags.spectrometer)),
            ])))
        }
        imageTags.append(("Microscope Info", b.group([
            ("Name", b.text(tags.microscope)),
            ("Voltage", b.float64(tags.voltage)),
            ("Operation Mode", b.text("SCANNING")),
        ])))
        if !tags.extra.isEmpty {
            imageTags.append(("RapidEELS", b.group(tags.extra.keys.sorted().map { ($0, b.text(tags.extra[$0]!)) })))
        }
        let image = b.group([
            ("ImageData", imageData),
            ("ImageTags", b.group(imageTags)),
            ("Name", b.text(title)),
        ])
        let documentObject = b.group([
            ("AnnotationType", b.int32(20)),
            ("ImageDisplayType", b.int32(axes.count == 2 ? 1 : 3)),
            ("ImageSource", b.uint32(0)),
        ])
        let imageSource = b.group([
            ("ClassName", b.text("ImageSource:Simple")),
            ("Do Sum", b.bool(true)),
            ("ImageRef", b.uint32(0)),
            ("LayerEnd", b.uint32(0)),
            ("LayerStart", b.uint32(0)),
            ("Summed Dimension", b.uint32(UInt32(axes.count - 1))),
        ])
        let root: [(String, DMTag)] = [
            ("DocumentObjectList", b.group([("", documentObject)])),
            ("DocumentTags", b.group([])),
            ("Image Behavior", b.group([("ViewDisplayID", b.uint32(8))])),
            ("ImageList", b.group([("", image)])),
            ("ImageSourceList", b.group([("", imageSource)])),
            ("InImageMode", b.bool(true)),
        ]
        return b.tree(version: version, root: root).serialized()
    }
}
