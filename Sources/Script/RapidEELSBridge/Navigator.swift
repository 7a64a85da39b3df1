import EELS
import Foundation
import RapidEELS
import ScriptLanguage

/// `navigate(si)`: HyperSpy's `s.plot()` for the notebook. With a widget front end (JupyterLab with
/// jupyterlab_widgets) it is a live navigator: row and column sliders move a pointer over the intensity map,
/// an energy-span slider picks what the map integrates, a frame-rate slider re-bins the scan as the paper's
/// study does, and "mark pixel" keeps the pointer for the next cell (`nav.marked`). Without one (nbconvert,
/// papermill, a notebook viewer) it is the same picture, static.
final class NavigatorObject: ScriptObject {
    /// Frame rates the slider offers and the pixels each combines at 400 FPS (the paper's study).
    static let frameRates: [(label: String, combining: Int)] = [("400 FPS", 1), ("200 FPS", 2), ("100 FPS", 4),
                                                               ("25 FPS", 16)]
    let title: String
    private let raw: SpectrumImage
    private let overlays: [(String, SpectrumImage)]
    private var views: [Int: NavigatorView] = [:]
    private(set) var row: Int
    private(set) var column: Int
    private(set) var span: ClosedRange<Double>
    private(set) var combining = 1
    private(set) var marked: [(Int, Int)] = []
    private var widgets: Widgets?

    /// The widget models of a live navigator.
    private struct Widgets {
        let manager: WidgetManager
        let root: WidgetModel, row: WidgetModel, column: WidgetModel, span: WidgetModel
        let map: WidgetModel, spectrum: WidgetModel, status: WidgetModel
    }

    init(raw: SpectrumImage, overlays: [(String, SpectrumImage)], map: (image: Image2D, label: String)? = nil,
         row: Int, column: Int, span: ClosedRange<Double>, title: String) throws {
        let view = try NavigatorView(raw: raw, overlays: overlays, map: map)
        self.raw = raw
        self.overlays = overlays
        self.title = title
        views[1] = view
        (self.row, self.column) = view.clamp(row, column)
        self.span = span
    }

    // MARK: - Drawing

    private func view() throws -> NavigatorView {
        if let v = views[combining] { return v }
        let n = combining
        let v = try NavigatorView(raw: try raw.simulateFrameRate(combining: n, perFrame: true),
                                  overlays: try overlays.map { ($0.0, try $0.1.simulateFrameRate(combining: n, perFrame: true)) })
        views[n] = v
        return v
    }

    /// The pointer in the current frame rate's pixel grid.
    private var pointer: (Int, Int) { (row, column / combining) }

    private func image(_ svg: String) -> String {
        "<img style=\"max-width:100%\" src=\"data:image/svg+xml;base64,\(Data(svg.utf8).base64EncodedString())\"/>"
    }

    private func statusLine() -> String {
        let rate = Self.frameRates.first { $0.combining == combining }?.label ?? "\(400 / combining) FPS"
        var text = "pixel (\(row), \(column)) · \(rate) · span \(fmt(span.lowerBound))-\(fmt(span.upperBound)) eV"
        if !marked.isEmpty {
            text += " · marked: " + marked.suffix(8).map { "(\($0.0), \($0.1))" }.joined(separator: " ")
                + (marked.count > 8 ? " (\(marked.count) in all)" : "")
        }
        return "<span style=\"font-family:monospace\">\(text)</span>"
    }

    private func redraw(map: Bool) {
        guard let w = widgets else { return }
        do {
            let v = try view()
            let (r, c) = pointer
            if map { w.manager.update(w.map, ["value": image(try v.mapFigure(row: r, column: c, span: span).svg())]) }
            w.manager.update(w.spectrum, ["value": image(try v.spectrumFigure(row: r, column: c, span: span).svg())])
            w.manager.update(w.status, ["value": statusLine()])
        } catch {
            w.manager.update(w.status, ["value": "<span style=\"color:#b00\">\("\(error)".replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</span>"])
        }
    }

    // MARK: - Widgets

