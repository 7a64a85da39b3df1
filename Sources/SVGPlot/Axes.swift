/// One panel of a figure: a coordinate frame with ticks and labels and the series drawn in it.
///
/// Non-finite values (NaN, ±Inf) are skipped when drawing; an axes with no data draws an empty frame.
///
///     var fig = Figure(width: 640, height: 400)
///     try fig.axes.plot(energy, counts, label: "raw", color: .blue)
///     fig.axes.xLabel = "Energy loss (eV)"
///     fig.axes.yLabel = "Intensity (counts)"
///     let svg = fig.svg()
public struct Axes {
    /// Title drawn above the panel.
    public var title: String?
    /// Axis labels; put units in parentheses: "Energy loss (eV)".
    public var xLabel: String?
    public var yLabel: String?
    /// Fixed axis limits in data units; `nil` fits the data (with a 4 % margin for lines and points).
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    /// Linear or logarithmic spacing of each axis (`.log` skips values <= 0).
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Draw y increasing downwards (image convention; `heatmap` without a `y` range turns this on).
    public var yInverted = false
    /// Light grid lines at the major ticks.
    public var grid = false
    /// Legend placement; the legend appears when at least one series has a label.
    public var legend: LegendPosition = .best
    /// A panel letter such as "A" drawn at the panel's top-left corner (as the paper's figures have).
    public var panelLabel: String?
    /// Scatter plots with more visible points than this are drawn as one embedded PNG layer (markers rendered at
    /// 1.5 times the screen resolution), which keeps 25,000-point plots a few tens of KB.
    public var scatterRasterThreshold = 1500
    /// Whether the panel is drawn at all: a blank cell of a grid (`Figure(panels:columns:)` fills the cells after
    /// the last panel with hidden axes) has no frame, ticks or legend.
    public var isVisible = true

    var elements: [PlotElement] = []
    private var nextColor = 0

    /// An empty axes.
    public init() {}

    /// Whether nothing has been drawn into this axes.
    public var isEmpty: Bool { elements.isEmpty }

    private mutating func resolve(_ color: Color?) -> Color {
        if let color { return color }
        defer { nextColor += 1 }
        return Color.cycle[nextColor % Color.cycle.count]
    }

    private static func doubles<T: BinaryFloatingPoint>(_ values: [T]) -> [Double] { values.map { Double($0) } }

    private static func checkLengths(_ call: String, _ a: String, _ na: Int, _ b: String, _ nb: Int) throws {
        guard na == nb else {
            throw PlotError.lengthMismatch(call: call, first: a, firstCount: na, second: b, secondCount: nb)
        }
    }

