import EELS
import XCTest

/// The one eV-to-channel rule (`UniformAxis.channel(of:_:)`) and the checks that keep a bad value from trapping.
final class UniformAxisTests: XCTestCase {
    func testChannelRounding() throws {
        let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
        let cases: [(Double, ChannelRounding, Int)] = [
            (441.0, .nearest, 8), (441.06, .nearest, 8), (441.07, .nearest, 9),
            (441.01, .up, 9), (441.0, .up, 8), (441.12, .down, 8), (441.125, .down, 9),
            // 0.1-eV arithmetic: a value a rounding error off a channel still counts as on it.
            (440 + 0.1 * 3 / 0.3 * 0.125 * 3, .up, 3), (440 + 0.375 - 1e-12, .up, 3), (440 + 0.375 + 1e-12, .down, 3),
            (430, .nearest, -80), (600, .nearest, 1280),   // not clamped: callers check the range they need
        ]
        for (value, rounding, expected) in cases {
            XCTAssertEqual(try axis.channel(of: value, rounding), expected, "\(value) \(rounding)")
        }
        XCTAssertEqual(try axis.channels(in: 520...580), 640..<1120)
        XCTAssertEqual(try axis.windowChannels(498...528), 464..<705)
    }

    func testBadValuesAreErrorsNotTraps() {
        let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
        let bad: [(UniformAxis, Double, String)] = [
            (axis, .nan, "nan eV is not a finite Energy loss value"),
            (axis, .infinity, "inf eV is not a finite Energy loss value"),
            (axis, 1e300, "is far outside the axis [440.0, 579.875] eV"),
            (UniformAxis(offset: 0, scale: 0, size: 4, units: "nm", name: "x"), 1, "the x axis has scale 0.0 nm per channel"),
        ]
        for (axis, value, message) in bad {
            XCTAssertThrowsError(try axis.channel(of: value)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
        XCTAssertThrowsError(try axis.channels(in: 1e300...1e301))
    }
}
