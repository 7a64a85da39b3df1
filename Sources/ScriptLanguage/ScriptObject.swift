/// A native value (a spectrum image, a model, a fit result) as the cell language sees it.
///
/// Conform a class that wraps the native value, in the module that registers its commands:
///
///     final class SpectrumObject: ScriptObject {
///         let spectrum: Spectrum
///         init(_ s: Spectrum) { spectrum = s }
///         var typeName: String { "Spectrum" }
///         var summary: String { "Spectrum(\(spectrum.values.count) channels)" }
///         var memberNames: [String] { ["count"] }
///         func member(_ name: String) throws -> Value? { name == "count" ? .int(spectrum.values.count) : nil }
///     }
///
/// Properties come from `member(_:)`, methods from `method(_:)` (registered `Command`s bound to the receiver, so
/// they complete and document like commands), `si[3, 100]` from `subscriptValue(_:)`, and the notebook shows
/// `displayBundle()`.
public protocol ScriptObject: AnyObject, Displayable {
    /// The type name users see ("SpectrumImage").
    var typeName: String { get }
    /// A one-line description (text/plain).
    var summary: String { get }
    /// Property names, for completion.
    var memberNames: [String] { get }
    /// A property's value, or nil when there is no such property.
    func member(_ name: String) throws -> Value?
    /// Method names, for completion.
    var methodNames: [String] { get }
    /// A method bound to this object, or nil.
    func method(_ name: String) -> Command?
    /// `object[a, b]`; the default says the type has no subscript.
    func subscriptValue(_ arguments: [Value]) throws -> Value
    /// The rich display: text/plain always, plus SVG or HTML where there is a picture or a table (the default
    /// is the summary as text/plain).
    func displayBundle() -> DisplayBundle
}

extension ScriptObject {
    public var memberNames: [String] { [] }
    public func member(_ name: String) throws -> Value? { nil }
    public var methodNames: [String] { [] }
    public func method(_ name: String) -> Command? { nil }
    public func subscriptValue(_ arguments: [Value]) throws -> Value {
        throw ScriptError(kind: .type, message: "\(typeName) has no subscript")
    }
    public func displayBundle() -> DisplayBundle { ["text/plain": summary] }
}

extension Value {
    /// The notebook representation of a value: text/plain always, richer forms for native objects.
    public var displayBundle: DisplayBundle {
        switch self {
        case .object(let o):
            var bundle = o.displayBundle()
            if bundle["text/plain"] == nil { bundle["text/plain"] = o.summary }
            return bundle
        case .string: return ["text/plain": debugText]
        default: return ["text/plain": description]
        }
    }
}
