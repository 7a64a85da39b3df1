import EELS
import Foundation

// How the domain's own values show themselves (RichDisplayable). Values whose display needs what only the
// cell language knows (a variable's title, the source image of a PCA) are shown through `RichDisplay` by the
// bridge's objects.

extension Spectrum: RichDisplayable {
    /// One line: channels, energy range, dispersion and title.
    public var displayText: String {
        let e = energy, n = RichDisplay.number
        return "Spectrum(\(e.size) channels, \(n(e.offset, 4))-\(n(e.end, 4)) \(e.units) at \(n(e.scale, 4)) "
            + "\(e.units)/ch" + (metadata["title"].map { ", \"\($0)\"" } ?? "") + ")"
    }

    /// The text and the spectrum plotted.
    public func mimeBundle() -> MIMEBundle {
        RichDisplay.figure(displayText) { try Figures.spectra([(self, "")], title: metadata["title"]) }.mimeBundle()
    }
}

extension Classification: RichDisplayable {
    /// One line: the size, the pixels per class and the accuracy where the truth is known.
    public var displayText: String {
        var s = "Classification(\(rows) x \(columns) px: " + zip(classNames, counts)
            .map { "\($1) \($0)" }.joined(separator: ", ")
        if let a = accuracy { s += String(format: "; accuracy %.1f %%", a * 100) }
        return s + ")"
    }

    /// The text, the class map figure and a table of class shares (and the accuracy).
    public func mimeBundle() -> MIMEBundle {
        let pixels = max(rows * columns, 1), n = RichDisplay.number
        var table = zip(classNames, counts).map { [$0, String($1), n(Double($1) / Double(pixels) * 100, 3) + " %"] }
        if let a = accuracy {
            let truth = trueLabel.map { "true: \(classNames[$0])" } ?? "labelled pixels"
            table.append(["accuracy (\(truth))", "", n(a * 100, 3) + " %"])
        }
        return RichDisplay.figure(displayText) { try Figures.classification(self) }
            .table(headers: ["class", "pixels", "share"], rows: table, caption: title).mimeBundle()
    }
}

/// A live run as the notebook shows it: its status text, the figure and both as HTML (LiveView).
public struct LiveDisplay: RichDisplayable {
    public var run: LiveRun
    /// The simulator's true fraction over time, when the run watches a simulated acquisition.
    public var truth: [(time: Double, fraction: Double)]
    public var panels: [LiveView.Panel]

    public init(_ run: LiveRun, truth: [(time: Double, fraction: Double)] = [],
                panels: [LiveView.Panel] = LiveView.Panel.allCases) {
        self.run = run
        self.truth = truth
        self.panels = panels
    }

    public func mimeBundle() -> MIMEBundle { LiveView.bundle(run, truth: truth, panels: panels) }
}
