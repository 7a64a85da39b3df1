/// SVG for heat maps and colour bars, as embedded indexed PNGs (one image pixel per map pixel).
enum HeatmapDrawing {
    private static func n(_ v: Double) -> String { SVGText.number(v) }

    /// 255 colours sampled from `colormap` plus index 0 for non-finite (transparent).
    static func palette(_ colormap: Colormap) -> (colors: [Color], alpha: [UInt8]) {
        let colors = [Color.white] + (0..<255).map { colormap.color(at: Double($0) / 254) }
        return (colors, [0] + [UInt8](repeating: 255, count: 255))
    }

    static func image(_ h: HeatmapLayer, xScale: Scale, yScale: Scale) -> String {
        let (colors, alpha) = palette(h.colormap)
        let x0 = xScale(h.x.lowerBound), x1 = xScale(h.x.upperBound)
        let low = h.range.lowerBound, span = h.range.upperBound - h.range.lowerBound
        // Row 0 lies at y.lowerBound: on the image's top edge when that edge is drawn at the top.
        let top = yScale(h.y.lowerBound), bottom = yScale(h.y.upperBound)
        let flip = top > bottom
        // Renderers that smooth images (librsvg ignores image-rendering) blur one image pixel at each edge:
        // repeat each map pixel so that it spans at most about 2 screen px.
        let kx = repeatFactor(screen: abs(x1 - x0), pixels: h.columns)
        let ky = repeatFactor(screen: abs(bottom - top), pixels: h.rows)
        var image = PNGImage(width: h.columns * kx, height: h.rows * ky, palette: colors, alpha: alpha)
        let width = h.columns * kx
        for row in 0..<h.rows {
            let target = flip ? h.rows - 1 - row : row
            var line = [UInt8](repeating: 0, count: width)
            for column in 0..<h.columns {
                let v = h.values[row * h.columns + column]
                guard v.isFinite else { continue }
                let t = min(max((v - low) / span, 0), 1)
                let index = UInt8(1 + (t * 254).rounded())
                for k in 0..<kx { line[column * kx + k] = index }
            }
            for k in 0..<ky {
                let start = (target * ky + k) * width
                image.pixels.replaceSubrange(start..<(start + width), with: line)
            }
        }
        let rect = Rect(x: min(x0, x1), y: min(top, bottom), width: abs(x1 - x0), height: abs(bottom - top))
        return place(image, in: rect)
    }

    /// How many image pixels per map pixel keep each map pixel within ~2 screen px (at most 2048 in all).
    static func repeatFactor(screen: Double, pixels: Int) -> Int {
        guard screen.isFinite, pixels > 0 else { return 1 }
        let wanted = Int((screen / Double(pixels) / 2).rounded(.up))
        return max(1, min(wanted, 2048 / pixels, 64))
    }

    static func colorbarImage(_ colormap: Colormap, in rect: Rect) -> String {
        let (colors, _) = palette(colormap)
        var image = PNGImage(width: 1, height: 255, palette: colors)
        for i in 0..<255 { image.pixels[i] = UInt8(255 - i) }
        return place(image, in: rect)
    }

    private static func place(_ image: PNGImage, in rect: Rect) -> String {
        "<image x=\"\(n(rect.x))\" y=\"\(n(rect.y))\" width=\"\(n(rect.width))\" height=\"\(n(rect.height))\" "
            + "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"\(image.dataURI())\"/>\n"
    }
}
