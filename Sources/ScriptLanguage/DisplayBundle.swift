/// What a value shows in a notebook: MIME type -> content, as Jupyter's display_data carries it.
///
/// The interpreter always sends `text/plain`; `image/svg+xml` and `text/html` are added where a value has a
/// picture or a table. The language's own type, so that the core needs no host module to display values.
///
///     var bundle: DisplayBundle = ["text/plain": "Table(2 rows)"]
///     bundle["text/html"] = "<table>...</table>"
///     bundle["text/plain"]   // "Table(2 rows)"
public struct DisplayBundle: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    /// Every representation: MIME type -> content.
    public var representations: [String: String]

    public init(_ representations: [String: String] = [:]) { self.representations = representations }

    public init(dictionaryLiteral elements: (String, String)...) {
        representations = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// The content for one MIME type, or nil; setting nil removes it.
    public subscript(mime: String) -> String? {
        get { representations[mime] }
        set { representations[mime] = newValue }
    }

    /// The MIME types present.
    public var mimeTypes: [String] { Array(representations.keys) }
}

/// A value that can show itself in a notebook (a native object, a figure, a table). The interpreter shows
/// `displayBundle()` for a cell's result and for `display(x)`, adding `text/plain` when it is missing.
///
///     final class Greeting: ScriptObject {
///         var typeName: String { "Greeting" }
///         var summary: String { "Greeting(hello)" }
///         func displayBundle() -> DisplayBundle { ["text/plain": summary, "text/html": "<b>hello</b>"] }
///     }
public protocol Displayable {
    /// The value's representations; should contain `text/plain`.
    func displayBundle() -> DisplayBundle
}
