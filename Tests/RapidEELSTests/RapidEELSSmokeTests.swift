import XCTest
import RapidEELS
final class RapidEELSSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
