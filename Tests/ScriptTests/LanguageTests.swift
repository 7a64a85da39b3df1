import RapidEELS
import Script
import ScriptLanguage
import XCTest

final class LanguageTests: XCTestCase {
    func run(_ code: String, _ output: OutputCapture = OutputCapture()) -> ExecutionResult {
        Interpreter.rapidEELS(output: output).execute(code)
    }

    func testValueCases() {
        XCTAssertGreaterThanOrEqual(valueCases.count + errorCases.count, 200)
        for (code, expected) in valueCases {
            switch run(code) {
            case .success(let bundle):
                XCTAssertEqual(bundle?["text/plain"], expected, "cell:\n\(code)")
            case .failure(let error):
                XCTFail("cell:\n\(code)\nfailed: \(error)")
            }
        }
    }

    func testErrorCases() {
        for (code, kind, line, column, message) in errorCases {
            guard case .failure(let error) = run(code) else {
                XCTFail("cell:\n\(code)\nshould fail with \(kind)")
                continue
            }
            XCTAssertEqual(error.kind, kind, "cell: \(code)")
            XCTAssertEqual(error.message.hasPrefix(message) ? message : error.message, message, "cell: \(code)")
            XCTAssertEqual(error.location?.line, line, "line of: \(code)")
            XCTAssertEqual(error.location?.column, column, "column of: \(code)")
        }
    }

    func testTracebackQuotesTheLineWithACaret() throws {
        guard case .failure(let error) = run("let a = 1\nlet b = a + missing") else { return XCTFail("should fail") }
        let plain = error.traceback.map { $0.replacingOccurrences(of: "\u{1B}[0;31m", with: "")
            .replacingOccurrences(of: "\u{1B}[1;31m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "") }
        XCTAssertEqual(plain[0], "NameError: cannot find 'missing' in scope")
        XCTAssertEqual(plain[2], "2 | let b = a + missing")
        XCTAssertEqual(plain[3], "                ^")
    }

    func testCallChainForErrorsInsideFunctions() {
        guard case .failure(let error) = run("func inner(_ x: Int) -> Int { return x / 0 }\nfunc outer() -> Int { return inner(1) }\nouter()")
        else { return XCTFail("should fail") }
        XCTAssertEqual(error.kind, "ZeroDivisionError")
        XCTAssertEqual(error.callChain, ["func inner called at line 2", "func outer called at line 3"])
    }

    func testVariablesSurviveErrorsAndCellsShareState() {
        let out = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: out)
        _ = interpreter.execute("var total = 10")
        guard case .failure = interpreter.execute("total += 5\nlet boom = 1 / 0") else { return XCTFail() }
        guard case .success(let b) = interpreter.execute("total") else { return XCTFail() }
        XCTAssertEqual(b?["text/plain"], "15")
        // a new cell may redeclare a global (notebook semantics)
        guard case .success(let c) = interpreter.execute("let total = 1\ntotal") else { return XCTFail() }
        XCTAssertEqual(c?["text/plain"], "1")
    }

    func testClosuresRunOnceAndFunctionsSeeLaterCells() {
        let out = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: out)
        _ = interpreter.execute("[1, 2].map { print($0) }")
        XCTAssertEqual(out.stdout, "1\n2\n")
        _ = interpreter.execute("var g = 1\nfunc readG() -> Int { return g }")
        _ = interpreter.execute("let g = 5")
        guard case .success(let b) = interpreter.execute("readG()") else { return XCTFail() }
        XCTAssertEqual(b?["text/plain"], "5")
        _ = interpreter.execute("%reset")
        guard case .failure(let e) = interpreter.execute("g") else { return XCTFail("g should be gone") }
        XCTAssertEqual(e.kind, "NameError")
    }

