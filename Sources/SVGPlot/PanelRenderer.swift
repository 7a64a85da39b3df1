/// Draws one panel: frame, ticks, labels, series, legend and colour bar.
struct PanelRenderer {
    let axes: Axes
    let limits: PanelLimits
    let ticks: PanelTicks
    let cell: Rect
    let plot: Rect
    let idPrefix: String
    let xScale: Scale
    let yScale: Scale
    var out = ""

    init(axes: Axes, limits: PanelLimits, ticks: PanelTicks, cell: Rect, plot: Rect, idPrefix: String) {
        self.axes = axes
        self.limits = limits
        self.ticks = ticks
        self.cell = cell
        self.plot = plot
        self.idPrefix = idPrefix
        xScale = Scale(domain: limits.x, start: plot.x, end: plot.maxX, log: axes.xScale == .log)
        yScale = axes.yInverted ? Scale(domain: limits.y, start: plot.y, end: plot.maxY, log: axes.yScale == .log)
            : Scale(domain: limits.y, start: plot.maxY, end: plot.y, log: axes.yScale == .log)
    }

    private func n(_ v: Double) -> String { SVGText.number(v) }

    mutating func render() -> String {
        let clipID = idPrefix + "c"
        out += "<g>\n<clipPath id=\"\(clipID)\"><rect x=\"\(n(plot.x))\" y=\"\(n(plot.y))\" "
        out += "width=\"\(n(plot.width))\" height=\"\(n(plot.height))\"/></clipPath>\n"
        if axes.grid { drawGrid() }
        out += "<g clip-path=\"url(#\(clipID))\">\n"
        drawElements()
        out += "</g>\n"
        drawFrameAndTicks()
        drawLabels()
        drawNotes()
        var legend = LegendDrawer(axes: axes, plot: plot, xScale: xScale, yScale: yScale)
        out += legend.render()
        if let layer = axes.firstHeatmap { drawColorbar(layer) }
        out += "</g>\n"
        return out
    }

    private mutating func drawGrid() {
        var d = ""
        for t in ticks.x { d += "M\(n(xScale(t))) \(n(plot.y))V\(n(plot.maxY))" }
        for t in ticks.y { d += "M\(n(plot.x)) \(n(yScale(t)))H\(n(plot.maxX))" }
        if !d.isEmpty { out += "<path d=\"\(d)\" stroke=\"\(Style.gridColor)\" stroke-width=\"0.8\" fill=\"none\"/>\n" }
    }

    private mutating func drawElements() {
        var barIndex = 0
        let barCount = axes.elements.reduce(0) { count, e in if case .bars = e { return count + 1 }; return count }
        let scatterPoints = axes.elements.reduce(0) { count, e in
            if case let .scatter(s) = e { return count + s.x.count }
            return count
        }
        let rasterize = scatterPoints > axes.scatterRasterThreshold
        var rasterLayer: [ScatterSeries] = []
        func flushRaster(_ out: inout String) {
            guard !rasterLayer.isEmpty else { return }
            out += ScatterDrawing.raster(rasterLayer, plot: plot, xScale: xScale, yScale: yScale)
            rasterLayer.removeAll()
        }
        for element in axes.elements {
            if case let .scatter(s) = element, rasterize {
                rasterLayer.append(s)
                continue
            }
            flushRaster(&out)
            switch element {
            case let .line(s): out += SeriesDrawing.line(s, plot: plot, xScale: xScale, yScale: yScale)
            case let .band(s): out += SeriesDrawing.band(s, xScale: xScale, yScale: yScale)
            case let .scatter(s): out += ScatterDrawing.vector(s, plot: plot, xScale: xScale, yScale: yScale)
            case let .bars(s):
                out += SeriesDrawing.bars(s, index: barIndex, of: barCount, categories: limits.categories,
                                          xScale: xScale, yScale: yScale)
                barIndex += 1
            case let .heatmap(h): out += HeatmapDrawing.image(h, xScale: xScale, yScale: yScale)
            case let .reference(r): out += SeriesDrawing.reference(r, plot: plot, xScale: xScale, yScale: yScale)
            case .text: break
            }
        }
        flushRaster(&out)
    }

