import EELS
import Foundation
import RapidEELS
import SVGPlot
import ScriptLanguage

/// `removeBackground`'s unlabelled background model: `.powerLaw`, the only one so far.
func backgroundModelParameter() -> CommandParameter {
    .symbol("_ model", type: "Background", allowed: ["powerLaw"], default: "powerLaw")
}

/// Formats a number for tables (RapidEELS/Display's rule).
func fmt(_ x: Double, _ digits: Int = 4) -> String { RichDisplay.number(x, digits) }

/// A `Spectrum` in the cell language.
final class SpectrumObject: RichDisplayed {
    let spectrum: Spectrum
    init(_ spectrum: Spectrum) { self.spectrum = spectrum }

    var typeName: String { "Spectrum" }
    var summary: String { spectrum.displayText }
    var memberNames: [String] { ["count", "values", "energies", "dispersion", "title"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "count": return .int(spectrum.values.count)
        case "values": return .array(spectrum.values.map { .double(Double($0)) })
        case "energies": return .array(spectrum.energy.values.map { .double($0) })
        case "dispersion": return .double(spectrum.energy.scale)
        case "title": return .string(spectrum.metadata["title"] ?? "")
        default: return nil
        }
    }
    var methodNames: [String] { ["crop", "normalized", "rebin", "removeBackground", "save"] }
    func method(_ name: String) -> Command? {
        let s = spectrum
        switch name {
        case "normalized":
            return Command(name: "normalized", parameters: [.range("to", dynamic: "the whole spectrum",
                            type: "ClosedRange<Double>?", doc: "eV window whose maximum becomes 1")],
                           returns: "Spectrum", doc: "The spectrum divided by its maximum inside a window (eV), to "
                            + "compare shapes of spectra with different counts.",
                           example: "s.normalized(to: 525...545)") { args, _ in
                let window = try args.range("to", dynamic: s.energy.offset...s.energy.end)
                let peak = try s.crop(window).values.max() ?? 0
                guard peak > 0, peak.isFinite else {
                    throw ScriptError(kind: .value, message: "the spectrum has no positive maximum in "
                        + "\(fmt(window.lowerBound))...\(fmt(window.upperBound)) eV to normalise by")
                }
                var out = s
                out.values = s.values.map { $0 / peak }
                return .object(SpectrumObject(out))
            }
        case "crop":
            return Command(name: "crop", parameters: [.range("_ window", doc: "eV")],
                           returns: "Spectrum", doc: "The channels inside an energy range (eV).",
                           example: "s.crop(520...580)") { args, _ in
                .object(SpectrumObject(try s.crop(try args.range("window"))))
            }
        case "rebin":
            return Command(name: "rebin", parameters: [.int("energy")], returns: "Spectrum",
                           doc: "Sums `energy` adjacent channels.", example: "s.rebin(energy: 2)") { args, _ in
                .object(SpectrumObject(try s.rebin(energy: try args.int("energy"))))
            }
        case "removeBackground":
            return Command(name: "removeBackground", parameters: [backgroundModelParameter(), .range("fit")],
                           returns: "Spectrum", doc: "Fits A·E^-r on the `fit` window (eV) and subtracts it.",
                           example: "s.removeBackground(.powerLaw, fit: 498...528)") { args, _ in
                _ = try args.symbol("model")
                let fit = try s.fitBackground(.powerLaw, in: try args.range("fit"))
                return .object(SpectrumObject(s.subtractingBackground(fit)))
            }
        case "save":
            return Command(name: "save", parameters: [.string("_ path")], doc:
                            "Writes the spectrum as EMSA/MSA (.msa), HyperSpy (.hspy), NumPy (.npy with a JSON sidecar) or "
                            + "DigitalMicrograph (.dm4/.dm3).",
                           example: "s.save(\"mean.msa\")") { args, _ in
                try saveSpectrum(s, to: try args.string("path"))
                return .none
            }
        default: return nil
        }
    }
    func subscriptValue(_ arguments: [Value]) throws -> Value {
        guard arguments.count == 1, case .int(let k) = arguments[0] else {
            throw ScriptError(kind: .type, message: "a spectrum takes one channel index: s[100]")
        }
        guard k >= 0 && k < spectrum.values.count else {
            throw ScriptError(kind: .index, message: "channel \(k) is outside 0..<\(spectrum.values.count)")
        }
        return .double(Double(spectrum.values[k]))
    }
    var richDisplay: RichDisplayable { spectrum }
}

