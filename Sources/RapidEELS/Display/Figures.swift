import EELS
import Foundation
import NeuralCore
import SVGPlot

/// The figures every RapidEELS value shows itself with, in the paper's style
/// (initial blue, annealed orange; energies in eV; counts per channel).
///
///     let svg = try Figures.spectra([(si.meanSpectrum(), "mean")], title: "SI 1").svg()
public enum Figures {
    /// Colour of each class: initial (SrFeO3) blue, annealed (SrFeO2.5) orange.
    public static func classColor(_ label: Int) -> Color { label == 0 ? .blue : .orange }

    /// Spectra overlaid on one energy axis.
    public static func spectra(_ series: [(Spectrum, String)], title: String? = nil, width: Double = 640,
                               height: Double = 360, yLabel: String = "Counts") throws -> Figure {
        var figure = Figure(width: width, height: height, title: title)
        for (spectrum, label) in series {
            try figure.axes.plot(spectrum.energy.values, spectrum.values, label: label.isEmpty ? nil : label)
        }
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = yLabel
        return figure
    }

    /// A PCA: the scree plot (explained variance ratio per component, log scale) beside the loadings.
    ///
    ///     let svg = try Figures.pca(ratios: [0.9, 0.05, 0.01], energies: e, loadings: [pc1, pc2, pc3]).svg()
    public static func pca(ratios: [Double], energies: [Double], loadings: [[Double]], title: String? = nil) throws
        -> Figure {
        var figure = Figure(width: 860, height: 320, rows: 1, columns: 2, title: title)
        let positive = ratios.map { max($0, 1e-12) }
        try figure[0, 0].plot(ratios.indices.map { Double($0 + 1) }, positive, marker: .circle)
        figure[0, 0].yScale = .log
        figure[0, 0].title = "scree"
        figure[0, 0].xLabel = "Component"
        figure[0, 0].yLabel = "Explained variance ratio"
        for (c, loading) in loadings.enumerated() {
            try figure[0, 1].plot(energies, loading, label: "PC \(c + 1)")
        }
        figure[0, 1].title = "loadings"
        figure[0, 1].xLabel = "Energy loss (eV)"
        figure[0, 1].yLabel = "Loading (unit vector)"
        return figure
    }

    /// A spectrum image: its mean spectrum beside a map of the summed counts of every pixel.
    public static func spectrumImage(_ si: SpectrumImage, title: String? = nil) throws -> Figure {
        var figure = Figure(width: 760, height: 300, rows: 1, columns: 2, title: title)
        let mean = si.meanSpectrum()
        try figure[0, 0].plot(mean.energy.values, mean.values)
        figure[0, 0].title = "mean spectrum"
        figure[0, 0].xLabel = "Energy loss (eV)"
        figure[0, 0].yLabel = "Counts"
        var totals = [Double](repeating: 0, count: si.pixelCount)
        si.data.withUnsafeBufferPointer { d in
            for p in 0..<si.pixelCount {
                var s = 0.0
                for k in 0..<si.channels { s += Double(d[p * si.channels + k]) }
                totals[p] = s
            }
        }
        var panel = figure[0, 1]
        try drawMap(&panel, totals, rows: si.rows, columns: si.columns, rowAxis: si.rowAxis,
                    columnAxis: si.columnAxis, colorbarLabel: "counts")
        panel.title = "intensity (\(si.rows) x \(si.columns) px)"
        figure[0, 1] = panel
        return figure
    }

    /// A per-pixel map of the probability of the annealed class.
    public static func classification(_ c: Classification) throws -> Figure {
        if c.classNames.count > 2 { return try classMap(c) }
        var figure = Figure(width: 720, height: 240, title: c.title.isEmpty ? "classification" : c.title)
        let k = c.classNames.count
        let p1 = (0..<(c.rows * c.columns)).map { Double(c.probabilities[$0 * k + min(1, k - 1)]) }
        try drawMap(&figure.axes, p1, rows: c.rows, columns: c.columns, rowAxis: c.rowAxis, columnAxis: c.columnAxis,
                    colormap: .coolwarm, range: 0...1,
                    colorbarLabel: "P(\(c.classNames.count > 1 ? c.classNames[1] : "class 1"))")
        return figure
    }

    /// Training loss per epoch (log scale), with validation loss when present.
    public static func loss(_ history: TrainingHistory, title: String = "training loss") throws -> Figure {
        try loss(history.loss, validation: history.validationLoss, title: title)
    }

    /// Loss per epoch, with validation loss when present.
    public static func loss(_ loss: [Double], validation: [Double] = [], title: String = "training loss") throws -> Figure {
        let history = (loss: loss, validationLoss: validation)
        var figure = Figure(width: 520, height: 300, title: title)
        let epochs = (1...max(history.loss.count, 1)).map(Double.init)
        if !history.loss.isEmpty {
            try figure.axes.plot(Array(epochs.prefix(history.loss.count)), history.loss, label: "training",
                                 marker: history.loss.count < 30 ? .circle : nil, markerSize: 4)
        }
        if !history.validationLoss.isEmpty {
            try figure.axes.plot(Array(epochs.prefix(history.validationLoss.count)), history.validationLoss,
                                 label: "validation")
        }
        figure.axes.xLabel = "Epoch"
        figure.axes.yLabel = "Loss"
        return figure
    }

