import Foundation
import Jupyter
import XCTest

final class HistoryTests: XCTestCase {
    func testSearchGlobUniqueAndN() {
        var history = History()
        for input in ["let a = 1", "print(a)", "let a = 1", "let b = [1]", "x\nlet y"] { history.append(input) }
        XCTAssertEqual(history.search(pattern: "let*", n: nil, unique: false).map(\.line), [1, 3, 4])
        XCTAssertEqual(history.search(pattern: "let*", n: nil, unique: true).map(\.line), [3, 4])
        XCTAssertEqual(history.search(pattern: "let*", n: 1, unique: false).map(\.line), [4])
        XCTAssertEqual(history.search(pattern: "*let y", n: nil, unique: false).map(\.line), [5])
        XCTAssertEqual(history.search(pattern: "print(?)", n: nil, unique: false).map(\.line), [2])
        XCTAssertEqual(history.search(pattern: "let [ab]*", n: nil, unique: true).map(\.line), [3, 4])
    }

    func testTailAndRange() {
        var history = History()
        for i in 1...5 { history.append("cell \(i)") }
        XCTAssertEqual(history.tail(2).map(\.input), ["cell 4", "cell 5"])
        XCTAssertEqual(history.tail(0), [])
        XCTAssertEqual(history.range(session: 0, start: 2, stop: 4).map(\.line), [2, 3])
        XCTAssertEqual(history.range(session: 1, start: 4, stop: nil).map(\.line), [4, 5])
        XCTAssertEqual(history.range(session: -1, start: 1, stop: nil), [])
    }
}

final class JSONTests: XCTestCase {
    func testParsesNumbersBooleansAndNesting() throws {
        let value = try JSON.parse(Data(#"{"i": 3, "d": 2.5, "b": true, "n": null, "a": ["x", {"k": false}]}"#.utf8))
        XCTAssertEqual(value["i"], .int(3))
        XCTAssertEqual(value["d"], .double(2.5))
        XCTAssertEqual(value["b"], .bool(true))
        XCTAssertEqual(value["n"], .null)
        XCTAssertEqual(value["a"], ["x", ["k": false]])
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
    }
}

final class OutputCaptureTests: XCTestCase {
    func testCompleteUTF8PrefixKeepsSplitCharactersForTheNextRead() {
        let text = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        XCTAssertEqual(OutputCapture.completeUTF8Prefix(text), 10)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix(Array(text[0..<2])), 1)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix(Array(text[0..<4])), 3)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix(Array(text[0..<5])), 3)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix(Array(text[0..<9])), 6)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix([]), 0)
        XCTAssertEqual(OutputCapture.completeUTF8Prefix([0x80, 0x80]), 2, "stray continuation bytes pass through")
    }
}
