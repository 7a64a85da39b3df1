import XCTest
import NeuralCore
final class NeuralCoreSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
