import Foundation

/// HyperSpy's own file format, `.hspy` (HDF5, format version 3.1): `Experiments/<title>/data` with one
/// `axis-i` group per array dimension (name, offset, scale, size, units, navigate), `metadata`
/// (General.title, Signal.signal_type), `original_metadata` and an empty `learning_results`.
///
/// Spectra and spectrum images are written with signal_type "EELS" (navigation axes y, x first, energy last:
/// HyperSpy's order); 2D maps as Signal2D (both axes signal axes, signal_type ""). A file may hold several
/// experiments (a fit's parameter maps are one experiment each).
///
///     try HSpyFormat.write(si, to: "/tmp/si.hspy")          // hs.load gives an EELSSpectrum (2, 3|2048)
///     let back = try load("/tmp/si.hspy").spectrumImage      // same data, axes and title
public enum HSpyFormat {
    /// One experiment: C-order data with its axes (one per dimension) and metadata.
    public struct Signal: Sendable {
        public var data: [Float]
        public var shape: [Int]
        public var axes: [UniformAxis]
        public var navigate: [Bool]
        public var title: String
        /// HyperSpy's metadata.Signal.signal_type ("EELS", or "" for a plain signal).
        public var signalType: String
        /// Flat key -> value metadata; written under original_metadata (dots become nested groups).
        public var metadata: [String: String]
        /// The stored data type when read ("float32", "int16", ...).
        public var dtype = "float32"

        public init(data: [Float], shape: [Int], axes: [UniformAxis], navigate: [Bool], title: String,
                    signalType: String, metadata: [String: String] = [:]) {
            self.data = data
            self.shape = shape
            self.axes = axes
            self.navigate = navigate
            self.title = title
            self.signalType = signalType
            self.metadata = metadata
        }
    }

    /// The version written in the file's `file_format_version` (read by rosettasciio 0.1 and later).
    public static let formatVersion = "3.1"

    // MARK: - Writing

    /// Writes a spectrum (signal_type "EELS").
    public static func write(_ spectrum: Spectrum, to path: String) throws {
        try write([signal(spectrum)], to: path)
    }

    /// Writes a spectrum image as an EELS signal of navigation shape (rows, columns).
    public static func write(_ si: SpectrumImage, to path: String) throws {
        try write([signal(si)], to: path)
    }

    /// Writes 2D images (maps), one experiment each, as Signal2D.
    ///
    ///     try HSpyFormat.write(fits.images, to: "/tmp/fit.hspy")   // hs.load gives one Signal2D per parameter
    public static func write(_ images: [Image2D], to path: String) throws {
        try write(images.map(signal), to: path)
    }

    /// Writes experiments; titles must differ (they name the groups; "/" becomes "-").
    ///
    /// - Throws: `EELSError.file` naming the path when it cannot be written.
    public static func write(_ signals: [Signal], to path: String) throws {
        guard !signals.isEmpty else { throw EELSError.file(path: path, detail: "nothing to write") }
        let file = try HDF5File(creating: path)
        try file.root.setAttribute("file_format", .string("HyperSpy"))
        try file.root.setAttribute("file_format_version", .string(formatVersion))
        let experiments = try file.root.createGroup("Experiments")
        var used: Set<String> = []
        for s in signals {
            guard s.shape.reduce(1, *) == s.data.count, s.axes.count == s.shape.count,
                  s.navigate.count == s.shape.count else {
                throw EELSError.file(path: path, detail: "experiment '\(s.title)': shape \(s.shape) does not match "
                    + "\(s.data.count) values and \(s.axes.count) axes")
            }
            var name = s.title.isEmpty ? "__unnamed__" : s.title.replacingOccurrences(of: "/", with: "-")
            if name == "." || name == ".." { name = "_" + name }
            var unique = name, n = 1
            while used.contains(unique) { n += 1; unique = "\(name) (\(n))" }
            used.insert(unique)
            let group = try experiments.createGroup(unique)
            for (i, axis) in s.axes.enumerated() {
                let a = try group.createGroup("axis-\(i)")
                try a.setAttribute("_type", .string("UniformDataAxis"))
                try a.setAttribute("name", .string(axis.name))
                try a.setAttribute("units", .string(axis.units))
                try a.setAttribute("navigate", .bool(s.navigate[i]))
                try a.setAttribute("is_binned", .bool(false))
                try a.setAttribute("size", .int(s.shape[i]))
                try a.setAttribute("scale", .double(axis.scale))
                try a.setAttribute("offset", .double(axis.offset))
            }
            try group.writeDataset("data", values: s.data, shape: s.shape)
            let metadata = try group.createGroup("metadata")
            try metadata.createGroup("General").setAttribute("title", .string(s.title))
            try metadata.createGroup("Signal").setAttribute("signal_type", .string(s.signalType))
            try writeNested(s.metadata.filter { $0.key != "title" && $0.key != "signal_type" },
                            into: try group.createGroup("original_metadata"))
            _ = try group.createGroup("learning_results")
        }
    }

    /// Dotted keys as nested groups: "dm.dimensions" = "3" -> group dm, attribute dimensions.
    static func writeNested(_ flat: [String: String], into root: HDF5Group) throws {
        var groups: [String: HDF5Group] = ["": root]
        func group(_ parts: ArraySlice<String>) throws -> HDF5Group {
            let key = parts.joined(separator: ".")
            if let g = groups[key] { return g }
            let parent = try group(parts.dropLast())
            let g = try parent.group(parts.last!) ?? parent.createGroup(parts.last!)
            groups[key] = g
            return g
        }
        for key in flat.keys.sorted() {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "_" : $0.replacingOccurrences(of: "/", with: "-") }
            try group(parts.dropLast()[...]).setAttribute(parts.last!, .string(flat[key]!))
        }
    }

    static func signal(_ s: Spectrum) -> Signal {
        Signal(data: s.values, shape: [s.values.count], axes: [named(s.energy, "Energy loss")], navigate: [false],
               title: s.metadata["title"] ?? "", signalType: "EELS", metadata: s.metadata)
    }

    static func signal(_ si: SpectrumImage) -> Signal {
        Signal(data: si.data, shape: [si.rows, si.columns, si.channels],
               axes: [sized(si.rowAxis, si.rows, "y"), sized(si.columnAxis, si.columns, "x"),
                      named(si.energy, "Energy loss")],
               navigate: [true, true, false], title: si.metadata["title"] ?? "", signalType: "EELS",
               metadata: si.metadata)
    }

    static func signal(_ image: Image2D) -> Signal {
        Signal(data: image.data, shape: [image.rows, image.columns],
               axes: [sized(image.rowAxis, image.rows, "y"), sized(image.columnAxis, image.columns, "x")],
               navigate: [false, false], title: image.metadata["title"] ?? "",
               signalType: "", metadata: image.metadata)  // a Signal2D, even when made from an EELS SI
    }

    private static func named(_ axis: UniformAxis, _ name: String) -> UniformAxis {
        var a = axis
        if a.name.isEmpty { a.name = name }
        return a
    }

    private static func sized(_ axis: UniformAxis, _ size: Int, _ name: String) -> UniformAxis {
        var a = named(axis, name)
        a.size = size
        return a
    }
}
