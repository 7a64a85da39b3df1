/// A MIME bundle: MIME type -> content, as Jupyter's display_data carries it.
///
/// `text/plain` is always present; `image/svg+xml` and `text/html` are added where a value has a picture or table.
public typealias MIMEBundle = [String: String]

/// A value that can show itself in a notebook.
///
///     extension Spectrum: RichDisplayable {
///         public func mimeBundle() -> MIMEBundle { ["text/plain": "Spectrum(...)"] }
///     }
public protocol RichDisplayable {
    /// The value's representations; must contain "text/plain".
    func mimeBundle() -> MIMEBundle
}
