/// SVG for lines, bands, bars and reference lines.
enum SeriesDrawing {
    private static func n(_ v: Double) -> String { SVGText.number(v) }

    /// Pixel coordinates far outside the plot are clamped so every renderer copes with them.
    static func clampPixel(_ v: Double) -> Double { min(max(v, -1e5), 1e5) }

    /// Runs of consecutive points whose coordinates are all finite, in px.
    static func finiteRuns(count: Int, point: (Int) -> (Double, Double)?) -> [[(Double, Double)]] {
        var runs: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for i in 0..<count {
            if let p = point(i), p.0.isFinite, p.1.isFinite {
                current.append((clampPixel(p.0), clampPixel(p.1)))
            } else if !current.isEmpty {
                runs.append(current)
                current = []
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// Keeps, per half-pixel column, the first, lowest, highest and last point (in their order), which draws the
    /// same picture as the full line when there are many more points than pixels.
    static func decimate(_ run: [(Double, Double)], plotWidth: Double) -> [(Double, Double)] {
        guard run.count > Int(plotWidth * 4) else { return run }
        var out: [(Double, Double)] = []
        out.reserveCapacity(Int(plotWidth * 8))
        var start = 0
        while start < run.count {
            let bucket = (run[start].0 * 2).rounded(.down)
            var end = start + 1
            while end < run.count, (run[end].0 * 2).rounded(.down) == bucket { end += 1 }
            var low = start, high = start
            for i in start..<end {
                if run[i].1 < run[low].1 { low = i }
                if run[i].1 > run[high].1 { high = i }
            }
            for i in Set([start, low, high, end - 1]).sorted() { out.append(run[i]) }
            start = end
        }
        return out
    }

    static func pathData(_ run: [(Double, Double)]) -> String {
        var d = "M\(n(run[0].0)) \(n(run[0].1))"
        if run.count == 1 { return d + "h0" }
        d += "L"
        for (i, p) in run.enumerated().dropFirst() {
            d += (i == 1 ? "" : " ") + n(p.0) + " " + n(p.1)
        }
        return d
    }

    static func strokeAttributes(color: Color, width: Double, style: LineStyle) -> String {
        var attributes = "fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\""
        if let dash = style.dashArray { attributes += " stroke-dasharray=\"\(dash)\"" }
        return attributes
    }

    static func line(_ s: LineSeries, plot: Rect, xScale: Scale, yScale: Scale) -> String {
        let runs = finiteRuns(count: s.x.count) { (xScale(s.x[$0]), yScale(s.y[$0])) }
        guard !runs.isEmpty else { return "" }
        let d = runs.map { pathData(decimate($0, plotWidth: plot.width)) }.joined()
        let cap = runs.contains { $0.count == 1 } ? " stroke-linecap=\"round\"" : ""
        var svg = "<path d=\"\(d)\" \(strokeAttributes(color: s.color, width: s.width, style: s.style))\(cap)/>\n"
        if let marker = s.marker {
            let points = ScatterSeries(x: s.x, y: s.y, label: nil, color: s.color, marker: marker, size: s.markerSize,
                                       opacity: 1)
            svg += ScatterDrawing.vector(points, plot: plot, xScale: xScale, yScale: yScale)
        }
        return svg
    }

    static func band(_ s: BandSeries, xScale: Scale, yScale: Scale) -> String {
        let upper = finiteRuns(count: s.x.count) { i in
            s.lower[i].isFinite ? (xScale(s.x[i]), yScale(s.upper[i])) : nil
        }
        let lower = finiteRuns(count: s.x.count) { i in
            s.upper[i].isFinite ? (xScale(s.x[i]), yScale(s.lower[i])) : nil
        }
        guard !upper.isEmpty, upper.count == lower.count else { return "" }
        var d = ""
        for (top, bottom) in zip(upper, lower) where top.count >= 2 {
            d += pathData(top) + "L" + bottom.reversed().map { n($0.0) + " " + n($0.1) }.joined(separator: " ") + "Z"
        }
        guard !d.isEmpty else { return "" }
        return "<path d=\"\(d)\" fill=\"\(s.color.hex)\" fill-opacity=\"\(n3(s.opacity))\" stroke=\"none\"/>\n"
    }

    /// An opacity with up to three decimals.
    static func n3(_ v: Double) -> String {
        let thousandths = Int((min(max(v, 0), 1) * 1000).rounded())
        if thousandths == 1000 { return "1" }
        if thousandths == 0 { return "0" }
        var digits = String(thousandths)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "0." + digits
    }

    static func bars(_ s: BarSeries, index: Int, of count: Int, categories: [String],
                     xScale: Scale, yScale: Scale) -> String {
        let position = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let slot = 0.8 / Double(max(count, 1))
        var d = "", errors = ""
        for (i, name) in s.categories.enumerated() {
            guard let c = position[name], s.values[i].isFinite else { continue }
            let center = Double(c) - 0.4 + (Double(index) + 0.5) * slot
            let x0 = xScale(center - slot * 0.46), x1 = xScale(center + slot * 0.46)
            let y0 = clampPixel(yScale(0)), y1 = clampPixel(yScale(s.values[i]))
            d += "M\(n(x0)) \(n(y0))H\(n(x1))V\(n(y1))H\(n(x0))Z"
            if let e = s.errors?[i], e.isFinite, e != 0 {
                let top = clampPixel(yScale(s.values[i] + abs(e))), bottom = clampPixel(yScale(s.values[i] - abs(e)))
                let xc = xScale(center), cap = min(4, (x1 - x0) / 4)
                errors += "M\(n(xc)) \(n(top))V\(n(bottom))M\(n(xc - cap)) \(n(top))h\(n(2 * cap))"
                errors += "M\(n(xc - cap)) \(n(bottom))h\(n(2 * cap))"
            }
        }
        var svg = d.isEmpty ? "" : "<path d=\"\(d)\" fill=\"\(s.color.hex)\"/>\n"
        if !errors.isEmpty {
            svg += "<path d=\"\(errors)\" stroke=\"\(Style.ink)\" stroke-width=\"1\" fill=\"none\"/>\n"
        }
        return svg
    }

    static func reference(_ r: ReferenceLine, plot: Rect, xScale: Scale, yScale: Scale) -> String {
        guard r.value.isFinite else { return "" }
        let d: String
        switch r.orientation {
        case .vertical: d = "M\(n(clampPixel(xScale(r.value)))) \(n(plot.y))V\(n(plot.maxY))"
        case .horizontal: d = "M\(n(plot.x)) \(n(clampPixel(yScale(r.value))))H\(n(plot.maxX))"
        }
        return "<path d=\"\(d)\" \(strokeAttributes(color: r.color, width: r.width, style: r.style))/>\n"
    }
}