func saveSpectrum(_ s: Spectrum, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    switch url.pathExtension.lowercased() {
    case "msa", "emsa": try MSAFormat.write(s, to: path)
    case "npy": try NPYFormat.write(s, to: path)
    case "hspy": try HSpyFormat.write(s, to: path)
    case "dm4", "dm3": try DMWriter.write(s, to: path, version: path.lowercased().hasSuffix("dm3") ? 3 : 4)
    default: throw ScriptError(kind: .value, message: "save a spectrum as .msa, .hspy, .npy or .dm4, not '\(path)'")
    }
}

/// A `SpectrumImage` in the cell language. It wraps an `EELS.DatasetItem`: the image with its name, its class
/// (nil when unknown), per-region classes and thickness; `classNames` name the classes of its dataset.
final class SpectrumImageObject: RichDisplayed {
    let item: DatasetItem
    let classNames: [String]
    var image: SpectrumImage { item.image }
    var label: Int? { item.label }
    var thickness: Double? { item.thickness }

    /// A loaded or computed image: no class, named by its title.
    init(_ image: SpectrumImage) {
        item = DatasetItem(image: image, label: nil, name: image.metadata["title"] ?? "")
        classNames = []
    }
    init(item: DatasetItem, classNames: [String]) {
        self.item = item
        self.classNames = classNames
    }
    /// The same item over a derived image (regions dropped when the pixel grid changes).
    func derived(_ si: SpectrumImage) -> Value {
        .object(SpectrumImageObject(item: item.replacingImage(si), classNames: classNames))
    }

