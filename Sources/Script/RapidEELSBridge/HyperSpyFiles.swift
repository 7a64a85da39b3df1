import EELS
import Foundation
import RapidEELS
import SVGPlot
import ScriptLanguage

// HyperSpy interop in the cell language: .hspy load/save, 2D maps as values (`Image`), pixel-range slicing of
// spectrum images, and plots of fit results.

/// A 2D map (intensity, class, probability or fit-parameter map) with calibrated axes.
final class ImageObject: RichDisplayed {
    let image: Image2D
    init(_ image: Image2D) { self.image = image }

    var title: String { image.metadata["title"] ?? "" }
    var typeName: String { "Image" }
    var summary: String {
        "Image(\(image.rows) x \(image.columns) px" + pixelSizeText(image.rowAxis, image.columnAxis)
            + (title.isEmpty ? "" : ", \"\(title)\"") + ")"
    }
    var memberNames: [String] { ["rows", "columns", "shape", "values", "title", "pixelSize", "units"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "rows": return .int(image.rows)
        case "columns": return .int(image.columns)
        case "shape": return .array([.int(image.rows), .int(image.columns)])
        case "values": return .array(image.data.map { .double(Double($0)) })
        case "title": return .string(title)
        case "pixelSize": return .array([.double(image.rowAxis.scale), .double(image.columnAxis.scale)])
        case "units": return .string(image.columnAxis.units)
        default: return nil
        }
    }
    var methodNames: [String] { ["save"] }
    func method(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [.string("_ path", doc: "a path ending in .hspy, .npy or .dm4")],
                       doc: "Writes the map as HyperSpy .hspy (a Signal2D with its calibrated axes), NumPy .npy "
                        + "with a JSON sidecar, or DigitalMicrograph .dm4/.dm3.", example: "map.save(\"map.hspy\")") { args, _ in
            let path = try args.string("path")
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "hspy": try HSpyFormat.write([self.image], to: path)
            case "npy": try NPYFormat.write(self.image, to: path)
            case "dm4", "dm3": try DMWriter.write(self.image, to: path, version: path.lowercased().hasSuffix("dm3") ? 3 : 4)
            default: throw ScriptError(kind: .value, message: "save a map as .hspy, .npy or .dm4, not '\(path)'")
            }
            return .none
        }
    }
    func subscriptValue(_ arguments: [Value]) throws -> Value {
        guard arguments.count == 2 else {
            throw ScriptError(kind: .type, message: "index a map as map[row, column] or map[0..<2, 3..<5]")
        }
        let r = try pixelRange(arguments[0], size: image.rows, axis: "row")
        let c = try pixelRange(arguments[1], size: image.columns, axis: "column")
        if case .int = arguments[0], case .int = arguments[1] {
            return .double(Double(image[r.lowerBound, c.lowerBound]))
        }
        return .object(ImageObject(try image.slice(rows: r, columns: c)))
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) { try Figures.map(image, title: title.isEmpty ? nil : title) }
    }
}

/// ", 1.992 x 1.992 nm/px" for calibrated spatial axes (nm below a micrometre), "" for pixel axes.
func pixelSizeText(_ rowAxis: UniformAxis, _ columnAxis: UniformAxis) -> String {
    let y = MapAxis(rowAxis).axis, x = MapAxis(columnAxis).axis
    guard !x.units.isEmpty, x.units != "px" else { return "" }
    return ", \(fmt(y.scale)) x \(fmt(x.scale)) \(x.units)/px"
}

