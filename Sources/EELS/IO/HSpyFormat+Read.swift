import Foundation

/// Reading .hspy files, ours and rosettasciio's (format versions 1.x to 3.x with `Experiments/<name>/data` and
/// `axis-i` groups).
extension HSpyFormat {
    /// Every experiment of a file as loaded data: 1 dimension -> `Spectrum`; (nav, signal) -> a one-column
    /// `SpectrumImage`; (nav, nav, signal) -> `SpectrumImage`; two signal axes -> `Image2D`; anything else ->
    /// `RawArray` with its axes.
    ///
    ///     let items = try HSpyFormat.read(path: "fit.hspy")   // one Image2D per parameter map
    ///
    /// - Throws: `EELSError.file` for a file that is not HDF5, an HDF5 file that is not HyperSpy's, an
    ///   experiment without readable data or axes, or a file on which libhdf5 crashes (`HDF5Isolation`).
    public static func read(path: String) throws -> [LoadedData] {
        try HDF5Isolation.probe(path: path) { _ = try signals(in: HDF5File(reading: path)) }
        return try signals(in: HDF5File(reading: path)).map { try loaded($0, path: path) }
    }

    /// The same from bytes in memory (libhdf5's core driver); `path` names the source in errors.
    public static func read(bytes: [UInt8], path: String) throws -> [LoadedData] {
        guard HDF5File.hasSignature(bytes) else {
            throw EELSError.file(path: path, detail: "not an HDF5 file (no HDF5 signature at the start)")
        }
        try HDF5Isolation.probe(path: path) { _ = try signals(in: HDF5File(bytes: bytes, path: path)) }
        return try signals(in: HDF5File(bytes: bytes, path: path)).map { try loaded($0, path: path) }
    }

    /// The experiments of an open file as signals.
    public static func signals(in file: HDF5File) throws -> [Signal] {
        let path = file.path
        let format = try file.root.attribute("file_format")?.text
        guard let experiments = try file.root.group("Experiments") else {
            throw EELSError.file(path: path, detail: "an HDF5 file but not HyperSpy's .hspy: it has no Experiments "
                + "group" + (format.map { " (file_format '\($0)')" } ?? ""))
        }
        var out: [Signal] = []
        for name in try experiments.memberNames() {
            guard let group = try experiments.group(name), group.memberKind("data") == .dataset else { continue }
            out.append(try signal(group, name: name))
        }
        guard !out.isEmpty else {
            throw EELSError.file(path: path, detail: "a HyperSpy file without any experiment holding data")
        }
        return out
    }

    static func signal(_ group: HDF5Group, name: String) throws -> Signal {
        let data = try group.readDataset("data")
        var axes: [UniformAxis] = [], navigate: [Bool] = []
        for i in data.shape.indices {
            guard let a = try group.group("axis-\(i)") else {
                throw group.fail("no axis-\(i) group for dimension \(i) of data shaped \(data.shape)")
            }
            let attributes = try a.attributes()
            let type = attributes["_type"]?.text ?? "UniformDataAxis"
            guard type == "UniformDataAxis" || type == "_None_", a.memberKind("axis") != .dataset else {
                throw a.fail("a non-uniform axis (\(type), values listed per index) is not supported: RapidEELS "
                    + "axes are offset + index x scale")
            }
            let size = attributes["size"]?.number.map { Int($0) } ?? data.shape[i]
            guard size == data.shape[i] else {
                throw a.fail("size \(size) does not match dimension \(i) of the data (\(data.shape[i]))")
            }
            let scale = attributes["scale"]?.number ?? 1, offset = attributes["offset"]?.number ?? 0
            guard scale.isFinite, offset.isFinite else { throw a.fail("offset or scale is not a finite number") }
            var units = attributes["units"]?.text ?? ""
            if units == "<undefined>" || units == "_None_" { units = "" }
            var axisName = attributes["name"]?.text ?? ""
            if axisName == "<undefined>" || axisName == "_None_" { axisName = "" }
            axes.append(UniformAxis(offset: offset, scale: scale, size: size, units: units, name: axisName))
            navigate.append(attributes["navigate"].map { $0.number != 0 } ?? (i < data.shape.count - 1))
        }
        let metadata = try group.group("metadata")
        var title = try metadata?.group("General")?.attribute("title")?.text ?? name
        if title == "__unnamed__" { title = "" }
        let signalType = try metadata?.group("Signal")?.attribute("signal_type")?.text ?? ""
        var flat: [String: String] = [:]
        if let original = try group.group("original_metadata") { try flatten(original, prefix: "", into: &flat) }
        var signal = Signal(data: data.values, shape: data.shape, axes: axes, navigate: navigate, title: title,
                            signalType: signalType == "_None_" ? "" : signalType, metadata: flat)
        signal.dtype = data.dtype
        return signal
    }

    /// Nested groups' attributes as dotted keys (at most 10,000 keys, 16 levels deep).
    static func flatten(_ group: HDF5Group, prefix: String, into out: inout [String: String], depth: Int = 0) throws {
        guard depth < 16, out.count < 10_000 else { return }
        for (key, value) in try group.attributes() { out[prefix + key] = value.text }
        for member in try group.memberNames() {
            if let child = try group.group(member) {
                try flatten(child, prefix: prefix + member + ".", into: &out, depth: depth + 1)
            }
        }
    }

    /// A signal as the value `load` returns.
    static func loaded(_ s: Signal, path: String) throws -> LoadedData {
        var metadata = s.metadata
        metadata["title"] = s.title
        metadata["source"] = path
        metadata["format"] = "HSpy"
        metadata["dtype"] = s.dtype
        metadata["signal_type"] = s.signalType.isEmpty ? nil : s.signalType  // from metadata.Signal only
        let nav = s.navigate, shape = s.shape
        func spatial(_ axis: UniformAxis, _ name: String) -> UniformAxis {
            var a = axis
            if a.name.isEmpty { a.name = name }
            if a.units.isEmpty { a.units = "px" }
            return a
        }
        switch shape.count {
        case 1:
            return .spectrum(Spectrum(values: s.data, energy: s.axes[0], metadata: metadata))
        case 2 where nav == [true, false]:
            var si = SpectrumImage(rows: shape[0], columns: 1, energy: s.axes[1], data: s.data, metadata: metadata)
            si.rowAxis = spatial(s.axes[0], "y")
            si.columnAxis = UniformAxis(offset: 0, scale: 1, size: 1, units: "px", name: "x")
            return .spectrumImage(si)
        case 2 where nav[1] == nav[0]:
            return .image(Image2D(rows: shape[0], columns: shape[1], data: s.data, rowAxis: spatial(s.axes[0], "y"),
                                  columnAxis: spatial(s.axes[1], "x"), metadata: metadata))
        case 3 where nav == [true, true, false]:
            var si = SpectrumImage(rows: shape[0], columns: shape[1], energy: s.axes[2], data: s.data,
                                   metadata: metadata)
            si.rowAxis = spatial(s.axes[0], "y")
            si.columnAxis = spatial(s.axes[1], "x")
            return .spectrumImage(si)
        default:
            return .raw(RawArray(shape: shape, dtype: s.dtype, family: .float, values: s.data.map(Double.init),
                                 axes: s.axes, metadata: metadata))
        }
    }
}
