/// SVG for scatter series: one path per series, or one PNG layer for very many points.
enum ScatterDrawing {
    private static func n(_ v: Double) -> String { SVGText.number(v) }

    /// Stroke width of line-drawn markers (cross, plus, ring) in px.
    static func markerStroke(_ size: Double) -> Double { max(1, size * 0.25) }

    /// Marker centres in px that fall inside the plot, one per half-pixel cell (later points win, as they are
    /// drawn on top).
    static func visibleCenters(_ s: ScatterSeries, plot: Rect, xScale: Scale, yScale: Scale) -> [(Double, Double)] {
        let pad = s.size
        var seen = Set<Int64>()
        var centers: [(Double, Double)] = []
        for i in s.x.indices.reversed() {
            let x = xScale(s.x[i]), y = yScale(s.y[i])
            guard x.isFinite, y.isFinite, x >= plot.x - pad, x <= plot.maxX + pad,
                  y >= plot.y - pad, y <= plot.maxY + pad else { continue }
            let key = Int64((x * 2).rounded()) << 32 | Int64((y * 2).rounded())
            if seen.insert(key).inserted { centers.append((x, y)) }
        }
        return centers.reversed()
    }

    /// The marker's path at `(x, y)`, relative commands after one absolute move.
    static func glyph(_ marker: Marker, x: Double, y: Double, size: Double) -> String {
        let r = size / 2
        switch marker {
        case .circle: return "M\(n(x)) \(n(y))h0"
        case .square: return "M\(n(x - r)) \(n(y - r))h\(n(2 * r))v\(n(2 * r))h\(n(-2 * r))z"
        case .ring:
            return "M\(n(x - r)) \(n(y))a\(n(r)) \(n(r)) 0 1 0 \(n(2 * r)) 0a\(n(r)) \(n(r)) 0 1 0 \(n(-2 * r)) 0"
        case .cross:
            let a = r * 0.85
            return "M\(n(x - a)) \(n(y - a))l\(n(2 * a)) \(n(2 * a))m0 \(n(-2 * a))l\(n(-2 * a)) \(n(2 * a))"
        case .plus: return "M\(n(x - r)) \(n(y))h\(n(2 * r))m\(n(-r)) \(n(-r))v\(n(2 * r))"
        case .diamond: return "M\(n(x)) \(n(y - r))l\(n(r)) \(n(r))l\(n(-r)) \(n(r))l\(n(-r)) \(n(-r))z"
        case .triangle:
            return "M\(n(x)) \(n(y - r))l\(n(0.87 * r)) \(n(1.5 * r))h\(n(-1.73 * r))z"
        }
    }

    /// Paint attributes for a marker path of `color`.
    static func paint(_ marker: Marker, color: Color, size: Double, opacity: Double) -> String {
        let alpha = SeriesDrawing.n3(opacity)
        switch marker {
        case .circle:
            // A zero-length stroke with round caps is a disc: about 12 bytes per point.
            return "fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(n(size))\" stroke-linecap=\"round\" "
                + "stroke-opacity=\"\(alpha)\""
        case .ring, .cross, .plus:
            return "fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(n(markerStroke(size)))\" "
                + "stroke-opacity=\"\(alpha)\""
        case .square, .diamond, .triangle:
            return "fill=\"\(color.hex)\" fill-opacity=\"\(alpha)\" stroke=\"none\""
        }
    }

    static func vector(_ s: ScatterSeries, plot: Rect, xScale: Scale, yScale: Scale) -> String {
        let centers = visibleCenters(s, plot: plot, xScale: xScale, yScale: yScale)
        guard !centers.isEmpty else { return "" }
        var d = ""
        d.reserveCapacity(centers.count * 16)
        for (x, y) in centers { d += glyph(s.marker, x: x, y: y, size: s.size) }
        return "<path d=\"\(d)\" \(paint(s.marker, color: s.color, size: s.size, opacity: s.opacity))/>\n"
    }

    /// All `series` drawn into one indexed PNG at 1.5 times the screen resolution, placed over the plot rectangle.
    static func raster(_ series: [ScatterSeries], plot: Rect, xScale: Scale, yScale: Scale) -> String {
        let scale = 1.5
        let width = Int((plot.width * scale).rounded(.up)), height = Int((plot.height * scale).rounded(.up))
        // One palette entry per distinct colour and opacity; entry 0 is transparent.
        var palette = [Color.white], alpha = [UInt8(0)]
        var entry: [Int] = []
        for s in series {
            let a = UInt8((s.opacity * 255).rounded())
            if let found = zip(palette, alpha).enumerated().dropFirst().first(where: { $1 == (s.color, a) }) {
                entry.append(found.offset)
            } else if palette.count < 256 {
                palette.append(s.color); alpha.append(a); entry.append(palette.count - 1)
            } else {
                entry.append(palette.count - 1)
            }
        }
        var image = PNGImage(width: width, height: height, palette: palette, alpha: alpha)
        for (index, s) in series.enumerated() {
            let stamp = stampOffsets(s.marker, size: s.size * scale)
            let value = UInt8(entry[index])
            for (x, y) in visibleCenters(s, plot: plot, xScale: xScale, yScale: yScale) {
                let cx = Int(((x - plot.x) * scale).rounded(.down)), cy = Int(((y - plot.y) * scale).rounded(.down))
                for (dx, dy) in stamp {
                    let px = cx + dx, py = cy + dy
                    if px >= 0, px < width, py >= 0, py < height { image.pixels[py * width + px] = value }
                }
            }
        }
        return "<image x=\"\(n(plot.x))\" y=\"\(n(plot.y))\" width=\"\(n(plot.width))\" height=\"\(n(plot.height))\" "
            + "preserveAspectRatio=\"none\" href=\"\(image.dataURI())\"/>\n"
    }

    /// Pixel offsets covered by a marker of diameter `size` (in raster px) centred on a pixel.
    static func stampOffsets(_ marker: Marker, size: Double) -> [(Int, Int)] {
        let r = size / 2
        let line = markerStroke(size / 1.5) * 1.5 / 2  // half the stroke width in raster px
        let reach = Int(r.rounded(.up)) + 1
        var offsets: [(Int, Int)] = []
        for dy in -reach...reach {
            for dx in -reach...reach {
                let x = Double(dx), y = Double(dy)
                let inside: Bool
                switch marker {
                case .circle: inside = x * x + y * y <= r * r
                case .ring:
                    let distance = (x * x + y * y).squareRoot()
                    inside = abs(distance - r) <= line
                case .square: inside = abs(x) <= r && abs(y) <= r
                case .cross:
                    let a = r * 0.85
                    inside = abs(x) <= a + line && abs(y) <= a + line
                        && (abs(x - y) <= line * 1.414 || abs(x + y) <= line * 1.414)
                case .plus: inside = (abs(y) <= line && abs(x) <= r) || (abs(x) <= line && abs(y) <= r)
                case .diamond: inside = abs(x) + abs(y) <= r
                case .triangle: inside = y >= -r && y <= 0.5 * r && abs(x) <= (y + r) * 0.58
                }
                if inside { offsets.append((dx, dy)) }
            }
        }
        return offsets.isEmpty ? [(0, 0)] : offsets
    }
}
