import EELS
import Foundation
import SVGPlot

/// How one series is drawn: a colour (nil: the next of the colour cycle) and a line style.
///
///     SeriesStyle(color: .gray, line: .dashed)   // the paper's ground truth in Fig. 6
public struct SeriesStyle: Sendable, Equatable {
    public var color: Color?
    public var line: LineStyle

    public init(color: Color? = nil, line: LineStyle = .solid) {
        self.color = color
        self.line = line
    }

    /// The colour named by `name`: blue, orange, green, red, purple, brown, pink, gray (grey), olive, cyan, black, or
    /// "#rrggbb".
    /// - Throws: `RapidEELSError.value` naming the colours it knows.
    public static func color(named name: String) throws -> Color {
        let key = name.lowercased().trimmingCharacters(in: .whitespaces)
        let named: [String: Color] = ["blue": .blue, "orange": .orange, "green": .green, "red": .red,
                                      "purple": .purple, "brown": .brown, "pink": .pink, "gray": .gray,
                                      "grey": .gray, "olive": .olive, "cyan": .cyan, "black": .black]
        if let color = named[key] { return color }
        if key.hasPrefix("#"), let color = try? Color(hex: key) { return color }
        throw RapidEELSError.value("unknown colour '\(name)': use " + named.keys.sorted().joined(separator: ", ")
            + " or \"#rrggbb\"")
    }

    /// The line style named by `name`: solid, dashed, dotted or dashDot.
    /// - Throws: `RapidEELSError.value` naming the styles.
    public static func line(named name: String) throws -> LineStyle {
        switch name {
        case "solid": return .solid
        case "dashed": return .dashed
        case "dotted": return .dotted
        case "dashDot": return .dashDot
        default: throw RapidEELSError.value("unknown line style '\(name)': use solid, dashed, dotted or dashDot")
        }
    }
}

extension Figures {
    /// Figures side by side: every panel of every figure, in order, `columns` to a row (a one-panel figure's title
    /// becomes its panel's title). The paper's multi-panel figures: Fig. 6 as 2 x 4, Fig. 7 as 1 x 4.
    ///
    ///     let fig7 = try Figures.grid([a, b, c, d], columns: 4, title: "Fig. 7", panelLabels: ["A", "B", "C", "D"])
    /// - Parameters:
    ///   - panelWidth: px per column; `panelHeight`: px per row.
    /// - Throws: `RapidEELSError.value` for no figures, columns < 1 or more labels than panels.
    public static func grid(_ figures: [Figure], columns: Int, title: String? = nil, panelLabels: [String] = [],
                            sharedX: Bool = false, sharedY: Bool = false, panelWidth: Double = 330,
                            panelHeight: Double = 290) throws -> Figure {
        var panels: [Axes] = []
        for figure in figures {
            if figure.panels.count == 1, var only = figure.panels.first {
                if only.title == nil { only.title = figure.title }
                panels.append(only)
            } else {
                panels += figure.panels.filter(\.isVisible)
            }
        }
        guard columns >= 1 else { throw RapidEELSError.value("columns must be at least 1, got \(columns)") }
        guard !panels.isEmpty else { throw RapidEELSError.value("grid needs at least one figure") }
        guard panelLabels.count <= panels.count else {
            throw RapidEELSError.value("\(panelLabels.count) panel labels for \(panels.count) panels")
        }
        let used = min(columns, panels.count), rows = (panels.count + used - 1) / used
        let width = min(max(panelWidth, 120) * Double(used), 2400)
        let height = min(max(panelHeight, 100) * Double(rows) + (title == nil ? 0 : 28), 4000)
        do {
            return try Figure(panels: panels, columns: used, width: width, height: height, sharedX: sharedX,
                              sharedY: sharedY, title: title, panelLabels: panelLabels)
        } catch let error as PlotError {
            throw RapidEELSError.value(error.description)
        }
    }

    /// Spectra on one energy axis, each with its own colour and line style (the paper's Fig. 7 panels: a grey
    /// dashed ground truth, left / centre / right probe positions).
    ///
    ///     try Figures.spectra([(truth, "1 FPS")], styles: [SeriesStyle(color: .gray, line: .dashed)])
    public static func spectra(_ series: [(Spectrum, String)], styles: [SeriesStyle], title: String? = nil,
                               yLabel: String = "Counts", width: Double = 640, height: Double = 360) throws -> Figure {
        var figure = Figure(width: width, height: height, title: title)
        for (index, (spectrum, label)) in series.enumerated() {
            let style = index < styles.count ? styles[index] : SeriesStyle()
            try figure.axes.plot(spectrum.energy.values, spectrum.values, label: label.isEmpty ? nil : label,
                                 color: style.color, style: style.line)
        }
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = yLabel
        return figure
    }

    /// Lines through points with markers, one per series, against one shared x (the paper's Fig. 3B and 5B: a
    /// quantity against frame rate).
    ///
    ///     try Figures.lines(x: [400, 200, 100, 25], series: [("raw", raw), ("AEC", aec)],
    ///                       xLabel: "Frame rate (FPS)", yLabel: "MSE", logX: true)
    /// - Throws: `RapidEELSError.value` when a series' length differs from `x`'s.
    public static func lines(x: [Double], series: [(String, [Double])], styles: [SeriesStyle] = [],
                             title: String? = nil, xLabel: String = "", yLabel: String = "", logX: Bool = false,
                             logY: Bool = false, width: Double = 560, height: Double = 360) throws -> Figure {
        var figure = Figure(width: width, height: height, title: title)
        for (index, (label, y)) in series.enumerated() {
            guard y.count == x.count else {
                throw RapidEELSError.value("series '\(label)' has \(y.count) values for \(x.count) x values")
            }
            let style = index < styles.count ? styles[index] : SeriesStyle()
            try figure.axes.plot(x, y, label: label.isEmpty ? nil : label, color: style.color, style: style.line,
                                 marker: .circle, markerSize: 6)
        }
        figure.axes.xScale = logX ? .log : .linear
        figure.axes.yScale = logY ? .log : .linear
        figure.axes.xLabel = xLabel.isEmpty ? nil : xLabel
        figure.axes.yLabel = yLabel.isEmpty ? nil : yLabel
        figure.axes.grid = true
        return figure
    }

    /// Mean ± one standard deviation over the pixels of each image, with the mean of each `truth` image drawn over
    /// them as a grey dashed line (the paper's Fig. 6: AEC or PCA-3 of a 10 x 40 section, ground truth dashed).
    ///
    ///     try Figures.meanStd([(denoisedBlock, "AEC")], truth: [(truthBlock, "ground truth")], colors: [.blue])
    public static func meanStd(_ sets: [(SpectrumImage, String)], truth: [(SpectrumImage, String)],
                               colors: [Color] = [], title: String? = nil, width: Double = 640,
                               height: Double = 360) throws -> Figure {
        var figure = Figure(width: width, height: height, title: title)
        for (index, (si, label)) in sets.enumerated() {
            let (mean, std) = meanAndStd(si)
            let color = index < colors.count ? colors[index] : Color.cycle[index % Color.cycle.count]
            try figure.axes.plot(si.energy.values, mean: mean, std: std, label: label, color: color)
        }
        for (si, label) in truth {
            try figure.axes.plot(si.energy.values, meanAndStd(si).0, label: label.isEmpty ? nil : label,
                                 color: .gray, width: 1.5, style: .dashed)
        }
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = "Counts (background subtracted)"
        return figure
    }
}