    func testInterruptStopsTheDatasetSimulator() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let stop = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { stop.request() }
        let start = Date()
        guard case .failure(let e) = interpreter.execute("let d = simulatePaperDataset(seed: 1)", cancellation: stop) else {
            return XCTFail("should be interrupted")
        }
        XCTAssertEqual(e.kind, "Interrupted")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testSyntaxErrorRunsNothing() {
        let out = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: out)
        guard case .failure(let e) = interpreter.execute("print(\"ran\")\nlet = 3") else { return XCTFail() }
        XCTAssertEqual(e.kind, "SyntaxError")
        XCTAssertEqual(out.stdout, "")
    }

    func testPrintDisplayAndClear() {
        let out = OutputCapture()
        _ = run("print(\"a\", 1, 2.5)\nprint(\"x\", separator: \"-\", terminator: \"!\")\nprintError(\"warn\")\n"
            + "display(\"shown\")\nclearOutput()", out)
        XCTAssertEqual(out.stdout, "a 1 2.5\nx!")
        XCTAssertEqual(out.stderr, "warn\n")
        XCTAssertEqual(out.displays.first?.0["text/plain"], "\"shown\"")
        XCTAssertEqual(out.cleared, 1)
    }

    func testMagics() {
        let out = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: out)
        _ = interpreter.execute("%seed 42")
        XCTAssertEqual(interpreter.settings.seed, 42)
        _ = interpreter.execute("let q = 3\n%who")
        XCTAssertTrue(out.stdout.contains("q  Int"), out.stdout)
        _ = interpreter.execute("%time let t = (1...1000).sum()")
        XCTAssertTrue(out.stdout.contains("Wall time:"), out.stdout)
        _ = interpreter.execute("%reset")
        guard case .failure(let e) = interpreter.execute("q") else { return XCTFail("q should be gone") }
        XCTAssertEqual(e.kind, "NameError")
        _ = interpreter.execute("%threads 1")
        XCTAssertEqual(interpreter.settings.threads, 1)
        _ = interpreter.execute("%help")
        XCTAssertTrue(out.stdout.contains("denoise(_: SpectrumImage, with: Autoencoder, window: [Int] = [1, 1], anchor: [Int] = none) -> SpectrumImage"))
    }

    func testInterruptStopsLoopsAndKeepsVariables() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = interpreter.execute("var kept = 7")
        let stop = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { stop.request() }
        guard case .failure(let e) = interpreter.execute("var i = 0\nwhile true { i += 1 }", cancellation: stop) else {
            return XCTFail()
        }
        XCTAssertEqual(e.kind, "Interrupted")
        guard case .success(let b) = interpreter.execute("kept") else { return XCTFail() }
        XCTAssertEqual(b?["text/plain"], "7")
    }

    /// Each cell has its own flag: one requested before the cell starts stops it at once (nothing resets it), a
    /// function defined in an earlier cell polls the running cell's flag, and the next cell runs untouched.
    func testAnInterruptAsACellStartsIsNotLost() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = interpreter.execute("func spin() -> Int { var i = 0; while true { i += 1 }; return i }")
        let early = Cancellation()
        early.request()
        guard case .failure(let e) = interpreter.execute("spin()", cancellation: early) else {
            return XCTFail("a cell whose flag is already set must stop")
        }
        XCTAssertEqual(e.kind, "Interrupted")
        guard case .success(let b) = interpreter.execute("var n = 0\nfor i in 0..<5000 { n += i }\nn") else {
            return XCTFail("the next cell has a fresh flag")
        }
        XCTAssertEqual(b?["text/plain"], "12497500")
    }

    /// A typed array changes in place, and an element of the wrong type leaves it as it was before that call; a
    /// failed dictionary store keeps the dictionary.
    func testCollectionsKeepTheirValuesAfterAFailedStore() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = interpreter.execute("var xs: [Int] = [1]")
        guard case .failure(let e) = interpreter.execute("xs.append(2)\nxs[0] = 5\nxs.append(\"a\")") else {
            return XCTFail("appending a String to [Int] should fail")
        }
        XCTAssertEqual(e.kind, "TypeError")
        guard case .success(let b) = interpreter.execute("xs") else { return XCTFail() }
        XCTAssertEqual(b?["text/plain"], "[5, 2]")
        guard case .failure = interpreter.execute("xs[1] = \"b\"") else { return XCTFail("a String into [Int]") }
        guard case .success(let c) = interpreter.execute("xs") else { return XCTFail() }
        XCTAssertEqual(c?["text/plain"], "[5, 2]")
        // A dictionary store that fails (an unhashable key) leaves the dictionary as it was.
        _ = interpreter.execute("var d = [\"a\": 1]")
        guard case .failure = interpreter.execute("d[\"b\"] = 2\nd[[1]] = 3") else { return XCTFail("[Int] key") }
        guard case .success(let dictionary) = interpreter.execute("d") else { return XCTFail() }
        XCTAssertEqual(dictionary?["text/plain"], "[\"a\": 1, \"b\": 2]")
    }

    func testInterruptReachesNestedShortLoops() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let stop = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { stop.request() }
        let start = Date()
        guard case .failure(let e) = interpreter.execute("var n = 0\nfor a in 0..<1000 { for b in 0..<1000 { "
            + "var c = 0; while c < 1000 { c += 1; n += 1 } } }", cancellation: stop) else {
            return XCTFail("should be interrupted")
        }
        XCTAssertEqual(e.kind, "Interrupted")
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.5)
    }

    func testHelpReadsTheRegistry() {
        let out = OutputCapture()
        _ = run("help(denoise)", out)
        XCTAssertTrue(out.stdout.hasPrefix("denoise(_: SpectrumImage, with: Autoencoder, window: [Int] = [1, 1], anchor: [Int] = none) -> SpectrumImage"), out.stdout)
        XCTAssertTrue(out.stdout.contains("Example:"))
    }

    func testCompletion() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = interpreter.execute("let spectra = [1, 2]\nlet spectrumCount = 2")
        XCTAssertEqual(interpreter.complete("spec", cursor: 4).matches, ["spectra", "spectrumCount"])
        XCTAssertEqual(interpreter.complete("deno", cursor: 4).matches, ["denoise"])
        let members = interpreter.complete("spectra.co", cursor: 10)
        XCTAssertEqual(members.matches, ["count", "contains"])
        XCTAssertEqual(members.cursorStart, 8)
        let labels = interpreter.complete("simulatePaperDataset(s", cursor: 22)
        XCTAssertEqual(Array(labels.matches.prefix(2)), ["seed:", "scale:"])
        // cursor counts Unicode scalars
        let unicode = interpreter.complete("let é = 1; spec", cursor: 15)
        XCTAssertEqual(unicode.cursorStart, 11)
        XCTAssertEqual(unicode.matches, ["spectra", "spectrumCount"])
    }

    func testFilePathCompletionInsideLoad() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rapideels-complete-\(getpid())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("spectra"),
                                                withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder.appendingPathComponent("si.dm4").path, contents: Data())
        defer { try? FileManager.default.removeItem(at: folder) }
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        let code = "load(\"\(folder.path)/s"
        let completion = interpreter.complete(code, cursor: code.unicodeScalars.count)
        XCTAssertEqual(completion.matches, ["\(folder.path)/si.dm4", "\(folder.path)/spectra/"])
        XCTAssertEqual(completion.cursorStart, 6)
    }

    func testInspectAndIsComplete() {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        XCTAssertTrue(interpreter.inspect("pca(", cursor: 3, detailLevel: 0)?["text/plain"]?.hasPrefix("pca(_: SpectrumImage") ?? false)
        XCTAssertEqual(interpreter.isComplete("let x = [1,"), .incomplete(indent: "    "))
        XCTAssertEqual(interpreter.isComplete("let x = 1 +"), .incomplete(indent: ""))
        XCTAssertEqual(interpreter.isComplete("\"abc"), .incomplete(indent: ""))
        XCTAssertEqual(interpreter.isComplete("let x = 1"), .complete)
        XCTAssertEqual(interpreter.isComplete("let x = )"), .invalid)
    }
}
