import Foundation
import ScriptLanguage
import XCTest

/// Collects what a cell writes (this target has no RapidEELS and no kernel).
final class CapturedOutput: ScriptOutput {
    var stdout = ""
    var stderr = ""
    var displays: [DisplayBundle] = []

    func stream(_ name: StreamName, _ text: String) {
        if name == .stdout { stdout += text } else { stderr += text }
    }
    func display(_ bundle: DisplayBundle, displayID: String?, update: Bool) { displays.append(bundle) }
    func clearOutput(wait: Bool) {}
    func readLine(prompt: String, password: Bool) -> String? { nil }
}

/// The language core with a second command set (CounterCommands) and no RapidEELS: calls by label, defaults,
/// errors with carets, completion, help and display all come from the core and the set's declarations.
final class SecondCommandSetTests: XCTestCase {
    private var output = CapturedOutput()
    private var interpreter: Interpreter!

    override func setUp() {
        output = CapturedOutput()
        interpreter = Interpreter(output: output)
        interpreter.install(CounterCommands.install)
    }

    private func value(_ code: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        switch interpreter.execute(code) {
        case .success(let bundle): return bundle?["text/plain"]
        case .failure(let error):
            XCTFail("\(code): \(error.traceback.joined(separator: "\n"))", file: file, line: line)
            return nil
        }
    }

    private func failure(_ code: String, file: StaticString = #filePath, line: UInt = #line) -> ScriptError? {
        guard case .failure(let error) = interpreter.execute(code) else {
            XCTFail("expected an error from: \(code)", file: file, line: line)
            return nil
        }
        return error
    }

    func testTheCoreAloneHasOnlyTheLanguagesBuiltins() {
        let bare = Interpreter(output: CapturedOutput())
        for name in ["counter", "denoise", "load", "simulate"] {
            guard case .failure(let error) = bare.execute("\(name)()") else { return XCTFail("\(name) ran") }
            XCTAssertEqual(error.errorKind, .name, name)
        }
        XCTAssertNotNil(bare.registry["print"])
        XCTAssertNil(bare.registry["denoise"])
    }

    func testCallsByLabelAndDefaults() {
        XCTAssertEqual(value("counter().value"), "0")
        XCTAssertEqual(value("counter(start: 5).value"), "5")
        XCTAssertEqual(value("counter(step: 3).step"), "3")
        XCTAssertEqual(value("counter(start: 5, step: 2).tick()"), "7")
        XCTAssertEqual(value("let c = counter(start: 1, step: 10)\nc.tick()\nc.tick()\nc.value"), "21")
        XCTAssertEqual(value("greet(\"Ada\")"), "\"Hello, Ada!\"")
        XCTAssertEqual(value("greet(\"Ada\", times: 2)"), "\"Hello, Ada! Hello, Ada!\"")
        XCTAssertEqual(value("[1, 2, 3].map { counter(start: $0).tick() }"), "[2, 3, 4]")
    }

    func testErrorsNameTheProblemAndPointAtIt() throws {
        let zero = try XCTUnwrap(failure("let a = 1\nlet c = counter(step: 0)"))
        XCTAssertEqual(zero.errorKind, .value)
        XCTAssertEqual(zero.message, "counter: step must not be zero")
        XCTAssertEqual(zero.location, SourceLocation(line: 2, column: 16))
        // The quoted line, then the caret under the call's '(' (column 16, after the "2 | " gutter).
        let plain = zero.traceback.map { $0.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "",
                                                                  options: .regularExpression) }
        let quoted = try XCTUnwrap(plain.firstIndex(of: "2 | let c = counter(step: 0)"), "\(plain)")
        XCTAssertEqual(plain.dropFirst(quoted + 1).first, String(repeating: " ", count: 4 + 15) + "^")

        let type = try XCTUnwrap(failure("counter(start: \"one\")"))
        XCTAssertEqual(type.errorKind, .type)
        XCTAssertEqual(type.message, "counter: 'start:' must be an Int, not String")

        let label = try XCTUnwrap(failure("counter(begin: 1)"))
        XCTAssertEqual(label.errorKind, .type)
        XCTAssertTrue(label.message.contains("begin"), label.message)

        let member = try XCTUnwrap(failure("counter().valu"))
        XCTAssertEqual(member.errorKind, .attribute)
        XCTAssertEqual(member.message, "Counter has no member 'valu'; did you mean `value`?")

        XCTAssertEqual(failure("greet(\"Ada\", times: 4)")?.message, "greet: times must be 1, 2 or 3, not 4")
        // Variables survive an error.
        XCTAssertEqual(value("a"), "1")
    }

    func testCompletionOffersTheSecondSet() {
        XCTAssertTrue(interpreter.complete("cou", cursor: 3).matches.contains("counter"))
        XCTAssertTrue(interpreter.complete("gre", cursor: 3).matches.contains("greet"))
        _ = value("let c = counter()")
        let members = interpreter.complete("c.", cursor: 2).matches
        XCTAssertTrue(members.contains("value"), "\(members)")
        XCTAssertTrue(members.contains("tick"), "\(members)")
        XCTAssertFalse(interpreter.complete("denoi", cursor: 5).matches.contains("denoise"))
    }

    func testHelpAndInspectReadTheDeclarations() throws {
        _ = value("help(counter)")
        XCTAssertTrue(output.stdout.hasPrefix("counter(start: Int = 0, step: Int = 1) -> Counter"), output.stdout)
        XCTAssertTrue(output.stdout.contains("A counter that counts from start in steps of step."))
        XCTAssertTrue(output.stdout.contains("step: what tick() adds; not zero"))
        output.stdout = ""
        _ = value("%help")
        XCTAssertTrue(output.stdout.contains("greet(_: String, times: Int = 1) -> String"), output.stdout)
        XCTAssertFalse(output.stdout.contains("denoise"))
        let inspected = try XCTUnwrap(interpreter.inspect("greet(", cursor: 3, detailLevel: 0))
        XCTAssertTrue(inspected["text/plain"]?.contains("A greeting, repeated.") == true, "\(inspected)")
    }

    func testObjectsShowThemselves() throws {
        guard case .success(let bundle?) = interpreter.execute("counter(start: 2)") else {
            return XCTFail("no result")
        }
        XCTAssertEqual(bundle["text/plain"], "Counter(2, step 1)")
        XCTAssertEqual(bundle["text/html"], "<b>Counter</b> at 2")
        _ = value("let c = counter(start: 4)\nc.tick()\ndisplay(c)")
        XCTAssertEqual(output.displays.last?["text/html"], "<b>Counter</b> at 5")
        XCTAssertEqual(value("type(of: c)"), "\"Counter\"")
        XCTAssertEqual(value("let d: Counter = counter()\nd.value"), "0")
        // The language's own markup displays need no host.
        guard case .success(let html?) = interpreter.execute("html(\"<i>x</i>\")") else { return XCTFail("no html") }
        XCTAssertEqual(html["text/html"], "<i>x</i>")
    }

    func testResetAndImportKeepTheSecondSet() {
        _ = value("let keep = 1")
        _ = value("%reset")
        XCTAssertEqual(value("counter(start: 3).value"), "3")
        XCTAssertEqual(value("import Counters\n1"), "1")
        XCTAssertEqual(failure("import RapidEELS")?.errorKind, .import)
    }
}