    /// Opens the widget models (nil where no widget front end is listening).
    func makeWidgets(_ manager: WidgetManager) throws {
        guard manager.hasFrontEnd else { return }
        let e = raw.energy
        guard let rowSlider = try manager.create(.intSlider, ["description": "row", "min": 0, "max": raw.rows - 1,
                                                               "value": row]),
              let columnSlider = try manager.create(.intSlider, ["description": "column", "min": 0,
                                                                  "max": raw.columns - 1, "value": column]),
              let spanSlider = try manager.create(.floatRangeSlider, [
                  "description": "span (eV)", "min": e.offset, "max": e.end, "step": e.scale,
                  "value": [span.lowerBound, span.upperBound], "readout_format": ".1f"]),
              let rateSlider = try manager.create(.selectionSlider, [
                  "description": "frame rate", "_options_labels": Self.frameRates.map(\.label), "index": 0]),
              let markButton = try manager.create(.button, ["description": "mark pixel",
                                                           "tooltip": "add the pointer to nav.marked"]),
              let mapHTML = try manager.create(.html), let spectrumHTML = try manager.create(.html),
              let status = try manager.create(.html),
              let pointerBox = try manager.create(.hbox, ["children": [rowSlider.reference, columnSlider.reference]]),
              let controlBox = try manager.create(.hbox, ["children": [spanSlider.reference, rateSlider.reference,
                                                                        markButton.reference]]),
              let root = try manager.create(.vbox, ["children": [pointerBox.reference, controlBox.reference,
                                                                 mapHTML.reference, spectrumHTML.reference,
                                                                 status.reference]])
        else { return }
        widgets = Widgets(manager: manager, root: root, row: rowSlider, column: columnSlider, span: spanSlider,
                          map: mapHTML, spectrum: spectrumHTML, status: status)
        rowSlider.onChange = { [weak self] m, _ in self?.move(row: m.int("value"), column: nil, fromWidget: true) }
        columnSlider.onChange = { [weak self] m, _ in self?.move(row: nil, column: m.int("value"), fromWidget: true) }
        spanSlider.onChange = { [weak self] m, _ in
            guard let self, let (lo, hi) = m.pair("value"), hi > lo else { return }
            self.span = lo...hi
            self.redraw(map: true)
        }
        rateSlider.onChange = { [weak self] m, _ in
            guard let self, let i = m.int("index"), Self.frameRates.indices.contains(i) else { return }
            self.combining = Self.frameRates[i].combining
            self.redraw(map: true)
        }
        markButton.onCustom = { [weak self] _, content in
            guard let self, content["event"] as? String == "click" else { return }
            self.marked.append((self.row, self.column))
            if self.marked.count > 10_000 { self.marked.removeFirst() }
            self.redraw(map: false)
        }
        redraw(map: true)
    }

    /// Moves the pointer (from a slider, or from `nav.moveTo` in a cell, which also moves the sliders).
    func move(row newRow: Int?, column newColumn: Int?, fromWidget: Bool) {
        row = min(max(newRow ?? row, 0), raw.rows - 1)
        column = min(max(newColumn ?? column, 0), raw.columns - 1)
        if !fromWidget, let w = widgets {
            w.manager.update(w.row, ["value": row])
            w.manager.update(w.column, ["value": column])
        }
        redraw(map: true)
    }

    // MARK: - ScriptObject

