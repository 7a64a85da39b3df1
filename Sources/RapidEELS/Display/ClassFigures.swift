import EELS
import SVGPlot

extension Figures {
    /// The colour of class `label` in class maps (blue, orange, green, red, purple, ...).
    public static func classPalette(_ label: Int) -> Color {
        let palette: [Color] = [.blue, .orange, .green, .red, .purple, .brown, .pink, .gray, .olive, .cyan]
        return palette[((label % palette.count) + palette.count) % palette.count]
    }

    /// The most probable class of every pixel as a map, one colour per class (the colour bar runs over the class
    /// indices; the title names them).
    ///
    ///     try Figures.classMap(result).svg()
    public static func classMap(_ c: Classification, title: String? = nil) throws -> Figure {
        let k = c.classNames.count
        let legend = c.classNames.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")
        var figure = Figure(width: 720, height: 260, title: title ?? "class map \(c.title) (\(legend))")
        let colormap = try Colormap(stops: (0..<k).map(classPalette))
        try figure.axes.heatmap(c.labels.map(Double.init), rows: c.rows, columns: c.columns, colormap: colormap,
                                range: 0...Double(max(k - 1, 1)), colorbarLabel: "class")
        figure.axes.xLabel = "x (px)"
        figure.axes.yLabel = "y (px)"
        return figure
    }

    /// The probability of every class at every pixel, one panel per class.
    public static func probabilityMaps(_ c: Classification) throws -> Figure {
        let k = c.classNames.count
        var figure = Figure(width: 720, height: Double(150 * k + 40), rows: k, columns: 1,
                            title: "class probabilities \(c.title)")
        for i in 0..<k {
            try figure.panels[i].heatmap(c.probabilityMap(i), rows: c.rows, columns: c.columns, colormap: .viridis,
                                         range: 0...1, colorbarLabel: "P(\(c.classNames[i]))")
        }
        return figure
    }

    /// A map of one value per pixel (a drift shift map in eV, a thickness map...).
    public static func valueMap(_ values: [Double], rows: Int, columns: Int, title: String,
                                label: String) throws -> Figure {
        var figure = Figure(width: 720, height: 260, title: title)
        try figure.axes.heatmap(values, rows: rows, columns: columns, colormap: .coolwarm, colorbarLabel: label)
        figure.axes.xLabel = "x (px)"
        figure.axes.yLabel = "y (px)"
        return figure
    }
}