/// An Int index or a range of pixels along one navigation axis, checked against its size.
func pixelRange(_ v: Value, size: Int, axis: String) throws -> Range<Int> {
    switch v {
    case .int(let i):
        guard i >= 0, i < size else {
            throw ScriptError(kind: .index, message: "\(axis) \(i) is outside 0..<\(size)")
        }
        return i..<(i + 1)
    case .range(let a, let b):
        guard a >= 0, b <= size, a < b else {
            throw ScriptError(kind: .index, message: "\(axis)s \(a)..<\(b) are "
                + (a < b ? "outside 0..<\(size)" : "empty"))
        }
        return a..<b
    default:
        throw ScriptError(kind: .type, message: "a \(axis) index must be an Int or an Int range such as "
            + "0..<10 or 2...5, not \(v.typeName)")
    }
}

extension SpectrumImageObject {
    /// `si[0...1, 0]`, `si[2..<5, 10..<20]`: a sub-image with offsets moved to the first kept pixel;
    /// a third index picks channels: an Int range of channel indices, or a Double range of energies
    /// (`si[0..<2, 0..<3, 525.0...560.0]`, HyperSpy's isig with calibrated values); an Int channel gives a map.
    func sliceValue(_ arguments: [Value]) throws -> Value {
        guard arguments.count == 2 || arguments.count == 3 else {
            throw ScriptError(kind: .type, message: "index a spectrum image as si[row, column], "
                + "si[rows, columns] with ranges, or si[rows, columns, channels]")
        }
        let rows = try pixelRange(arguments[0], size: image.rows, axis: "row")
        let columns = try pixelRange(arguments[1], size: image.columns, axis: "column")
        var sub = try image.slice(rows: rows, columns: columns)
        if var title = image.metadata["title"] {
            title += " [\(describe(rows)), \(describe(columns))]"
            sub.metadata["title"] = title
        }
        if arguments.count == 3 {
            switch arguments[2] {
            case .int(let k):
                guard k >= 0, k < sub.channels else {
                    throw ScriptError(kind: .index, message: "channel \(k) is outside 0..<\(sub.channels)")
                }
                return .object(ImageObject(try sub.channelMap(k)))
            case .range(let a, let b):
                guard a >= 0, b <= sub.channels, a < b else {
                    throw ScriptError(kind: .index, message: "channels \(a)..<\(b) are outside 0..<\(sub.channels) "
                        + "(an Int range picks channel indices; for energies write 525.0...560.0 or use .crop(525...560))")
                }
                sub = try sub.crop(channels: a..<b)
            case .object(let r as DoubleRange):
                sub = try sub.crop(r.range)
            case let v:
                throw ScriptError(kind: .type, message: "the channel index must be an Int, an Int range of "
                    + "channels or an energy range such as 525.0...560.0, not \(v.typeName)")
            }
        }
        return derived(sub)
    }

    private func describe(_ r: Range<Int>) -> String { r.count == 1 ? "\(r.lowerBound)" : "\(r.lowerBound)..<\(r.upperBound)" }
}

/// Writes a spectrum image by extension: .hspy (HyperSpy), .npy (with a JSON sidecar) or .dm4/.dm3 (DigitalMicrograph).
func saveSpectrumImage(_ si: SpectrumImage, to path: String) throws {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "hspy": try HSpyFormat.write(si, to: path)
    case "npy": try NPYFormat.write(si, to: path)
    case "dm4", "dm3": try DMWriter.write(si, to: path, version: path.lowercased().hasSuffix("dm3") ? 3 : 4)
    default: throw ScriptError(kind: .value, message: "save a spectrum image as .hspy, .npy or .dm4, not '\(path)'")
    }
}

/// The cell value of what `load` read: a spectrum, a spectrum image, a map, or an array of them for a .hspy
/// file with several experiments.
func loadedValue(_ path: String, column: Int) throws -> Value {
    let items = column == 1 ? try EELS.loadAll(path) : [try EELS.load(path, column: column)]
    let values = try items.map { loaded -> Value in
        switch loaded {
        case .spectrum(var s):
            if s.metadata["title"] == nil { s.metadata["title"] = (path as NSString).lastPathComponent }
            return .object(SpectrumObject(s))
        case .spectrumImage(var si):
            if si.metadata["title"] == nil { si.metadata["title"] = (path as NSString).lastPathComponent }
            return .object(SpectrumImageObject(si))
        case .image(var image):
            if (image.metadata["title"] ?? "").isEmpty { image.metadata["title"] = (path as NSString).lastPathComponent }
            return .object(ImageObject(image))
        case .raw(let raw):
            throw ScriptError(kind: .file, message: "\(path) holds a \(raw.dtype) array of shape \(raw.shape), "
                + "not a spectrum, spectrum image or 2D map")
        }
    }
    return values.count == 1 ? values[0] : .array(values)
}

