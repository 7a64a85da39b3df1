import EELS
import Foundation
import SVGPlot

/// The live display of a watch: the newest frame's class map and probability map, its mean denoised spectrum
/// against each class's running reference, the class fractions against time (with the truth when given), and a
/// text block with throughput, latency, backlog and one line per problem.
///
///     let bundle = LiveView.bundle(run)        // text/plain, text/html and image/svg+xml
public enum LiveView {
    /// The panels a live display can show.
    public enum Panel: String, CaseIterable, Sendable {
        case classMap, probability, spectrum, fractions
    }

    /// Problem lines shown under the status (the newest; every problem is counted in the status line).
    public static let shownProblems = 8

    /// The four-panel figure.
    public static func figure(_ run: LiveRun, truth: [(time: Double, fraction: Double)] = [],
                              panels: [Panel] = Panel.allCases) throws -> Figure {
        let shown = panels.isEmpty ? Panel.allCases : panels
        let columns = min(shown.count, 2), rows = (shown.count + 1) / 2
        var figure = Figure(width: columns == 1 ? 560 : 960, height: rows == 1 ? 300 : 560, rows: rows,
                            columns: columns,
                            title: "live: \(run.source) (\(run.processedFiles) frames, \(run.stopReason))")
        func place(_ panel: Panel) -> (row: Int, column: Int)? {
            shown.firstIndex(of: panel).map { ($0 / columns, $0 % columns) }
        }
        let names = run.classNames
        if let at = place(.classMap) { try figure.updatePanel(row: at.row, column: at.column) { panel in
            panel.title = "class map" + (run.maps.last.map { " \($0.file)" } ?? "")
            if let map = run.maps.last, !names.isEmpty {
                let k = names.count
                let colormap = try Colormap(stops: (0..<k).map(Figures.classPalette))
                try panel.heatmap(map.labels.map(Double.init), rows: map.rows, columns: map.columns,
                                  colormap: colormap, range: 0...Double(max(k - 1, 1)),
                                  colorbarLabel: names.enumerated().map { "\($0.offset) \($0.element)" }
                                    .joined(separator: ", "))
                panel.yInverted = true
            }
        } }
        if let at = place(.probability) { try figure.updatePanel(row: at.row, column: at.column) { panel in
            let c = names.count > 1 ? 1 : 0
            panel.title = names.isEmpty ? "probability map" : "P(\(names[c]))"
            if let map = run.maps.last, !names.isEmpty, !map.probabilities.isEmpty {
                let k = names.count
                let values = (0..<(map.rows * map.columns)).map { Double(map.probabilities[$0 * k + c]) }
                try panel.heatmap(values, rows: map.rows, columns: map.columns, colormap: .viridis, range: 0...1,
                                  colorbarLabel: "probability")
                panel.yInverted = true
            }
        } }
        if let at = place(.spectrum) { try figure.updatePanel(row: at.row, column: at.column) { panel in
            panel.title = "mean denoised spectrum vs class references"
            panel.xLabel = "energy loss (eV)"
            let x = (0..<run.axis.size).map { run.axis.offset + run.axis.scale * Double($0) }
            for (c, reference) in run.references.enumerated() where reference.count == x.count {
                try panel.plot(x, reference, label: names.isEmpty ? "mean so far" : names[c],
                               color: Figures.classPalette(c), width: 1, style: .dashed)
            }
            if run.latestMean.count == x.count {
                let sampled = run.latestDenoisedPixels < run.latestFramePixels
                try panel.plot(x, run.latestMean, label: sampled ? "newest frame (\(run.latestDenoisedPixels) of "
                                   + "\(run.latestFramePixels) px)" : "newest frame", color: .ink, width: 1.5)
            }
        } }
        if let at = place(.fractions) { try figure.updatePanel(row: at.row, column: at.column) { panel in
            panel.title = "class fractions against time"
            panel.xLabel = "time (s)"
            panel.yLimits = 0...1
            let times = run.frames.map(\.landed)
            for c in names.indices {
                try panel.plot(times, run.frames.map { c < $0.fractions.count ? $0.fractions[c] : 0 },
                               label: names[c], color: Figures.classPalette(c), marker: times.count < 60 ? .circle : nil,
                               markerSize: 3)
            }
            if !truth.isEmpty, names.count > 1 {
                try panel.plot(truth.map(\.time), truth.map(\.fraction), label: "truth (\(names[1]))", color: .gray,
                               width: 1.5, style: .dashed)
            }
        } }
        return figure
    }

    /// The status line and the newest problem lines.
    public static func text(_ run: LiveRun) -> String {
        var lines = ["live \(run.source): \(run.stopReason)", run.statusLine]
        if run.problemTotal > 0 {
            lines.append("problems: " + LiveProblemKind.allCases.filter { run.count($0) > 0 }
                .map { "\($0.rawValue) \(run.count($0))" }.joined(separator: ", "))
            lines += run.problems.suffix(shownProblems).map(\.line)
        }
        if let last = run.frames.last {
            lines.append("newest: \(last.file): " + zip(run.classNames, last.fractions)
                .map { String(format: "%@ %.1f %%", $0, $1 * 100) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// text/plain (the text), image/svg+xml (the figure) and text/html (the text above the figure).
    public static func bundle(_ run: LiveRun, truth: [(time: Double, fraction: Double)] = [],
                              panels: [Panel] = Panel.allCases) -> [String: String] {
        let text = Self.text(run)
        var bundle = ["text/plain": text]
        if let svg = try? figure(run, truth: truth, panels: panels).svg() {
            bundle["image/svg+xml"] = svg
            let encoded = Data(svg.utf8).base64EncodedString()
            bundle["text/html"] = "<div class=\"rapideels-live\"><pre class=\"rapideels-live-status\">"
                + escape(text) + "</pre><img alt=\"live display\" src=\"data:image/svg+xml;base64," + encoded
                + "\"/></div>"
        }
        return bundle
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
