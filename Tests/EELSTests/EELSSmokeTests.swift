import XCTest
import EELS
final class EELSSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
