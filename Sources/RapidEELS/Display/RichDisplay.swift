import Foundation
import SVGPlot

/// A display assembled from its parts, in one place for every RapidEELS value: a text (text/plain), optionally
/// a figure (image/svg+xml; a figure that fails to draw leaves the text alone) and a table or HTML (text/html).
///
///     RichDisplay.figure("TrainingHistory(25 epochs)") { try Figures.loss(history, title: "loss") }
///         .table(headers: ["epoch", "loss"], rows: [["1", "0.31"]], caption: "loss per epoch")
///         .mimeBundle()   // text/plain, image/svg+xml, text/html
public struct RichDisplay: RichDisplayable {
    /// The text/plain representation.
    public var text: String
    /// The image/svg+xml representation; nil for no picture.
    public var svg: String?
    /// The text/html representation, if any.
    public var html: String?

    public init(_ text: String, svg: String? = nil, html: String? = nil) {
        self.text = text
        self.svg = svg
        self.html = html
    }

    /// The text and the figure `draw` makes, drawn now; a figure that fails to draw leaves the text alone.
    public static func figure(_ text: String, _ draw: () throws -> Figure) -> RichDisplay {
        RichDisplay(text, svg: try? draw().svg())
    }

    /// A table shown as HTML, with `text` (by default the aligned table under its caption) as text/plain.
    public static func table(headers: [String], rows: [[String]], caption: String? = nil,
                             text: String? = nil) -> RichDisplay {
        RichDisplay(text ?? (caption.map { $0 + "\n" } ?? "") + HTMLTable.text(headers: headers, rows: rows))
            .table(headers: headers, rows: rows, caption: caption)
    }

    /// This display with a table as its text/html.
    public func table(headers: [String], rows: [[String]], caption: String? = nil) -> RichDisplay {
        var display = self
        display.html = HTMLTable.render(headers: headers, rows: rows, caption: caption)
        return display
    }

    public func mimeBundle() -> MIMEBundle {
        var bundle: MIMEBundle = ["text/plain": text]
        if let svg { bundle["image/svg+xml"] = svg }
        if let html { bundle["text/html"] = html }
        return bundle
    }

    /// A number for tables and summaries: `digits` significant digits, scientific notation outside 1e-3..<1e5.
    ///
    ///     RichDisplay.number(0.000123)   // "1.230e-04"
    public static func number(_ x: Double, _ digits: Int = 4) -> String {
        if x.isNaN { return "nan" }
        if x != 0 && (abs(x) >= 1e5 || abs(x) < 1e-3) { return String(format: "%.\(max(digits - 1, 1))e", x) }
        return String(format: "%.\(digits)g", x)
    }
}
