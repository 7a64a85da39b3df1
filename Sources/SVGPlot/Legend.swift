/// Draws the legend box: one row per labelled series, placed in a corner of the plot.
struct LegendDrawer {
    enum Swatch {
        case line(Color, Double, LineStyle, band: Double?, marker: ScatterSeries? = nil)
        case patch(Color, Double)
        case marker(ScatterSeries)
    }

    let axes: Axes
    let plot: Rect
    let xScale: Scale
    let yScale: Scale

    private func n(_ v: Double) -> String { SVGText.number(v) }

    var entries: [(String, Swatch)] {
        var result: [(String, Swatch)] = []
        var pendingBand: (label: String, opacity: Double)?
        for element in axes.elements {
            switch element {
            case let .line(s):
                guard let label = s.label else { continue }
                let band = pendingBand?.label == label ? pendingBand?.opacity : nil
                pendingBand = nil
                let marker = s.marker.map {
                    ScatterSeries(x: [], y: [], label: nil, color: s.color, marker: $0, size: s.markerSize, opacity: 1)
                }
                result.append((label, .line(s.color, s.width, s.style, band: band, marker: marker)))
            case let .band(s):
                guard let label = s.label else { continue }
                if s.hasLine {
                    pendingBand = (label, s.opacity)
                } else {
                    result.append((label, .patch(s.color, s.opacity)))
                }
            case let .scatter(s):
                if let label = s.label { result.append((label, .marker(s))) }
            case let .bars(s):
                if let label = s.label { result.append((label, .patch(s.color, 1))) }
            case let .reference(r):
                if let label = r.label { result.append((label, .line(r.color, r.width, r.style, band: nil))) }
            case .heatmap, .text:
                continue
            }
        }
        return result
    }

    static let rowHeight = 17.0
    static let swatchWidth = 24.0

    mutating func render() -> String {
        let items = entries
        guard !items.isEmpty, axes.legend != .hidden else { return "" }
        let textWidth = items.map { SVGText.width($0.0, size: Style.legendFont) }.max() ?? 0
        let boxWidth = 8 + Self.swatchWidth + 6 + textWidth + 8
        let boxHeight = 6 + Double(items.count) * Self.rowHeight + 2
        let box = place(width: boxWidth, height: boxHeight)
        var out = "<g font-size=\"\(n(Style.legendFont))\">\n"
        out += "<rect x=\"\(n(box.x))\" y=\"\(n(box.y))\" width=\"\(n(box.width))\" height=\"\(n(box.height))\" "
        out += "rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.88\" stroke=\"#cccccc\" stroke-width=\"0.8\"/>\n"
        for (row, (label, swatch)) in items.enumerated() {
            let y = box.y + 4 + (Double(row) + 0.5) * Self.rowHeight
            let x0 = box.x + 8, x1 = x0 + Self.swatchWidth
            switch swatch {
            case let .line(color, width, style, band, marker):
                if let band {
                    out += "<rect x=\"\(n(x0))\" y=\"\(n(y - 5))\" width=\"\(n(x1 - x0))\" height=\"10\" "
                    out += "fill=\"\(color.hex)\" fill-opacity=\"\(SeriesDrawing.n3(band))\"/>"
                }
                out += "<path d=\"M\(n(x0)) \(n(y))H\(n(x1))\" "
                out += "\(SeriesDrawing.strokeAttributes(color: color, width: min(width, 4), style: style))/>"
                if let marker { out += markerSwatch(marker, x: (x0 + x1) / 2, y: y) }
            case let .patch(color, opacity):
                out += "<rect x=\"\(n(x0 + 4))\" y=\"\(n(y - 5))\" width=\"\(n(x1 - x0 - 8))\" height=\"10\" "
                out += "fill=\"\(color.hex)\" fill-opacity=\"\(SeriesDrawing.n3(opacity))\"/>"
            case let .marker(s):
                out += markerSwatch(s, x: (x0 + x1) / 2, y: y)
            }
            out += "<text x=\"\(n(x1 + 6))\" y=\"\(n(y + Style.legendFont * 0.35))\" fill=\"\(Style.ink)\">"
            out += "\(SVGText.escape(label))</text>\n"
        }
        return out + "</g>\n"
    }

    private func markerSwatch(_ s: ScatterSeries, x: Double, y: Double) -> String {
        let size = min(s.size, 12)
        let glyph = ScatterDrawing.glyph(s.marker, x: x, y: y, size: size)
        return "<path d=\"\(glyph)\" \(ScatterDrawing.paint(s.marker, color: s.color, size: size, opacity: 1))/>"
    }

    /// The legend rectangle for the chosen corner; `.best` takes the corner covering the fewest data points.
    private func place(width: Double, height: Double) -> Rect {
        let inset = 8.0
        func corner(_ position: LegendPosition) -> Rect {
            let left = plot.x + inset, right = plot.maxX - inset - width
            let top = plot.y + inset, bottom = plot.maxY - inset - height
            switch position {
            case .topLeft: return Rect(x: left, y: top, width: width, height: height)
            case .bottomRight: return Rect(x: right, y: bottom, width: width, height: height)
            case .bottomLeft: return Rect(x: left, y: bottom, width: width, height: height)
            default: return Rect(x: right, y: top, width: width, height: height)
            }
        }
        guard axes.legend == .best else { return corner(axes.legend) }
        let points = samplePoints()
        let candidates: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
        var best = candidates[0], fewest = Int.max
        for candidate in candidates {
            let rect = corner(candidate)
            let covered = points.reduce(0) { $0 + (rect.contains($1.0, $1.1) ? 1 : 0) }
            if covered < fewest { fewest = covered; best = candidate }
        }
        return corner(best)
    }

    /// Up to a few thousand data points in px, including points interpolated along lines and bands.
    private func samplePoints() -> [(Double, Double)] {
        var points: [(Double, Double)] = []
        func add(_ xs: [Double], _ ys: [Double]) {
            let stride = max(1, xs.count / 1500)
            var i = 0
            var last: (Double, Double)?
            while i < xs.count {
                let p = (xScale(xs[i]), yScale(ys[i]))
                if p.0.isFinite, p.1.isFinite {
                    if let l = last {
                        for k in 1...4 {
                            let f = Double(k) / 5
                            points.append((l.0 + (p.0 - l.0) * f, l.1 + (p.1 - l.1) * f))
                        }
                    }
                    points.append(p)
                    last = p
                } else { last = nil }
                i += stride
            }
        }
        for element in axes.elements {
            switch element {
            case let .line(s): add(s.x, s.y)
            case let .band(s): add(s.x, s.upper); add(s.x, s.lower)
            case let .scatter(s):
                let stride = max(1, s.x.count / 1500)
                for i in Swift.stride(from: 0, to: s.x.count, by: stride) {
                    let p = (xScale(s.x[i]), yScale(s.y[i]))
                    if p.0.isFinite, p.1.isFinite { points.append(p) }
                }
            case let .bars(s):
                let categories = axes.barCategories
                for (name, value) in zip(s.categories, s.values) {
                    guard let c = categories.firstIndex(of: name) else { continue }
                    for f in stride(from: 0.0, through: 1.0, by: 0.1) {
                        points.append((xScale(Double(c)), yScale(value * f)))
                    }
                }
            default: continue
            }
        }
        return points
    }
}