    private mutating func drawFrameAndTicks() {
        var d = ""
        let tl = Style.tickLength
        for t in ticks.x { d += "M\(n(xScale(t))) \(n(plot.maxY))v\(n(tl))" }
        for t in ticks.y { d += "M\(n(plot.x)) \(n(yScale(t)))h\(n(-tl))" }
        out += "<rect x=\"\(n(plot.x))\" y=\"\(n(plot.y))\" width=\"\(n(plot.width))\" height=\"\(n(plot.height))\" "
        out += "fill=\"none\" stroke=\"\(Style.frame)\" stroke-width=\"1\"/>\n"
        if !d.isEmpty { out += "<path d=\"\(d)\" stroke=\"\(Style.frame)\" stroke-width=\"1\"/>\n" }
        let fontSize = n(Style.tickFont)
        if ticks.showXLabels, !ticks.x.isEmpty {
            let y = plot.maxY + tl + 2 + Style.tickFont
            if ticks.rotateXLabels {
                out += "<g font-size=\"\(fontSize)\" fill=\"\(Style.ink)\" text-anchor=\"end\">"
                for (t, label) in zip(ticks.x, ticks.xLabels) {
                    let x = xScale(t) + 3
                    out += "<text transform=\"translate(\(n(x)) \(n(y - 4))) rotate(-30)\">"
                    out += "\(SVGText.escape(label))</text>"
                }
            } else {
                out += "<g font-size=\"\(fontSize)\" fill=\"\(Style.ink)\" text-anchor=\"middle\">"
                for (t, label) in zip(ticks.x, ticks.xLabels) {
                    out += "<text x=\"\(n(xScale(t)))\" y=\"\(n(y))\">\(SVGText.escape(label))</text>"
                }
            }
            out += "</g>\n"
        }
        if ticks.showYLabels, !ticks.y.isEmpty {
            out += "<g font-size=\"\(fontSize)\" fill=\"\(Style.ink)\" text-anchor=\"end\">"
            let x = plot.x - tl - 3
            for (t, label) in zip(ticks.y, ticks.yLabels) {
                let y = yScale(t) + Style.tickFont * 0.35
                out += "<text x=\"\(n(x))\" y=\"\(n(y))\">\(SVGText.escape(label))</text>"
            }
            out += "</g>\n"
        }
    }

    private mutating func drawLabels() {
        let labelSize = n(Style.labelFont)
        if let xLabel = axes.xLabel {
            let y = cell.maxY - 8
            out += "<text x=\"\(n(plot.x + plot.width / 2))\" y=\"\(n(y))\" text-anchor=\"middle\" "
            out += "font-size=\"\(labelSize)\" fill=\"\(Style.ink)\">\(SVGText.escape(xLabel))</text>\n"
        }
        if let yLabel = axes.yLabel {
            let x = cell.x + 6 + Style.labelFont * 0.8
            let y = plot.y + plot.height / 2
            out += "<text transform=\"translate(\(n(x)) \(n(y))) rotate(-90)\" text-anchor=\"middle\" "
            out += "font-size=\"\(labelSize)\" fill=\"\(Style.ink)\">\(SVGText.escape(yLabel))</text>\n"
        }
        if let title = axes.title {
            out += "<text x=\"\(n(plot.x + plot.width / 2))\" y=\"\(n(plot.y - 9))\" text-anchor=\"middle\" "
            out += "font-size=\"\(n(Style.titleFont))\" fill=\"\(Style.ink)\">\(SVGText.escape(title))</text>\n"
        }
        if let letter = axes.panelLabel {
            out += "<text x=\"\(n(cell.x + 4))\" y=\"\(n(cell.y + 16))\" font-size=\"\(n(Style.titleFont + 1))\" "
            out += "font-weight=\"bold\" fill=\"\(Style.ink)\">\(SVGText.escape(letter))</text>\n"
        }
    }

    private mutating func drawNotes() {
        for case let .text(note) in axes.elements {
            let x = xScale(note.x), y = yScale(note.y)
            guard x.isFinite, y.isFinite else { continue }
            out += "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(note.anchor.svgValue)\" "
            out += "font-size=\"\(n(note.size))\" fill=\"\(note.color.hex)\">\(SVGText.escape(note.text))</text>\n"
        }
    }

    private mutating func drawColorbar(_ layer: HeatmapLayer) {
        let bar = Rect(x: plot.maxX + 12, y: plot.y, width: Style.colorbarWidth, height: plot.height)
        out += HeatmapDrawing.colorbarImage(layer.colormap, in: bar)
        out += "<rect x=\"\(n(bar.x))\" y=\"\(n(bar.y))\" width=\"\(n(bar.width))\" height=\"\(n(bar.height))\" "
        out += "fill=\"none\" stroke=\"\(Style.frame)\" stroke-width=\"0.8\"/>\n"
        let scale = Scale(domain: layer.range, start: bar.maxY, end: bar.y)
        let positions = Ticks.positions(in: layer.range, target: 5)
        let labels = Ticks.labels(for: positions)
        var d = ""
        for t in positions { d += "M\(n(bar.maxX)) \(n(scale(t)))h\(n(Style.tickLength))" }
        if !d.isEmpty { out += "<path d=\"\(d)\" stroke=\"\(Style.frame)\" stroke-width=\"1\"/>\n" }
        out += "<g font-size=\"\(n(Style.tickFont))\" fill=\"\(Style.ink)\">"
        for (t, label) in zip(positions, labels) {
            let y = scale(t) + Style.tickFont * 0.35
            out += "<text x=\"\(n(bar.maxX + Style.tickLength + 3))\" y=\"\(n(y))\">\(SVGText.escape(label))</text>"
        }
        out += "</g>\n"
        if let label = layer.colorbarLabel {
            let widest = labels.map { SVGText.width($0, size: Style.tickFont) }.max() ?? 0
            let x = bar.maxX + Style.tickLength + 3 + widest + 6 + Style.labelFont * 0.8
            out += "<text transform=\"translate(\(n(x)) \(n(bar.y + bar.height / 2))) rotate(-90)\" "
            out += "text-anchor=\"middle\" font-size=\"\(n(Style.labelFont))\" fill=\"\(Style.ink)\">"
            out += "\(SVGText.escape(label))</text>\n"
        }
    }
}
