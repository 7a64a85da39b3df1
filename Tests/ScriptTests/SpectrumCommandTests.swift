import Foundation
import Script
import ScriptLanguage
import XCTest

/// Spectrum commands that read the shared measured data: `load(_, column:)` and `normalized(to:)`.
final class SpectrumCommandTests: XCTestCase {
    func value(_ code: String) throws -> String {
        switch Interpreter.rapidEELS(output: OutputCapture()).execute(code) {
        case .success(let bundle): return try XCTUnwrap(bundle?["text/plain"])
        case .failure(let error): throw error
        }
    }

    func sharedPath(_ relative: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/" + relative).standardized
        guard FileManager.default.fileExists(atPath: url.path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("../shared is missing: \(url.path)")
            }
            throw XCTSkip("../shared is not beside the project (\(url.path))")
        }
        return url.path
    }

    func testLoadPicksAColumnOfATextTable() throws {
        let path = try sharedPath("reference/fig7b-digitized.csv")
        XCTAssertEqual(try value("load(\"\(path)\", column: 3).title"), "\"annealed_0.7MFP\"")
        XCTAssertEqual(try value("load(\"\(path)\", column: 3).count"), "240")
        XCTAssertEqual(try value("String(format: \"%.4f\", load(\"\(path)\", column: 3)[0])"), "\"-0.1653\"")
        XCTAssertThrowsError(try value("load(\"\(path)\", column: 5)")) { error in
            XCTAssertEqual((error as? ScriptError)?.kind, "FileError")
            XCTAssertTrue("\(error)".contains("value column 5"), "\(error)")
        }
    }

    func testNormalizedScalesTheWindowMaximumToOne() throws {
        let path = try sharedPath("data/real/coreloss_spectrum.msa")
        let code = "let s = load(\"\(path)\").removeBackground(.powerLaw, fit: 500...526)\n"
        XCTAssertEqual(try value(code + "s.normalized(to: 525...560).crop(525...560).values.max()!"), "1.0")
        let table = try sharedPath("reference/fig7b-digitized.csv")
        XCTAssertThrowsError(try value("load(\"\(table)\", column: 3).normalized(to: 520...520.6)")) { error in
            XCTAssertEqual((error as? ScriptError)?.kind, "ValueError")
            XCTAssertTrue("\(error)".contains("no positive maximum"), "\(error)")
        }
    }

    func testHelpOfAValueListsItsMethodsWithTheirDocs() throws {
        let path = try sharedPath("data/real/coreloss_spectrum.msa")
        let output = OutputCapture()
        guard case .success = Interpreter.rapidEELS(output: output).execute("help(load(\"\(path)\"))") else {
            return XCTFail("help failed")
        }
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("  .normalized(to:") }, output.stdout)
        XCTAssertTrue(lines[index + 1].contains("divided by its maximum"), output.stdout)
        XCTAssertTrue(lines[index + 2].contains("to: eV window whose maximum becomes 1"), output.stdout)
    }

    func testHelpOfAMethodWhoseParametersAllHaveDefaults() throws {
        let output = OutputCapture()
        let interpreter = Interpreter.rapidEELS(output: output)
        guard case .success = interpreter.execute("let si = simulatePaperDataset(seed: 1, scale: 0.02).test[0]\n"
                                                  + "help(si.blockMean)") else {
            return XCTFail("help(si.blockMean) failed: \(output.stdout)")
        }
        XCTAssertTrue(output.stdout.contains("blockMean("), output.stdout)
        // The bare member is still refused: it is almost always a forgotten ().
        guard case .failure(let error) = interpreter.execute("let m = si.blockMean") else { return XCTFail("accepted") }
        XCTAssertTrue("\(error)".contains("call it as .blockMean()"), "\(error)")
    }
}