    var typeName: String { "Navigator" }
    var summary: String {
        "Navigator(\(title.isEmpty ? "" : "\"\(title)\", ")\(raw.rows) x \(raw.columns) px, pixel (\(row), \(column)), "
            + "span \(fmt(span.lowerBound))-\(fmt(span.upperBound)) eV\(widgets == nil ? ", static" : ""))"
    }
    var memberNames: [String] { ["row", "column", "span", "marked", "spectrum", "frameRate", "isLive"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "row": return .int(row)
        case "column": return .int(column)
        case "span": return .array([.double(span.lowerBound), .double(span.upperBound)])
        case "marked": return .array(marked.map { .array([.int($0.0), .int($0.1)]) })
        case "frameRate": return .int(400 / combining)
        case "isLive": return .bool(widgets != nil)
        case "spectrum":
            let (r, c) = pointer
            var s = try view().raw[r, c]
            s.metadata["title"] = "\(title.isEmpty ? "pixel" : title) [\(r), \(c)]"
            return .object(SpectrumObject(s))
        default: return nil
        }
    }
    var methodNames: [String] { ["moveTo"] }
    func method(_ name: String) -> Command? {
        guard name == "moveTo" else { return nil }
        return Command(name: "moveTo", parameters: [.int("row"), .int("column")],
                       doc: "Moves the pointer (and the sliders of a live navigator).",
                       example: "nav.moveTo(row: 4, column: 200)") { args, _ in
            self.move(row: try args.int("row"), column: try args.int("column"), fromWidget: false)
            return .none
        }
    }
    func displayBundle() -> DisplayBundle {
        let (r, c) = pointer
        var bundle = DisplayBundle(RichDisplay(summary, svg: try? view().staticSVG(row: r, column: c, span: span)))
        if let w = widgets {
            for (key, value) in w.manager.bundle(w.root, text: summary) { bundle[key] = value }
        }
        return bundle
    }
}

extension RapidEELSCommands {
    static func registerNavigator(_ r: CommandRegistry) {
        r.register(Command(name: "navigate", parameters: [
            .object("_ si", SpectrumImageObject.self, "SpectrumImage", doc: "the image to move over"),
            .object("truth", SpectrumImageObject.self, "SpectrumImage", dynamic: "none",
                    doc: "ground truth drawn at the pointer"),
            .object("denoised", SpectrumImageObject.self, "SpectrumImage", dynamic: "none",
                    doc: "denoised image drawn at the pointer"),
            .range("span", dynamic: "the whole range", doc: "eV integrated into the map"),
            .int("row", default: 0), .int("column", default: 0),
            .value("map", "Classification, Image or PeakFitMap", dynamic: "the integrated counts",
                   doc: "the map the pointer moves over: a classification's class map, an image, or a fit "
                    + "map's parameter"),
            .string("parameter", dynamic: "the first", doc: "which fit parameter a fit map shows"),
        ], returns: "Navigator", doc: "An interactive navigator (HyperSpy's s.plot()): sliders move a pointer over "
            + "the intensity map and redraw that pixel's spectra; an energy span picks what the map integrates; a "
            + "frame-rate slider re-bins the scan (400-25 FPS); 'mark pixel' keeps pixels in nav.marked. Static "
            + "where the front end has no widgets. `map:` puts a classification's class map, an image or a fit "
            + "map's parameter under the pointer instead of the counts.",
           example: "let nav = navigate(si, truth: si.blockMean(), span: 525...545)\nnav") { args, ctx in
            let si = try image(args, "si")
            var overlays: [(String, SpectrumImage)] = []
            if try args.has("truth") { overlays.append(("ground truth", try image(args, "truth").image)) }
            if try args.has("denoised") { overlays.append(("denoised", try image(args, "denoised").image)) }
            let e = si.image.energy
            let span = try args.range("span", dynamic: e.offset...max(e.end, e.offset))
            var map: (image: Image2D, label: String)?
            if let value = try args.given("map") {
                switch value {
                case .object(let c as ClassificationObject):
                    map = (c.result.classImage, "class: " + c.result.classNames.enumerated()
                        .map { "\($0.offset) \($0.element)" }.joined(separator: ", "))
                case .object(let image as ImageObject):
                    map = (image.image, image.title.isEmpty ? "value" : image.title)
                case .object(let fits as PeakFitMapObject):
                    let name = try args.string("parameter", dynamic: fits.map.parameterNames.first ?? "")
                    do { map = (try fits.map.image(name), name) } catch let error as EELSError {
                        throw ctx.error(.value, "\(error)")
                    }
                default:
                    throw args.wrong("map", "a Classification, an Image or a PeakFitMap", value)
                }
            }
            let navigator: NavigatorObject
            do {
                navigator = try NavigatorObject(raw: si.image, overlays: overlays, map: map, row: try args.int("row"),
                                                column: try args.int("column"), span: span, title: si.name)
            } catch let error as RapidEELSError {
                throw ctx.error(.value, error.description)
            }
            try navigator.makeWidgets(ctx.interpreter.widgets)
            return .object(navigator)
        })
    }
}