extension PeakFitMapObject {
    /// `fits.map("peak1.position")` and `fits.save("fit.hspy")`.
    func hyperSpyMethod(_ name: String) -> Command? {
        switch name {
        case "map":
            return Command(name: "map", parameters: [.string("_ parameter", doc: "a parameter name, or "
                            + "\"\(PeakFitMap.chiSquareName)\"")], returns: "Image",
                           doc: "One parameter's map with the fitted image's calibrated axes (NaN where a fit failed).",
                           example: "fits.map(\"peak1.position\")") { args, _ in
                .object(ImageObject(try self.map.image(try args.string("parameter"))))
            }
        case "save":
            return Command(name: "save", parameters: [.string("_ path", doc: "a path ending in .hspy")],
                           doc: "Writes every parameter map and the reduced chi-square map to HyperSpy .hspy, one "
                            + "Signal2D experiment each, titled by the parameter.",
                           example: "fits.save(\"fit.hspy\")") { args, _ in
                let path = try args.string("path")
                guard path.lowercased().hasSuffix(".hspy") else {
                    throw ScriptError(kind: .value, message: "save fit maps as .hspy, not '\(path)'")
                }
                try HSpyFormat.write(self.map.images, to: path)
                return .none
            }
        default: return nil
        }
    }

    /// One panel per parameter, with calibrated axes.
    func figure() throws -> Figure {
        try Figures.maps(map.images, title: summary)
    }
}

extension ClassificationObject {
    /// `result.save("classes.hspy")`: the probability map of the second class and the class map.
    func hyperSpyMethod(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [.string("_ path", doc: "a path ending in .hspy")],
                       doc: "Writes the probability map of the second class and the class map to HyperSpy .hspy "
                        + "(two Signal2D experiments with the image's calibrated axes).",
                       example: "result.save(\"classes.hspy\")") { args, _ in
            let path = try args.string("path")
            guard path.lowercased().hasSuffix(".hspy") else {
                throw ScriptError(kind: .value, message: "save a classification as .hspy, not '\(path)'")
            }
            try HSpyFormat.write([self.result.probabilityImage(1), self.result.classImage], to: path)
            return .none
        }
    }
}

/// The figure `plot(x)` draws for a value that is not a spectrum: a fit (data, model, peaks), a fit map (one
/// panel per parameter), a classification, or a map; nil for spectra and spectrum images.
func plotFigure(of value: Value) throws -> FigureObject? {
    guard case .object(let o) = value else { return nil }
    switch o {
    case let fit as PeakFitObject:
        let figure = try Figures.fit(fit.spectrum, fit.result)
        return FigureObject(svg: figure.svg(), text: "Figure(Gaussian fit: data, model, \(fit.result.peaks.count) peaks)")
    case let maps as PeakFitMapObject:
        return FigureObject(svg: try maps.figure().svg(),
                            text: "Figure(\(maps.map.parameterNames.count + 1) fit-parameter maps)")
    case let c as ClassificationObject:
        return FigureObject(svg: try Figures.classification(c.result).svg(), text: "Figure(classification map)")
    case let image as ImageObject:
        return FigureObject(svg: try Figures.map(image.image, title: image.title.isEmpty ? nil : image.title).svg(),
                            text: "Figure(map \(image.image.rows) x \(image.image.columns))")
    default: return nil
    }
}
