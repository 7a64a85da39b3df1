@testable import SVGPlot
import XCTest

/// Figure ids are derived from the content by replacing a placeholder in one pass over the UTF-8 bytes: the same
/// text as Foundation's `replacingOccurrences` gives, at the ends, side by side, beside partial matches and
/// non-ASCII text.
final class PlaceholderReplacementTests: XCTestCase {
    func testReplacesEveryOccurrenceAsFoundationDoes() {
        let cases = ["", "@ID@", "@ID@@ID@", "a@ID@b@ID@c", "@I@ID@D@", "@ID", "no placeholder", "Å @ID@ µm @ID@é",
                     String(repeating: "x@ID@p0-", count: 1000)]
        for text in cases {
            XCTAssertEqual(FigureRenderer.replacing("@ID@", with: "f1a2-", in: text),
                           text.replacingOccurrences(of: "@ID@", with: "f1a2-"), text)
        }
    }
}
