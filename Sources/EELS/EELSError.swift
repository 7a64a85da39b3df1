/// Errors of the EELS module. Each names the offending input.
public enum EELSError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or parsed; `detail` says where parsing failed.
    case file(path: String, detail: String)
    /// A value is outside what the operation accepts (ranges, factors, shapes).
    case value(String)
    /// Shapes or axes do not agree.
    case shape(String)

    public var description: String {
        switch self {
        case .file(let path, let detail): return "\(path): \(detail)"
        case .value(let message): return message
        case .shape(let message): return message
        }
    }
}
