import XCTest
import SVGPlot
final class SVGPlotSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