    var name: String { item.name.isEmpty ? image.metadata["title"] ?? "" : item.name }
    var className: String? {
        label.map { $0 < classNames.count ? classNames[$0] : "class \($0)" }
    }
    var typeName: String { "SpectrumImage" }
    var summary: String {
        let e = image.energy
        var s = "SpectrumImage(\(image.rows) x \(image.columns) px x \(e.size) ch, \(fmt(e.offset))-"
            + "\(fmt(e.end + e.scale)) \(e.units) at \(fmt(e.scale)) \(e.units)/ch"
        s += pixelSizeText(image.rowAxis, image.columnAxis)
        if !name.isEmpty { s += ", \"\(name)\"" }
        if let className { s += ", \(className)" }
        if !item.regions.isEmpty { s += ", \(item.regions.count) labelled region(s)" }
        if let thickness { s += String(format: ", t/λ %.2f", thickness) }
        return s + ")"
    }
    var memberNames: [String] { ["shape", "rows", "columns", "channels", "energies", "dispersion", "name", "label",
                                 "className", "thickness", "isThick"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "shape": return .array([.int(image.rows), .int(image.columns), .int(image.channels)])
        case "rows": return .int(image.rows)
        case "columns": return .int(image.columns)
        case "channels": return .int(image.channels)
        case "energies": return .array(image.energy.values.map { .double($0) })
        case "dispersion": return .double(image.energy.scale)
        case "name": return .string(self.name)
        case "label": return label.map { .int($0) } ?? .none
        case "className": return className.map { .string($0) } ?? .none
        case "thickness": return thickness.map { .double($0) } ?? .none
        case "isThick": return thickness.map { .bool($0 >= 0.815) } ?? .none
        default: return nil
        }
    }
    var methodNames: [String] { ["mean", "sum", "crop", "rebin", "blockMean", "removeBackground", "addPoissonNoise",
                                 "simulateFrameRate", "spectrum", "save"] }
    func method(_ name: String) -> Command? {
        let si = image
        switch name {
        case "mean", "sum":
            return Command(name: name, returns: "Spectrum", doc: "The \(name) spectrum over every pixel.",
                           example: "si.\(name)()") { _, _ in
                var s = name == "mean" ? si.meanSpectrum() : si.sumSpectrum()
                s.metadata["title"] = "\(name) of \(self.name)"
                return .object(SpectrumObject(s))
            }
        case "spectrum":
            return Command(name: "spectrum", parameters: [.int("row"), .int("column")],
                           returns: "Spectrum", doc: "The spectrum of one pixel.", example: "si.spectrum(row: 0, column: 5)") {
                args, _ in try self.subscriptValue([.int(try args.int("row")), .int(try args.int("column"))])
            }
        case "crop":
            return Command(name: "crop", parameters: [.range("_ window", doc: "eV")],
                           returns: "SpectrumImage", doc: "Every pixel's channels inside an energy range (eV).",
                           example: "si.crop(520...580)") { args, _ in self.derived(try si.crop(try args.range("window"))) }
        case "rebin":
            return Command(name: "rebin", parameters: [.int("energy", default: 1), .ints("pixels", default: [1, 1])],
                           returns: "SpectrumImage", doc: "Sums adjacent channels (energy:) and/or pixel blocks "
                            + "(pixels: [rows, columns]), like HyperSpy's rebin.",
                           example: "si.rebin(energy: 2)") { args, _ in
                var out = si
                let e = try args.int("energy")
                if e != 1 { out = try out.rebin(energy: e) }
                let p = try args.ints("pixels")
                if p != [1, 1] { out = try out.rebin(pixels: p) }
                return self.derived(out)
            }
        case "blockMean":
            return Command(name: "blockMean", parameters: [.int("rows", default: 10), .int("columns", default: 40),
                                                           .symbol("assignment", type: "Assignment",
                                                                   allowed: ["spatial", "rowMajor"], default: "spatial")],
                           returns: "SpectrumImage", doc: "Every pixel replaced by its block's mean (the paper's "
                            + "\"1 FPS\" ground truth); .rowMajor reproduces the released code's assignment.",
                           example: "si.blockMean(rows: 10, columns: 40)") { args, _ in
                let a = try args.symbol("assignment")
                return self.derived(try si.blockMean(rows: try args.int("rows"),
                                                     columns: try args.int("columns"),
                                                     assignment: a == "spatial" ? .spatial : .rowMajor))
            }
        case "removeBackground":
            return Command(name: "removeBackground", parameters: [backgroundModelParameter(), .range("fit")],
                           returns: "SpectrumImage", doc: "Fits A·E^-r per pixel on the `fit` window (eV) and "
                            + "subtracts it.", example: "si.removeBackground(.powerLaw, fit: 498...528)") { args, _ in
                _ = try args.symbol("model")
                let fits = try si.fitBackground(.powerLaw, in: try args.range("fit"))
                return self.derived(try si.subtractingBackground(fits))
            }
        case "addPoissonNoise":
            return Command(name: "addPoissonNoise", parameters: [.seed()],
                           returns: "SpectrumImage", doc: "Each count replaced by a Poisson deviate of that mean.",
                           example: "si.addPoissonNoise(seed: 1)") { args, ctx in
                self.derived(si.addingPoissonNoise(seed: try args.seed(ctx)))
            }
        case "simulateFrameRate":
            return Command(name: "simulateFrameRate", parameters: [.int("_ fps", doc: "frames per second: 400, 200, 100 or 25"),
                                                                   .bool("perFrame", default: true)],
                           returns: "SpectrumImage", doc: "A lower frame rate from 400 FPS data: 400/fps adjacent "
                            + "pixels summed (perFrame: divided by that number, the units a 400 FPS model knows).",
                           example: "si.simulateFrameRate(100)") { args, ctx in
                let fps = try args.int("fps")
                guard fps > 0, 400 % fps == 0 else {
                    throw ctx.error(.value, "frame rate \(fps) must divide 400 (400, 200, 100, 50, 25 ...)")
                }
                return self.derived(try si.simulateFrameRate(combining: 400 / fps,
                                                             perFrame: try args.bool("perFrame")))
            }
        case "save":
            return Command(name: "save", parameters: [.string("_ path")], doc:
                            "Writes the spectrum image as HyperSpy .hspy (an EELS signal with calibrated axes), "
                            + "NumPy .npy (rows x columns x channels) with a JSON sidecar, or DigitalMicrograph .dm4/.dm3.",
                           example: "si.save(\"denoised.hspy\")") { args, _ in
                try saveSpectrumImage(si, to: try args.string("path"))
                return .none
            }
        default: return nil
        }
    }
    func subscriptValue(_ arguments: [Value]) throws -> Value {
        if arguments.contains(where: { if case .int = $0 { return false } else { return true } }) {
            return try sliceValue(arguments)  // ranges: HyperSpyFiles.swift
        }
        let ints: [Int] = try arguments.map {
            guard case .int(let i) = $0 else {
                throw ScriptError(kind: .type, message: "spectrum image indices must be Int: si[row, column]")
            }
            return i
        }
        guard ints.count == 2 || ints.count == 3 else {
            throw ScriptError(kind: .type, message: "index a spectrum image as si[row, column] or "
                + "si[row, column, channel]")
        }
        guard ints[0] >= 0, ints[0] < image.rows, ints[1] >= 0, ints[1] < image.columns else {
            throw ScriptError(kind: .index, message: "pixel [\(ints[0]), \(ints[1])] is outside "
                + "\(image.rows) x \(image.columns)")
        }
        var s = image[ints[0], ints[1]]
        s.metadata["title"] = "\(name) [\(ints[0]), \(ints[1])]"
        if ints.count == 2 { return .object(SpectrumObject(s)) }
        guard ints[2] >= 0, ints[2] < image.channels else {
            throw ScriptError(kind: .index, message: "channel \(ints[2]) is outside 0..<\(image.channels)")
        }
        return .double(Double(s.values[ints[2]]))
    }
    var richDisplay: RichDisplayable {
        RichDisplay.figure(summary) { try Figures.spectrumImage(image, title: name.isEmpty ? nil : name) }
    }
}

