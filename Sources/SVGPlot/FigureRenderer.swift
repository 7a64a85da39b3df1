/// Lays out the grid of panels and writes the SVG document.
struct FigureRenderer {
    let figure: Figure

    func render() -> String {
        let panels = figure.panels
        var limits = panels.map { $0.autoLimits() }
        shareLimits(&limits)

        let titleHeight = figure.title != nil ? 28.0 : 0
        let outer = 4.0
        let cellWidth = (figure.width - 2 * outer) / Double(figure.columns)
        let cellHeight = (figure.height - 2 * outer - titleHeight) / Double(figure.rows)

        var ticks: [PanelTicks] = []
        var margins: [Margins] = []
        for (index, axes) in panels.enumerated() {
            let (row, column) = (index / figure.columns, index % figure.columns)
            let t = PanelTicks(limits: limits[index], xScale: axes.xScale, yScale: axes.yScale,
                               showX: !figure.sharedX || row == figure.rows - 1
                                   || !panels[index + figure.columns].isVisible,
                               showY: !figure.sharedY || column == 0, approximatePlotWidth: cellWidth - 70)
            ticks.append(t)
            margins.append(Margins(axes: axes, ticks: t))
        }
        equalizeMargins(&margins)

        var body = ""
        for (index, axes) in panels.enumerated() where axes.isVisible {
            let (row, column) = (index / figure.columns, index % figure.columns)
            let cell = Rect(x: outer + Double(column) * cellWidth, y: outer + titleHeight + Double(row) * cellHeight,
                            width: cellWidth, height: cellHeight)
            let m = margins[index]
            let plot = Rect(x: cell.x + m.left, y: cell.y + m.top, width: max(cell.width - m.left - m.right, 10),
                            height: max(cell.height - m.top - m.bottom, 10))
            var renderer = PanelRenderer(axes: axes, limits: limits[index], ticks: ticks[index], cell: cell,
                                         plot: plot, idPrefix: "\(Self.idPlaceholder)p\(index)")
            body += renderer.render()
        }
        return document(body: body)
    }

    static let idPlaceholder = "@ID@"

    /// Gives every panel the union of the panels' automatic ranges along shared axes (user limits stay).
    private func shareLimits(_ limits: inout [PanelLimits]) {
        let panels = figure.panels
        if figure.sharedX {
            let numeric = limits.indices.filter { limits[$0].categories.isEmpty }
            var union = Extent()
            for i in numeric where panels[i].xLimits == nil && !panels[i].isEmpty && panels[i].isVisible {
                union.add(limits[i].x.lowerBound); union.add(limits[i].x.upperBound)
            }
            if !union.isEmpty {
                for i in numeric where panels[i].xLimits == nil { limits[i].x = union.low...union.high }
            }
        }
        if figure.sharedY {
            var union = Extent()
            for i in limits.indices where panels[i].yLimits == nil && !panels[i].isEmpty && panels[i].isVisible {
                union.add(limits[i].y.lowerBound); union.add(limits[i].y.upperBound)
            }
            if !union.isEmpty {
                for i in limits.indices where panels[i].yLimits == nil { limits[i].y = union.low...union.high }
            }
        }
    }

    /// Aligns plot rectangles: one left/right margin per column, one top/bottom margin per row.
    private func equalizeMargins(_ margins: inout [Margins]) {
        let (rows, columns) = (figure.rows, figure.columns)
        for column in 0..<columns {
            let indices = (0..<rows).map { $0 * columns + column }
            let left = indices.map { margins[$0].left }.max() ?? 0
            let right = indices.map { margins[$0].right }.max() ?? 0
            for i in indices { margins[i].left = left; margins[i].right = right }
        }
        for row in 0..<rows {
            let indices = (0..<columns).map { row * columns + $0 }
            let top = indices.map { margins[$0].top }.max() ?? 0
            let bottom = indices.map { margins[$0].bottom }.max() ?? 0
            for i in indices { margins[i].top = top; margins[i].bottom = bottom }
        }
    }

    private func document(body: String) -> String {
        let w = SVGText.number(figure.width), h = SVGText.number(figure.height)
        var head = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" "
        head += "viewBox=\"0 0 \(w) \(h)\" font-family=\"\(Style.fontFamily)\" role=\"img\">\n"
        if let title = figure.title { head += "<title>\(SVGText.escape(title))</title>\n" }
        head += "<rect width=\"\(w)\" height=\"\(h)\" rx=\"6\" fill=\"#ffffff\"/>\n"
        if let title = figure.title {
            head += "<text x=\"\(SVGText.number(figure.width / 2))\" y=\"22\" text-anchor=\"middle\" "
            head += "font-size=\"\(SVGText.number(Style.figureTitleFont))\" font-weight=\"bold\" "
            head += "fill=\"\(Style.ink)\">\(SVGText.escape(title))</text>\n"
        }
        let unidentified = head + body + "</svg>\n"
        // Ids must be unique among all figures of a notebook page: derive them from the content.
        let prefix = "f" + String(Self.fnv1a(unidentified), radix: 36) + "-"
        return Self.replacing(Self.idPlaceholder, with: prefix, in: unidentified)
    }

    /// `text` with every `placeholder` replaced, in one pass over its UTF-8 bytes (Foundation's
    /// `replacingOccurrences` took about a third of a live display's rendering on a 300 KB figure).
    static func replacing(_ placeholder: String, with replacement: String, in text: String) -> String {
        let needle = Array(placeholder.utf8), with = Array(replacement.utf8)
        guard let first = needle.first else { return text }
        var out: [UInt8] = []
        var text = text
        text.withUTF8 { bytes in
            out.reserveCapacity(bytes.count + bytes.count / 64)
            var i = 0, copied = 0
            let n = bytes.count, m = needle.count
            while i + m <= n {
                if bytes[i] == first && needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<i]))
                    out.append(contentsOf: with)
                    i += m
                    copied = i
                } else {
                    i += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<n]))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
