/// A MIME bundle: MIME type -> content, as Jupyter's display_data carries it.
///
/// `text/plain` is always present; `image/svg+xml` and `text/html` are added where a value has a picture or table.
public typealias MIMEBundle = [String: String]

/// A RapidEELS value that can show itself in a notebook: the domain's one display protocol. Domain types
/// conform here in RapidEELS/Display (`Spectrum`, `Classification`, `LiveDisplay`, `RichDisplay`); the cell
/// language's bridge adapts it to the language's own display protocol.
///
///     extension Spectrum: RichDisplayable {
///         public func mimeBundle() -> MIMEBundle { RichDisplay.figure(displayText) { try Figures.spectra(...) }.mimeBundle() }
///     }
public protocol RichDisplayable {
    /// The value's representations; must contain "text/plain".
    func mimeBundle() -> MIMEBundle
}
