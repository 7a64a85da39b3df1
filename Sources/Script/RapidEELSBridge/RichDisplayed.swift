import RapidEELS
import ScriptLanguage

extension DisplayBundle {
    /// The language's bundle for a RapidEELS display (RapidEELS/Display's `RichDisplayable`).
    ///
    ///     DisplayBundle(RichDisplay.table(headers: ["class"], rows: [["thick"]]))
    init(_ display: RichDisplayable) { self.init(display.mimeBundle()) }
}

/// A cell-language object shown by a RapidEELS display: the one place where the domain's display protocol
/// (`RichDisplayable`, assembled in RapidEELS/Display) becomes the language's (`Displayable`).
///
///     final class SpectrumObject: RichDisplayed {
///         var richDisplay: RichDisplayable { spectrum }
///     }
protocol RichDisplayed: ScriptObject {
    /// What the notebook shows for this object.
    var richDisplay: RichDisplayable { get }
}

extension RichDisplayed {
    func displayBundle() -> DisplayBundle { DisplayBundle(richDisplay) }
}
