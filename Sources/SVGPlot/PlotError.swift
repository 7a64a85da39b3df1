/// Why a plot call refused its input.
///
///     do { try fig.axes.plot([1, 2, 3], [1, 2]) } catch { print(error) }
///     // plot: x has 3 values but y has 2; they must have the same length
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// Two arrays that must pair up have different lengths.
    case lengthMismatch(call: String, first: String, firstCount: Int, second: String, secondCount: Int)
    /// An argument is out of its allowed range or malformed.
    case invalidArgument(String)
    /// Writing a file failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .lengthMismatch(call, first, firstCount, second, secondCount):
            return "\(call): \(first) has \(firstCount) values but \(second) has \(secondCount); "
                + "they must have the same length"
        case let .invalidArgument(message):
            return message
        case let .writeFailed(path, reason):
            return "cannot write figure to \(path): \(reason)"
        }
    }
}
