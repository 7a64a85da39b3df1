import EELS
import XCTest

final class MetricsTests: XCTestCase {
    func testMSE() throws {
        XCTAssertEqual(try mse([1, 2, 3], [1, 2, 5]), 4.0 / 3, accuracy: 1e-12)
        XCTAssertThrowsError(try mse([1], [1, 2])) { XCTAssertTrue("\($0)".contains("1 and 2")) }
        let axis = UniformAxis(offset: 0, scale: 1, size: 2)
        let a = SpectrumImage(rows: 1, columns: 2, energy: axis, data: [0, 0, 1, 1])
        let b = SpectrumImage(rows: 1, columns: 2, energy: axis, data: [0, 2, 1, 1])
        XCTAssertEqual(try msePerPixel(a, b), [2, 0])
        XCTAssertEqual(try mse(a, b), 1, accuracy: 1e-12)
    }

    func testAccuracyAndConfusionMatrix() throws {
        let truth = [0, 0, 1, 1, 1], predicted = [0, 1, 1, 1, 0]
        XCTAssertEqual(try accuracy(predicted: predicted, truth: truth), 0.6, accuracy: 1e-12)
        let m = try ConfusionMatrix(predicted: predicted, truth: truth, classes: 2)
        XCTAssertEqual(m.counts, [[1, 1], [1, 2]])
        XCTAssertEqual(m.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(m.recall[1], 2.0 / 3, accuracy: 1e-12)
        XCTAssertThrowsError(try ConfusionMatrix(predicted: [2], truth: [0], classes: 2)) {
            XCTAssertTrue("\($0)".contains("label 2"), "\($0)")
        }
    }

    func testPeakStatisticsDifferenceMeasuresAKnownShift() throws {
        let axis = UniformAxis(offset: 520, scale: 0.25, size: 120)
        func image(shift: Double, scale: Double) -> SpectrumImage {
            var si = SpectrumImage(rows: 2, columns: 3, energy: axis)
            for r in 0..<2 {
                for c in 0..<3 {
                    let p = GaussianPeak(position: 528 + shift + 0.1 * Double(c), height: scale * 200, sigma: 1)
                    si[r, c] = Spectrum(values: axis.values.map { Float(50 + p.value(at: $0)) }, energy: axis)
                }
            }
            return si
        }
        let truth = try fitGaussians(image(shift: 0, scale: 1), peaks: [528.5], window: 522...540)
        let moved = try fitGaussians(image(shift: 0.3, scale: 0.9), peaks: [528.5], window: 522...540)
        let d = try peakStatisticsDifference(fit: moved, truth: truth, peak: 1)
        XCTAssertEqual(d.pixels, 6)
        XCTAssertEqual(d.meanPositionShift, 0.3, accuracy: 1e-3)
        XCTAssertEqual(d.positionShiftStandardDeviation, 0, accuracy: 1e-3)
        XCTAssertEqual(d.meanHeightShift, -20, accuracy: 0.05)
        XCTAssertEqual(d.meanRelativeHeightShift, -0.1, accuracy: 1e-3)
        XCTAssertThrowsError(try peakStatisticsDifference(fit: moved, truth: truth, peak: 2))
    }
}
