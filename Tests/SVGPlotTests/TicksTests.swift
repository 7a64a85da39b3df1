import SVGPlot
import XCTest

final class TicksTests: XCTestCase {
    func testStepsFollowTheOneTwoFiveRule() {
        XCTAssertEqual(Ticks.step(span: 60, target: 6), 10)
        XCTAssertEqual(Ticks.step(span: 1, target: 5), 0.2)
        XCTAssertEqual(Ticks.step(span: 0.3, target: 6), 0.05, accuracy: 1e-15)
        XCTAssertEqual(Ticks.step(span: 7000, target: 6), 1000)
        XCTAssertEqual(Ticks.step(span: 2600, target: 6), 500)
    }

    func testPositionsLieInsideTheRangeOnMultiplesOfTheStep() {
        XCTAssertEqual(Ticks.positions(in: 517.6...582.4, target: 6), [520, 530, 540, 550, 560, 570, 580])
        let unit = Ticks.positions(in: 0...1, target: 5)
        XCTAssertEqual(unit.count, 6)
        for (tick, expected) in zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) {
            XCTAssertEqual(tick, expected, accuracy: 1e-12)
        }
        XCTAssertEqual(Ticks.positions(in: -3.2...3.2, target: 6), [-3, -2, -1, 0, 1, 2, 3])
    }

    func testLabelsUseAsFewDecimalsAsTheStepNeeds() {
        XCTAssertEqual(Ticks.labels(for: [520, 530, 540]), ["520", "530", "540"])
        XCTAssertEqual(Ticks.labels(for: [-1, 0, 1, 2]), ["\u{2212}1", "0", "1", "2"])
        XCTAssertEqual(Ticks.labels(for: [0.9, 1.0, 1.1]), ["0.9", "1.0", "1.1"])
        XCTAssertEqual(Ticks.labels(for: [0, 0.2, 0.4]), ["0.0", "0.2", "0.4"])
        XCTAssertEqual(Ticks.labels(for: [-0.05, 0, 0.05]), ["\u{2212}0.05", "0.00", "0.05"])
        XCTAssertEqual(Ticks.labels(for: [0, 2_000_000, 4_000_000]), ["0", "2e6", "4e6"])
        XCTAssertEqual(Ticks.labels(for: [0, 0.0002, 0.0004]), ["0", "2e\u{2212}4", "4e\u{2212}4"])
        XCTAssertEqual(Ticks.labels(for: [0.0005, 0.001]), ["0.0005", "0.0010"])
        XCTAssertEqual(Ticks.labels(for: [0.00005, 0.0001]), ["5.0e\u{2212}5", "1.0e\u{2212}4"])
    }

    func testDegenerateRangesGiveATickNotACrash() {
        XCTAssertEqual(Ticks.positions(in: 3...3), [3])
        XCTAssertEqual(Ticks.step(span: .nan), 1)
        XCTAssertEqual(Ticks.labels(for: []), [])
    }

    func testLogarithmicTicks() {
        XCTAssertEqual(Ticks.logPositions(in: 20...500), [20, 50, 100, 200, 500])
        XCTAssertEqual(Ticks.logPositions(in: 0.5...2e6), [1, 10, 100, 1000, 10000, 100_000, 1_000_000])
        XCTAssertEqual(Ticks.logPositions(in: -1...10), [], "a log axis needs a positive range")
        XCTAssertEqual([0.05, 0.01, 1, 20, 1e6, 2e-5].map(Ticks.logLabel),
                       ["0.05", "0.01", "1", "20", "1e6", "2e\u{2212}5"])
    }
}