    /// Draws a line through `(x[i], y[i])`; a non-finite value breaks the line.
    ///
    ///     try fig.axes.plot(energy, spectrum, label: "0.7 MFP initial", style: .dashed)
    ///     try fig.axes.plot([25, 100, 200, 400], mse, label: "AEC", marker: .circle)
    /// - Parameters:
    ///   - width: stroke width in px.
    ///   - marker: a marker drawn at every point, `markerSize` px across.
    /// - Throws: `PlotError.lengthMismatch` when `x` and `y` differ in length.
    public mutating func plot<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        _ x: [X], _ y: [Y], label: String? = nil, color: Color? = nil, width: Double = 1.5,
        style: LineStyle = .solid, marker: Marker? = nil, markerSize: Double = 6
    ) throws {
        try Self.checkLengths("plot", "x", x.count, "y", y.count)
        let series = LineSeries(x: Self.doubles(x), y: Self.doubles(y), label: label, color: resolve(color),
                                width: max(width, 0.1), style: style, marker: marker,
                                markerSize: min(max(markerSize, 1), 60))
        elements.append(.line(series))
    }

    /// Draws `y` against its index 0, 1, 2, ...
    ///
    ///     try fig.axes.plot(lossPerEpoch, label: "training loss")
    public mutating func plot<Y: BinaryFloatingPoint>(
        _ y: [Y], label: String? = nil, color: Color? = nil, width: Double = 1.5, style: LineStyle = .solid,
        marker: Marker? = nil, markerSize: Double = 6
    ) throws {
        try plot(y.indices.map { Double($0) }, y, label: label, color: color, width: width, style: style,
                 marker: marker, markerSize: markerSize)
    }

    /// Draws a mean line with a shaded band of ± one standard deviation around it (paper Fig. 6).
    ///
    ///     try fig.axes.plot(energy, mean: m, std: s, label: "0.7 MFP initial")
    /// - Parameter opacity: opacity of the band, 0...1.
    /// - Throws: `PlotError.lengthMismatch` when `x`, `mean` and `std` differ in length.
    public mutating func plot<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        _ x: [X], mean: [Y], std: [Y], label: String? = nil, color: Color? = nil, opacity: Double = 0.25,
        width: Double = 1.5
    ) throws {
        try Self.checkLengths("plot(mean:std:)", "x", x.count, "mean", mean.count)
        try Self.checkLengths("plot(mean:std:)", "mean", mean.count, "std", std.count)
        let m = Self.doubles(mean), s = Self.doubles(std)
        let chosen = resolve(color)
        let band = BandSeries(x: Self.doubles(x), lower: zip(m, s).map { $0 - $1 }, upper: zip(m, s).map { $0 + $1 },
                              label: label, color: chosen, opacity: min(max(opacity, 0), 1), hasLine: true)
        elements.append(.band(band))
        elements.append(.line(LineSeries(x: band.x, y: m, label: label, color: chosen, width: width, style: .solid)))
    }

    /// Shades the region between `lower` and `upper`.
    ///
    ///     try fig.axes.band(energy, lower: p5, upper: p95, label: "5-95 %", color: .gray)
    /// - Throws: `PlotError.lengthMismatch` when the arrays differ in length.
    public mutating func band<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        _ x: [X], lower: [Y], upper: [Y], label: String? = nil, color: Color? = nil, opacity: Double = 0.25
    ) throws {
        try Self.checkLengths("band", "x", x.count, "lower", lower.count)
        try Self.checkLengths("band", "lower", lower.count, "upper", upper.count)
        let band = BandSeries(x: Self.doubles(x), lower: Self.doubles(lower), upper: Self.doubles(upper),
                              label: label, color: resolve(color), opacity: min(max(opacity, 0), 1), hasLine: false)
        elements.append(.band(band))
    }

    /// Draws a marker at each `(x[i], y[i])`.
    ///
    ///     try fig.axes.scatter(tx, ty, label: "initial, thin", color: .blue, marker: .cross)
    /// - Parameters:
    ///   - size: marker diameter in px.
    ///   - opacity: marker opacity, 0...1.
    /// - Throws: `PlotError.lengthMismatch` when `x` and `y` differ in length.
    public mutating func scatter<X: BinaryFloatingPoint, Y: BinaryFloatingPoint>(
        _ x: [X], _ y: [Y], label: String? = nil, color: Color? = nil, marker: Marker = .circle,
        size: Double = 5, opacity: Double = 1
    ) throws {
        try Self.checkLengths("scatter", "x", x.count, "y", y.count)
        let series = ScatterSeries(x: Self.doubles(x), y: Self.doubles(y), label: label, color: resolve(color),
                                   marker: marker, size: min(max(size, 1), 60), opacity: min(max(opacity, 0), 1))
        elements.append(.scatter(series))
    }

    /// Draws one bar per category; several `bar` calls on the same axes are grouped side by side (paper Fig. 5).
    ///
    ///     try fig.axes.bar(["thin initial", "thick initial"], [0.12, 0.31], label: "PCA 3")
    ///     try fig.axes.bar(["thin initial", "thick initial"], [0.10, 0.22], errors: [0.01, 0.02], label: "AEC")
    /// - Parameter errors: optional error-bar half-lengths, one per bar.
    /// - Throws: `PlotError.lengthMismatch` when the arrays differ in length.
    public mutating func bar<Y: BinaryFloatingPoint>(
        _ categories: [String], _ values: [Y], errors: [Y]? = nil, label: String? = nil, color: Color? = nil
    ) throws {
        try Self.checkLengths("bar", "categories", categories.count, "values", values.count)
        if let errors { try Self.checkLengths("bar", "values", values.count, "errors", errors.count) }
        let series = BarSeries(categories: categories, values: Self.doubles(values),
                               errors: errors.map { Self.doubles($0) }, label: label, color: resolve(color))
        elements.append(.bars(series))
    }

    /// Draws a per-pixel map with a colour bar; `values` is row-major, `rows * columns` long.
    ///
    /// Row 0 lies at `y.lowerBound`. Without a `y` range the map spans 0...rows with y increasing downwards
    /// (row 0 at the top, as an image), and without `x` it spans 0...columns.
    ///
    ///     try fig.axes.heatmap(prePeakHeights, rows: 10, columns: 638, colorbarLabel: "Height (a.u.)")
    /// - Parameters:
    ///   - range: the values mapped to the colormap's ends (default: the finite min and max).
    /// - Throws: `PlotError` when `values.count != rows * columns` or a size is not positive.
    public mutating func heatmap<T: BinaryFloatingPoint>(
        _ values: [T], rows: Int, columns: Int, x: ClosedRange<Double>? = nil, y: ClosedRange<Double>? = nil,
        colormap: Colormap = .viridis, range: ClosedRange<Double>? = nil, colorbarLabel: String? = nil
    ) throws {
        guard rows > 0, columns > 0 else {
            throw PlotError.invalidArgument("heatmap: rows and columns must be positive (got \(rows) x \(columns))")
        }
        try Self.checkLengths("heatmap", "rows * columns", rows * columns, "values", values.count)
        let data = Self.doubles(values)
        let finite = data.filter(\.isFinite)
        var valueRange = range ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
        if valueRange.upperBound <= valueRange.lowerBound {
            valueRange = (valueRange.lowerBound - 0.5)...(valueRange.lowerBound + 0.5)
        }
        if y == nil { yInverted = true }
        let layer = HeatmapLayer(values: data, rows: rows, columns: columns, x: x ?? 0...Double(columns),
                                 y: y ?? 0...Double(rows), colormap: colormap, range: valueRange,
                                 colorbarLabel: colorbarLabel)
        elements.append(.heatmap(layer))
    }

    /// Draws a per-pixel map from rows of values (all rows the same length).
    ///
    ///     try fig.axes.heatmap([[1, 2, 3], [4, 5, 6]], colorbarLabel: "Counts")
    /// - Throws: `PlotError.invalidArgument` for ragged or empty rows.
    public mutating func heatmap<T: BinaryFloatingPoint>(
        _ rows: [[T]], x: ClosedRange<Double>? = nil, y: ClosedRange<Double>? = nil, colormap: Colormap = .viridis,
        range: ClosedRange<Double>? = nil, colorbarLabel: String? = nil
    ) throws {
        let columns = rows.first?.count ?? 0
        if let ragged = rows.firstIndex(where: { $0.count != columns }) {
            throw PlotError.invalidArgument(
                "heatmap: row \(ragged) has \(rows[ragged].count) values but row 0 has \(columns)")
        }
        try heatmap(rows.flatMap { $0 }, rows: rows.count, columns: columns, x: x, y: y, colormap: colormap,
                    range: range, colorbarLabel: colorbarLabel)
    }

    /// A vertical reference line across the whole axes at `x` (data units).
    ///
    ///     fig.axes.verticalLine(at: 527.5, label: "pre-peak")
    public mutating func verticalLine(at x: Double, color: Color = .gray, width: Double = 1,
                                      style: LineStyle = .dashed, label: String? = nil) {
        elements.append(.reference(ReferenceLine(orientation: .vertical, value: x, color: color, width: width,
                                                 style: style, label: label)))
    }

    /// A horizontal reference line across the whole axes at `y` (data units).
    ///
    ///     fig.axes.horizontalLine(at: 0, color: .black, style: .solid)
    public mutating func horizontalLine(at y: Double, color: Color = .gray, width: Double = 1,
                                        style: LineStyle = .dashed, label: String? = nil) {
        elements.append(.reference(ReferenceLine(orientation: .horizontal, value: y, color: color, width: width,
                                                 style: style, label: label)))
    }

    /// Writes `text` at data position `(x, y)`.
    ///
    ///     fig.axes.text("pre-peak", x: 528, y: 4.6, anchor: .middle)
    /// - Parameter size: font size in px.
    public mutating func text(_ text: String, x: Double, y: Double, anchor: TextAnchor = .start,
                              color: Color = .ink, size: Double = 11) {
        elements.append(.text(TextNote(text: text, x: x, y: y, anchor: anchor, color: color, size: size)))
    }
}
