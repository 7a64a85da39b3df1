import EELS
import Foundation
import NeuralCore
import RapidEELS
import Script
import ScriptLanguage
import XCTest

/// Native errors say how they appear in a cell (`CellReportableError`), pinned case by case, and a cell shows
/// them under that kind.
final class ErrorKindTests: XCTestCase {
    func testEachNativeErrorNamesItsKind() {
        let cases: [(CellReportableError, String)] = [
            (EELSError.file(path: "a.dm4", detail: "truncated"), "FileError"),
            (EELSError.value("bad range"), "ValueError"),
            (EELSError.shape("3 x 4 vs 4 x 3"), "ValueError"),
            (NeuralError.shapeMismatch("700 values"), "ValueError"),
            (NeuralError.weightFile("missing latent.kernel"), "ValueError"),
            (RapidEELSError.incompatible("window"), "ValueError"),
            (RapidEELSError.model("metadata"), "ValueError"),
        ]
        for (error, kind) in cases { XCTAssertEqual(error.cellErrorKind.rawValue, kind, "\(error)") }
        XCTAssertEqual(ErrorKind.allCases.map(\.rawValue).filter { !$0.hasSuffix("Error") }, ["Interrupted"])
    }

    func testACorruptFileIsAFileErrorAndABadArgumentAValueError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinds-\(UUID().uuidString).dm4")
        try Data("not a DigitalMicrograph file at all".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        for (code, kind) in [("load(\"\(path.path)\")", "FileError"), ("autoencoder(latent: 0)", "ValueError")] {
            guard case .failure(let error) = interpreter.execute(code) else { return XCTFail("\(code) should fail") }
            XCTAssertEqual(error.kind, kind, "\(code): \(error)")
        }
    }
}
