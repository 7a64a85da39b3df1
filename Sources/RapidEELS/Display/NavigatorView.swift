import EELS
import Foundation
import SVGPlot

/// What a spectrum-image navigator draws (HyperSpy's `s.plot()`): a map of the counts integrated over an energy
/// span (or a given class, probability or fit-parameter map) with a pointer on one pixel, and that pixel's spectra (raw, and ground truth, denoised or a fit where
/// given) with the span marked. Pure rendering: the widgets that move the pointer live in the kernel's language.
///
///     var view = try NavigatorView(raw: si, overlays: [("denoised", clean)])
///     let map = try view.mapFigure(row: 3, column: 120, span: 525...545).svg()
///     let spectra = try view.spectrumFigure(row: 3, column: 120, span: 525...545).svg()
public struct NavigatorView {
    /// The spectrum image the pointer moves over.
    public var raw: SpectrumImage
    /// Other images of the same pixels drawn with the raw spectrum (label, image).
    public var overlays: [(String, SpectrumImage)]
    /// A map drawn instead of the integrated counts (a class map, a probability or fit-parameter map), with
    /// its colour-bar label; it must have the image's pixel grid.
    public var map: (image: Image2D, label: String)?

    /// - Throws: `RapidEELSError.incompatible` when an overlay has another pixel grid.
    public init(raw: SpectrumImage, overlays: [(String, SpectrumImage)] = [],
                map: (image: Image2D, label: String)? = nil) throws {
        for (label, image) in overlays where image.rows != raw.rows || image.columns != raw.columns {
            throw RapidEELSError.incompatible("\(label) has \(image.rows) x \(image.columns) pixels; the navigated "
                + "image has \(raw.rows) x \(raw.columns)")
        }
        if let map, map.image.rows != raw.rows || map.image.columns != raw.columns {
            throw RapidEELSError.incompatible("the map has \(map.image.rows) x \(map.image.columns) pixels; the "
                + "navigated image has \(raw.rows) x \(raw.columns)")
        }
        self.raw = raw
        self.overlays = overlays
        self.map = map
    }

    /// The whole energy range of the raw image.
    public var energyRange: ClosedRange<Double> { raw.energy.offset...max(raw.energy.end, raw.energy.offset) }

    /// The counts of every pixel summed over the channels inside `span` (all channels when it holds none).
    public func integratedMap(span: ClosedRange<Double>) -> [Double] {
        let axis = raw.energy
        var first = max(0, Int(((span.lowerBound - axis.offset) / axis.scale).rounded(.up)))
        var last = min(raw.channels - 1, Int(((span.upperBound - axis.offset) / axis.scale).rounded(.down)))
        if first > last { first = 0; last = raw.channels - 1 }
        var totals = [Double](repeating: 0, count: raw.pixelCount)
        raw.data.withUnsafeBufferPointer { d in
            for p in 0..<raw.pixelCount {
                var s = 0.0
                let base = p * raw.channels
                for k in first...last { s += Double(d[base + k]) }
                totals[p] = s
            }
        }
        return totals
    }

    /// The map with a pointer (cross-hair) on pixel (`row`, `column`), in the image's calibrated units.
    public func mapFigure(row: Int, column: Int, span: ClosedRange<Double>, width: Double = 760) throws -> Figure {
        let (r, c) = clamp(row, column)
        let xAxis = raw.columnAxis, yAxis = raw.rowAxis
        let xRange = xAxis.offset...(xAxis.offset + xAxis.scale * Double(raw.columns))
        let yRange = yAxis.offset...(yAxis.offset + yAxis.scale * Double(raw.rows))
        let aspect = Double(raw.rows) / Double(max(raw.columns, 1))
        let height = min(max(width * aspect + 90, 200), 520)
        var figure = Figure(width: width, height: height)
        if let map {
            try figure.axes.heatmap(map.image.data, rows: raw.rows, columns: raw.columns, x: xRange, y: yRange,
                                    colorbarLabel: map.label)
        } else {
            try figure.axes.heatmap(integratedMap(span: span), rows: raw.rows, columns: raw.columns, x: xRange,
                                    y: yRange, colorbarLabel: "counts in \(format(span.lowerBound))-\(format(span.upperBound)) eV")
        }
        figure.axes.yInverted = true
        let x = xAxis.offset + (Double(c) + 0.5) * xAxis.scale, y = yAxis.offset + (Double(r) + 0.5) * yAxis.scale
        figure.axes.verticalLine(at: x, color: .red, width: 1.5, style: .solid)
        figure.axes.horizontalLine(at: y, color: .red, width: 1.5, style: .solid)
        figure.axes.xLabel = "\(xAxis.name) (\(xAxis.units))"
        figure.axes.yLabel = "\(yAxis.name) (\(yAxis.units))"
        figure.axes.title = "pixel (\(r), \(c))"
        return figure
    }

    /// Pixel (`row`, `column`)'s spectra, with the span's ends as dashed lines.
    public func spectrumFigure(row: Int, column: Int, span: ClosedRange<Double>, width: Double = 760) throws
        -> Figure {
        let (r, c) = clamp(row, column)
        var figure = Figure(width: width, height: 320)
        try figure.axes.plot(raw.energy.values, raw[r, c].values, label: overlays.isEmpty ? nil : "raw",
                             color: .gray, width: 1)
        for (i, (label, image)) in overlays.enumerated() {
            try figure.axes.plot(image.energy.values, image[r, c].values, label: label,
                                 color: Color.cycle[i % Color.cycle.count], width: 1.8)
        }
        figure.axes.verticalLine(at: span.lowerBound)
        figure.axes.verticalLine(at: span.upperBound)
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = "Counts"
        figure.axes.title = "spectrum at pixel (\(r), \(c))"
        return figure
    }

    /// The static navigator (map above spectrum) for front ends without widgets.
    public func staticSVG(row: Int, column: Int, span: ClosedRange<Double>) throws -> String {
        let map = try mapFigure(row: row, column: column, span: span).svg()
        let spectra = try spectrumFigure(row: row, column: column, span: span).svg()
        return Self.stack([map, spectra])
    }

    /// The pixel nearest (`row`, `column`) inside the image.
    public func clamp(_ row: Int, _ column: Int) -> (Int, Int) {
        (min(max(row, 0), raw.rows - 1), min(max(column, 0), raw.columns - 1))
    }

    func format(_ x: Double) -> String { String(format: "%.1f", x) }

    /// SVG documents stacked vertically in one SVG.
    static func stack(_ svgs: [String]) -> String {
        var y = 0.0, width = 0.0, body = ""
        for svg in svgs {
            let (w, h) = size(of: svg)
            body += "<g transform=\"translate(0,\(y))\">\(strippedProlog(svg))</g>\n"
            y += h
            width = max(width, w)
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(y)\" "
            + "viewBox=\"0 0 \(width) \(y)\">\n\(body)</svg>\n"
    }

    static func size(of svg: String) -> (Double, Double) {
        func attribute(_ name: String) -> Double {
            guard let open = svg.range(of: "<svg"), let range = svg.range(of: " \(name)=\"", range: open.upperBound..<svg.endIndex),
                  let close = svg[range.upperBound...].firstIndex(of: "\"") else { return 0 }
            return Double(svg[range.upperBound..<close].filter { $0.isNumber || $0 == "." }) ?? 0
        }
        return (attribute("width"), attribute("height"))
    }

    static func strippedProlog(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }
}
