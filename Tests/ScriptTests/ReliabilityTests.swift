import Foundation
import Script
import ScriptLanguage
import XCTest

/// Issue 19 in the interpreter: the memory budget, dictionary writes in place, String(format:) limits,
/// is_complete's indent, and clear file errors.
final class ScriptReliabilityTests: XCTestCase {
    private func value(_ interpreter: Interpreter, _ code: String) -> String? {
        if case .success(let bundle) = interpreter.execute(code) { return bundle?["text/plain"] }
        return nil
    }

    private func error(_ interpreter: Interpreter, _ code: String) -> ScriptError? {
        if case .failure(let error) = interpreter.execute(code) { return error }
        return nil
    }

    func testGrowingAStringPastTheBudgetIsAMemoryErrorAndKeepsVariables() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        interpreter.memory = MemoryBudget(limitBytes: MemoryBudget.residentBytes() + (64 << 20))
        XCTAssertNil(error(interpreter, "let kept = 7\nvar s = \"x\""))
        let failure = error(interpreter, "for i in 0..<40 { s = s + s }")
        XCTAssertEqual(failure?.kind, "MemoryError")
        XCTAssertTrue(failure?.message.contains("memory budget") ?? false, failure?.message ?? "")
        let count = Int(value(interpreter, "s.count") ?? "") ?? 0
        XCTAssertGreaterThanOrEqual(count, 1 << 20)
        XCTAssertEqual(count & (count - 1), 0)
        XCTAssertEqual(value(interpreter, "kept"), "7")
        XCTAssertEqual(error(interpreter, "var t = \"y\"\nfor i in 0..<40 { t = \"\\(t)\\(t)\" }")?.kind, "MemoryError")
        XCTAssertEqual(error(interpreter, "var parts = [s, s, s, s, s, s, s, s, s, s]\nparts.joined()")?.kind,
                       "MemoryError")
    }

    func testMemoryMagicSetsTheBudget() {
        let output = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: output)
        XCTAssertNil(error(interpreter, "%memory 300"))
        XCTAssertEqual(interpreter.memory.limitBytes, 300 << 20)
        XCTAssertEqual(error(interpreter, "%memory lots")?.kind, "ValueError")
    }

    func testHugeFormatPrecisionIsRefusedBeforeItRuns() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let start = Date()
        let failure = error(interpreter, "String(format: \"%.999999999f\", 1.0)")
        XCTAssertEqual(failure?.kind, "ValueError")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(error(interpreter, "String(format: \"%99999999999999999999999d\", 1)")?.kind, "ValueError")
        XCTAssertEqual(value(interpreter, "String(format: \"%8.3f|%-4d|\", 3.14159, 7)"), "\"   3.142|7   |\"")
    }

    func testTypedDictionaryWritesAreInPlace() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let start = Date()
        XCTAssertEqual(value(interpreter, "var d: [Int: Int] = [:]\nfor i in 0..<40000 { d[i] = i }\nd.count"), "40000")
        XCTAssertEqual(value(interpreter, "var e = [\"start\": -1]\nfor i in 0..<39999 { e[\"\\(i)\"] = i }\ne.count"),
                       "40000")
        // Quadratic copying took about 25 s for 16,000; linear is far under a second even in debug builds.
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(value(interpreter, "d[39999]! + d[0]!"), "39999")
        XCTAssertEqual(error(interpreter, "d[\"x\"] = 1")?.kind, "TypeError")
        XCTAssertEqual(error(interpreter, "d[1] = \"x\"")?.kind, "TypeError")
        XCTAssertEqual(value(interpreter, "d[1] = nil\nd.count"), "39999")
        XCTAssertEqual(value(interpreter, "var g: [String: Double] = [:]\ng[\"a\"] = 1\ng[\"a\"]!"), "1.0")
        XCTAssertEqual(error(interpreter, "d.append(3)")?.kind, "AttributeError")
    }

    func testIsCompleteIndentIsBounded() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        guard case .incomplete(let indent) = interpreter.isComplete(String(repeating: "(", count: 200_000)) else {
            return XCTFail("200,000 open brackets are incomplete")
        }
        XCTAssertEqual(indent.count, 4 * Interpreter.maxIndentLevels)
        guard case .incomplete(let two) = interpreter.isComplete("f((") else { return XCTFail("incomplete") }
        XCTAssertEqual(two, "        ")
    }

    func testLoadingAFIFOIsAFileErrorAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("si.dm4").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let failure = error(interpreter, "load(\"\(fifo)\")")
        XCTAssertEqual(failure?.kind, "FileError")
        XCTAssertTrue(failure?.message.contains("not a regular file") ?? false, failure?.message ?? "")
        let model = error(interpreter, "loadModel(\"\(fifo)\")")
        XCTAssertTrue(model?.message.contains("not a regular file") ?? false, model?.message ?? "")
    }

    func testSaveErrorsSayWhatHappenedAndWhere() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let failure = error(interpreter, "let m = autoencoder(latent: 5)\nm.save(\"/nonexistent-rapideels/x/m.safetensors\")")
        XCTAssertEqual(failure?.kind, "FileError")
        let message = failure?.message ?? ""
        XCTAssertTrue(message.contains("the folder /nonexistent-rapideels/x does not exist"), message)
        XCTAssertFalse(message.contains("NSCocoaErrorDomain"), message)
    }
}
