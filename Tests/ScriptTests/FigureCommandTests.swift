import EELS
import Foundation
import Script
import ScriptLanguage
import XCTest

/// `grid`, `lines`, `snr`, `subtractedInput` and the colour and style options of `plot` and `plotMeanStd`, on a
/// spectrum image written here; bad input is a typed error that leaves the variables in place.
final class FigureCommandTests: XCTestCase {
    var path: String!

    override func setUpWithError() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("figures-\(UUID().uuidString).npy").path
        let axis = UniformAxis(offset: 440, scale: 0.125, size: 1120)
        var rng = SeededGenerator(seed: 5)
        var data: [Float] = []
        for _ in 0..<(10 * 80) {
            for e in axis.values {
                let mean = 3e6 * pow(e, -2.2) + (e > 530 ? 6 : 0)
                data.append(Float(rng.nextPoisson(mean: mean)))
            }
        }
        try NPYFormat.write(SpectrumImage(rows: 10, columns: 80, energy: axis, data: data), to: path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".json")
    }

    func run(_ interpreter: Interpreter, _ code: String) throws -> String {
        switch interpreter.execute(code) {
        case .success(let bundle): return bundle?["text/plain"] ?? ""
        case .failure(let error): throw error
        }
    }

    func svg(_ interpreter: Interpreter, _ code: String) throws -> String {
        switch interpreter.execute(code) {
        case .success(let bundle): return try XCTUnwrap(bundle?["image/svg+xml"])
        case .failure(let error): throw error
        }
    }

    func testFiguresComposeIntoAGrid() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = try run(interpreter, "let si = load(\"\(path!)\")")
        XCTAssertEqual(try run(interpreter, "subtractedInput(si).shape"), "[10, 80, 240]")
        let code = """
            let a = plot([si.mean(), si[0, 0]], labels: ["mean", "pixel"], colors: ["gray", "red"], styles: ["dashed"])
            let b = lines(x: [400, 100, 25], y: [[3, 2, 1], [2, 1, 0.5]], labels: ["raw", "AEC"], logX: true)
            let c = plotMeanStd(subtractedInput(si), labels: ["raw"], truth: subtractedInput(si).blockMean(rows: 10, columns: 40), colors: ["green"])
            grid([a, b, c], columns: 2, title: "three", panelLabels: ["A", "B", "C"])
            """
        XCTAssertEqual(try run(interpreter, code), "Figure(3 panels, 2 x 2, \"three\")")
        let svg = try svg(interpreter, "grid([a, b, c], columns: 3)")
        XCTAssertTrue(svg.contains("stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-linejoin=\"round\" "
            + "stroke-dasharray=\"5 3\""), "the first spectrum is grey and dashed")
        XCTAssertTrue(svg.contains(">ground truth<"), "plotMeanStd's truth is labelled")
        XCTAssertTrue(svg.contains("fill=\"#2ca02c\""), "the band is green")
    }

    func testSNRGrowsAsTheSquareRootOfThePixelsCombined() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = try run(interpreter, "let si = load(\"\(path!)\")")
        let fast = try XCTUnwrap(Double(try run(interpreter, "snr(si, fps: 400, window: 535...545)")))
        let slow = try XCTUnwrap(Double(try run(interpreter, "snr(si, fps: 25, window: 535...545)")))
        XCTAssertEqual(slow / fast, 4, accuracy: 0.3, "16 pixels combined: 4 times the SNR")
    }

    func testBadFigureInputIsATypedErrorAndTheVariablesStay() throws {
        let interpreter = Interpreter.rapidEELS(output: OutputCapture())
        _ = try run(interpreter, "let si = load(\"\(path!)\")")
        let cases: [(String, String, String)] = [
            ("plot(si.mean(), colors: [\"teal\"])", "ValueError", "unknown colour 'teal'"),
            ("plot(si.mean(), styles: [\"wavy\"])", "ValueError", "unknown line style 'wavy'"),
            ("grid([1, 2])", "TypeError", "figures"),
            ("grid([])", "TypeError", "a non-empty array of figures"),
            ("grid([plot(si.mean())], columns: 0)", "ValueError", "columns must be at least 1"),
            ("lines(x: [400, 200], y: [[1]])", "ValueError", "series '' has 1 values for 2 x values"),
            ("snr(si, fps: 3)", "ValueError", "frame rate 3 must divide 400"),
            ("snr(si, fps: 5)", "ValueError", "combining 80 pixels needs at least 160 columns, the image has 80"),
            ("subtractedInput(si, method: method(window: 520...580, bin: 0.25, background: nil, block: [10, 40]))",
             "ValueError", "no background window"),
        ]
        for (code, kind, message) in cases {
            XCTAssertThrowsError(try run(interpreter, code), code) { error in
                XCTAssertEqual((error as? ScriptError)?.kind, kind, "\(code): \(error)")
                XCTAssertTrue("\(error)".contains(message), "\(code): \(error)")
            }
        }
        XCTAssertEqual(try run(interpreter, "si.columns"), "80")
    }
}
