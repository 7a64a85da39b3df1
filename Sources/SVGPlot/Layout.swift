import Foundation

/// A rectangle in figure px (y down).
struct Rect {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var maxX: Double { x + width }
    var maxY: Double { y + height }

    func contains(_ px: Double, _ py: Double) -> Bool { px >= x && px <= maxX && py >= y && py <= maxY }
}

/// Maps data values to px along one axis.
struct Scale {
    let domain: ClosedRange<Double>
    /// Pixel position of `domain.lowerBound` and of `domain.upperBound`.
    let start: Double
    let end: Double
    /// Logarithmic spacing: values <= 0 map to NaN (and are skipped by every drawing routine).
    var log = false

    func callAsFunction(_ v: Double) -> Double {
        if log {
            guard v > 0, domain.lowerBound > 0 else { return .nan }
            let low = Foundation.log10(domain.lowerBound), high = Foundation.log10(domain.upperBound)
            return start + (Foundation.log10(v) - low) / (high - low) * (end - start)
        }
        return start + (v - domain.lowerBound) / (domain.upperBound - domain.lowerBound) * (end - start)
    }
}

/// Fonts and strokes shared by every panel.
enum Style {
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let tickFont = 11.0
    static let labelFont = 12.0
    static let titleFont = 13.0
    static let figureTitleFont = 15.0
    static let legendFont = 11.0
    static let tickLength = 4.0
    static let ink = Color.ink.hex
    static let frame = "#4d4d4d"
    static let gridColor = "#e6e6e6"
    static let colorbarWidth = 12.0
}

/// Tick positions and their labels for one panel, and what of them is shown.
struct PanelTicks {
    var x: [Double]
    var xLabels: [String]
    var y: [Double]
    var yLabels: [String]
    var showXLabels: Bool
    var showYLabels: Bool
    /// Categorical labels too wide to sit side by side are turned by 30 degrees.
    var rotateXLabels: Bool

    init(limits: PanelLimits, xScale: AxisScale, yScale: AxisScale, showX: Bool, showY: Bool,
         approximatePlotWidth: Double) {
        if limits.categories.isEmpty, xScale == .log {
            x = Ticks.logPositions(in: limits.x)
            xLabels = x.map(Ticks.logLabel)
            rotateXLabels = false
        } else if limits.categories.isEmpty {
            let target = max(2, min(8, Int(approximatePlotWidth / 70)))
            x = Ticks.positions(in: limits.x, target: target)
            xLabels = Ticks.labels(for: x)
            rotateXLabels = false
        } else {
            x = limits.categories.indices.map(Double.init)
            xLabels = limits.categories
            let widest = limits.categories.map { SVGText.width($0, size: Style.tickFont) }.max() ?? 0
            rotateXLabels = widest + 6 > approximatePlotWidth / Double(max(limits.categories.count, 1))
        }
        if yScale == .log {
            y = Ticks.logPositions(in: limits.y)
            yLabels = y.map(Ticks.logLabel)
        } else {
            y = Ticks.positions(in: limits.y, target: 5)
            yLabels = Ticks.labels(for: y)
        }
        showXLabels = showX
        showYLabels = showY
    }

    var widestYLabel: Double { yLabels.map { SVGText.width($0, size: Style.tickFont) }.max() ?? 0 }
    var widestXLabel: Double { xLabels.map { SVGText.width($0, size: Style.tickFont) }.max() ?? 0 }
}

/// Space around a panel's plot rectangle inside its grid cell.
struct Margins {
    var left: Double
    var right: Double
    var top: Double
    var bottom: Double

    init(axes: Axes, ticks: PanelTicks) {
        let hasPanelLabel = axes.panelLabel != nil
        top = 8 + (axes.title != nil ? 22 : (hasPanelLabel ? 16 : 0))
        left = 6 + (ticks.showYLabels ? ticks.widestYLabel + Style.tickLength + 4 : 0)
            + (axes.yLabel != nil ? 18 : 0)
        var bottomSpace = 6.0
        if ticks.showXLabels {
            bottomSpace += ticks.rotateXLabels ? ticks.widestXLabel * 0.5 + 16 : 16
        }
        bottom = bottomSpace + (axes.xLabel != nil ? 18 : 0)
        let lastLabel = ticks.showXLabels && !ticks.rotateXLabels
            ? SVGText.width(ticks.xLabels.last ?? "", size: Style.tickFont) / 2 + 4 : 0
        right = max(12, lastLabel) + Margins.colorbarSpace(axes)
    }

    static func colorbarSpace(_ axes: Axes) -> Double {
        guard let layer = axes.firstHeatmap else { return 0 }
        let labels = Ticks.labels(for: Ticks.positions(in: layer.range, target: 5))
        let widest = labels.map { SVGText.width($0, size: Style.tickFont) }.max() ?? 0
        return 12 + Style.colorbarWidth + Style.tickLength + 3 + widest + (layer.colorbarLabel != nil ? 20 : 0)
    }
}

extension Axes {
    var firstHeatmap: HeatmapLayer? {
        for case let .heatmap(layer) in elements { return layer }
        return nil
    }
}