    /// Mean ± standard deviation of two sets of spectra (paper Fig. 6).
    public static func meanStd(_ sets: [(SpectrumImage, String)], title: String? = nil) throws -> Figure {
        var figure = Figure(width: 640, height: 360, title: title)
        for (index, (si, label)) in sets.enumerated() {
            let (mean, std) = meanAndStd(si)
            try figure.axes.plot(si.energy.values, mean: mean, std: std, label: label,
                                 color: Color.cycle[index % Color.cycle.count])
        }
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = "Counts (background subtracted)"
        return figure
    }

    /// Per-channel mean and standard deviation over the pixels of `si`.
    public static func meanAndStd(_ si: SpectrumImage) -> ([Double], [Double]) {
        let n = Double(max(si.pixelCount, 1)), k = si.channels
        var mean = [Double](repeating: 0, count: k), square = [Double](repeating: 0, count: k)
        for p in 0..<si.pixelCount {
            for c in 0..<k {
                let v = Double(si.data[p * k + c])
                mean[c] += v
                square[c] += v * v
            }
        }
        for c in 0..<k {
            mean[c] /= n
            square[c] = max(square[c] / n - mean[c] * mean[c], 0).squareRoot()
        }
        return (mean, square)
    }

    /// Grouped bars: one group per category, one bar per series (paper Fig. 5).
    public static func bars(categories: [String], series: [(String, [Double])], title: String? = nil,
                            yLabel: String) throws -> Figure {
        var figure = Figure(width: 680, height: 360, title: title)
        for (index, (label, values)) in series.enumerated() {
            try figure.axes.bar(categories, values, label: label, color: Color.cycle[index % Color.cycle.count])
        }
        figure.axes.yLabel = yLabel
        return figure
    }

    /// A 2-D embedding coloured by class (initial blue, annealed orange, further classes in `classPalette` colours,
    /// unlabelled points (label -1) grey) with × for thin and ○ for thick (paper Fig. 8).
    /// - Parameter classNames: legend names by label; nil gives the paper's "initial" and "annealed".
    public static func embedding(_ points: [Double], labels: [Int], thick: [Bool], title: String? = nil,
                                 width: Double = 480, height: Double = 420,
                                 classNames: [String]? = nil) throws -> Figure {
        var figure = Figure(width: width, height: height, title: title)
        func name(_ label: Int) -> String {
            if label < 0 { return "unlabelled" }
            if let classNames, label < classNames.count { return classNames[label] }
            return label == 0 ? "initial" : label == 1 ? "annealed" : "class \(label)"
        }
        let present = Set(labels)
        let order = [0, 1] + present.filter { $0 > 1 }.sorted() + (present.contains(-1) ? [-1] : [])
        for label in order {
            for isThick in [false, true] {
                let idx = labels.indices.filter { labels[$0] == label && thick[$0] == isThick }
                guard !idx.isEmpty else { continue }
                try figure.axes.scatter(idx.map { points[2 * $0] }, idx.map { points[2 * $0 + 1] },
                                        label: name(label) + (isThick ? ", thick" : ", thin"),
                                        color: label < 0 ? .gray : label < 2 ? classColor(label) : classPalette(label),
                                        marker: isThick ? .circle : .cross, size: 4, opacity: 0.6)
            }
        }
        figure.axes.xLabel = "t-SNE 1"
        figure.axes.yLabel = "t-SNE 2"
        return figure
    }

    /// Data with a Gaussian fit drawn over it, its components (background, each peak on the background), and each
    /// peak's centre marked.
    public static func fit(_ spectrum: Spectrum, _ result: PeakFitResult) throws -> Figure {
        var figure = Figure(width: 640, height: 360, title: result.success ? "Gaussian fit" : "fit failed")
        let inWindow = spectrum.energy.values.indices.filter {
            result.window.contains(spectrum.energy.value(at: $0))
        }
        let energies = inWindow.map { spectrum.energy.value(at: $0) }
        try figure.axes.plot(energies, inWindow.map { Double(spectrum.values[$0]) }, label: "data", color: .gray)
        let fine = stride(from: result.window.lowerBound, through: result.window.upperBound,
                          by: max((result.window.upperBound - result.window.lowerBound) / 400, 1e-3)).map { $0 }
        try figure.axes.plot(fine, fine.map { result.value(at: $0) }, label: "fit", color: .red, width: 2)
        // Components: the background alone, and each peak on top of it.
        let background = fine.map { e in result.value(at: e) - result.peaks.reduce(0) { $0 + $1.value(at: e) } }
        if result.background != .none {
            try figure.axes.plot(fine, background, label: "background", color: .gray, width: 1, style: .dashed)
        }
        for (i, peak) in result.peaks.enumerated() {
            try figure.axes.plot(fine, zip(fine, background).map { $1 + peak.value(at: $0) }, label: "peak \(i + 1)",
                                 color: Color.cycle[(i + 2) % Color.cycle.count], width: 1, style: .dotted)
            figure.axes.verticalLine(at: peak.position, color: .blue)
        }
        figure.axes.xLabel = "Energy loss (eV)"
        figure.axes.yLabel = "Counts"
        return figure
    }
}

/// A small HTML table for notebook display.
public enum HTMLTable {
    /// Renders `rows` under `headers`; cells are escaped.
    public static func render(headers: [String], rows: [[String]], caption: String? = nil) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        var html = "<table>"
        if let caption { html += "<caption>\(esc(caption))</caption>" }
        html += "<thead><tr>" + headers.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\(esc($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>"
    }

    /// The same table as aligned plain text.
    public static func text(headers: [String], rows: [[String]]) -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { c in all.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
