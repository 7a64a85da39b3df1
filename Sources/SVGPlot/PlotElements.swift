/// How a line is stroked.
public enum LineStyle: Sendable {
    case solid, dashed, dotted, dashDot

    var dashArray: String? {
        switch self {
        case .solid: return nil
        case .dashed: return "5 3"
        case .dotted: return "1.5 2.5"
        case .dashDot: return "6 2.5 1.5 2.5"
        }
    }
}

/// The shape drawn at each scatter point (the paper's Fig. 8 uses `.cross` for thin and `.circle` for thick).
public enum Marker: Sendable, CaseIterable {
    /// A filled disc.
    case circle
    /// An unfilled circle.
    case ring
    /// A diagonal cross, "x".
    case cross
    /// An upright cross, "+".
    case plus
    /// A filled square.
    case square
    /// A filled diamond.
    case diamond
    /// A filled upward triangle.
    case triangle
}

/// How data values are spaced along an axis.
public enum AxisScale: Sendable {
    /// Equal steps for equal differences.
    case linear
    /// Equal steps for equal ratios (base 10); values <= 0 are skipped.
    case log
}

/// Where the legend sits inside the axes.
public enum LegendPosition: Sendable {
    /// The corner that covers the fewest data points.
    case best
    case topRight, topLeft, bottomRight, bottomLeft
    /// No legend, even when series have labels.
    case hidden
}

/// How text is anchored at its position.
public enum TextAnchor: Sendable {
    case start, middle, end

    var svgValue: String {
        switch self {
        case .start: return "start"
        case .middle: return "middle"
        case .end: return "end"
        }
    }
}

/// The drawable things an `Axes` holds, in drawing order.
enum PlotElement {
    case line(LineSeries)
    case band(BandSeries)
    case scatter(ScatterSeries)
    case bars(BarSeries)
    case heatmap(HeatmapLayer)
    case reference(ReferenceLine)
    case text(TextNote)
}

struct LineSeries {
    var x: [Double]
    var y: [Double]
    var label: String?
    var color: Color
    var width: Double
    var style: LineStyle
    /// Optional marker drawn at every point (diameter `markerSize` px).
    var marker: Marker? = nil
    var markerSize: Double = 6
}

struct BandSeries {
    var x: [Double]
    var lower: [Double]
    var upper: [Double]
    var label: String?
    var color: Color
    var opacity: Double
    /// When the band belongs to a mean line, the legend shows them as one entry (on the line).
    var hasLine: Bool
}

struct ScatterSeries {
    var x: [Double]
    var y: [Double]
    var label: String?
    var color: Color
    var marker: Marker
    var size: Double
    var opacity: Double
}

struct BarSeries {
    var categories: [String]
    var values: [Double]
    var errors: [Double]?
    var label: String?
    var color: Color
}

struct HeatmapLayer {
    var values: [Double]
    var rows: Int
    var columns: Int
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    var colormap: Colormap
    var range: ClosedRange<Double>
    var colorbarLabel: String?
}

struct ReferenceLine {
    enum Orientation { case vertical, horizontal }
    var orientation: Orientation
    var value: Double
    var color: Color
    var width: Double
    var style: LineStyle
    var label: String?
}

struct TextNote {
    var text: String
    var x: Double
    var y: Double
    var anchor: TextAnchor
    var color: Color
    var size: Double
}