/// A figure (SVG) made by plot, scatter, bars.
final class FigureObject: RichDisplayed {
    let svg: String
    let text: String
    /// The figure itself, where it was drawn by SVGPlot here, so `grid` can compose its panels with others.
    let figure: Figure?
    init(svg: String, text: String) { self.svg = svg; self.text = text; figure = nil }
    init(_ figure: Figure, text: String) { self.figure = figure; svg = figure.svg(); self.text = text }
    var typeName: String { "Figure" }
    var summary: String { text }
    var methodNames: [String] { ["save"] }
    func method(_ name: String) -> Command? {
        guard name == "save" else { return nil }
        return Command(name: "save", parameters: [
            .string("_ path", doc: "a path ending in .svg, .png or .pdf (the extension picks the format)"),
            .double("dpi", default: 96, doc: "PNG resolution; the figure's own size is at 96"),
            .int("width", dynamic: "the figure's", doc: "output width in pixels (PNG) or points (PDF)"),
        ], doc: "Writes the figure as SVG, PNG or PDF (PNG and PDF through librsvg's rsvg-convert).",
                       example: "fig.save(\"fig5.png\", dpi: 200)") { args, _ in
            let width: Int? = try args.has("width") ? try args.int("width") : nil
            try FigureExport.write(svg: self.svg, to: try args.string("path"), dpi: try args.double("dpi"),
                                   width: width)
            return .none
        }
    }
    var richDisplay: RichDisplayable { RichDisplay(text, svg: svg) }
}

/// A table (HTML in the notebook, aligned text elsewhere).
final class TableObject: RichDisplayed {
    let headers: [String]
    let rows: [[String]]
    let caption: String?
    init(headers: [String], rows: [[String]], caption: String? = nil) {
        self.headers = headers
        self.rows = rows
        self.caption = caption
    }
    var typeName: String { "Table" }
    var summary: String { (caption.map { $0 + "\n" } ?? "") + HTMLTable.text(headers: headers, rows: rows) }
    var memberNames: [String] { ["rows", "headers"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "headers": return .array(headers.map { .string($0) })
        case "rows": return .array(rows.map { .array($0.map { .string($0) }) })
        default: return nil
        }
    }
    var richDisplay: RichDisplayable { RichDisplay.table(headers: headers, rows: rows, caption: caption) }
}
