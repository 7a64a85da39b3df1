import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// How a file name becomes a class name: a shell glob (`*a.dm4`, matched against the file name, then against the
/// whole path) or a regular expression whose first capture group, when it has one, is the class name.
///
///     let rules = [LabelRule.glob("*a.dm4", "annealed"), .glob("*", "initial")]   // the authors' convention
///     LabelRule.className(for: "data/EELS thin 1_1a.dm4", rules: rules)             // "annealed"
///     try LabelRule.regex(#"(Mn\d\+)_"#).className(for: "Mn3+_02.dm4")              // "Mn3+"
public enum LabelRule: Sendable, Equatable {
    /// A glob and the class name of the files it matches.
    case glob(String, String)
    /// A regular expression; the class is its first capture group, or `name` when given (and there is no group).
    case regex(String, name: String? = nil)

    /// The class of `path` under this rule, or nil when the rule does not match.
    /// - Throws: `EELSError.value` for a regular expression that does not compile.
    public func className(for path: String) throws -> String? {
        let file = (path as NSString).lastPathComponent
        switch self {
        case .glob(let pattern, let name):
            return fnmatch(pattern, file, 0) == 0 || fnmatch(pattern, path, 0) == 0 ? name : nil
        case .regex(let pattern, let name):
            let expression: NSRegularExpression
            do { expression = try NSRegularExpression(pattern: pattern) } catch {
                throw EELSError.value("the label rule /\(pattern)/ is not a valid regular expression")
            }
            let range = NSRange(file.startIndex..., in: file)
            guard let match = expression.firstMatch(in: file, range: range) else { return nil }
            if match.numberOfRanges > 1, let group = Range(match.range(at: 1), in: file) {
                return String(file[group])
            }
            return name ?? String(file[Range(match.range, in: file)!])
        }
    }

    /// The class of `path` under the first rule that matches, or nil when none does.
    public static func className(for path: String, rules: [LabelRule]) throws -> String? {
        for rule in rules { if let name = try rule.className(for: path) { return name } }
        return nil
    }
}
