import Foundation
import Script
import ScriptLanguage
import XCTest

/// Cells: pixel-range slicing, .hspy save and load, calibrated map figures, plots of fits.
final class HyperSpyFilesTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hspy-cells-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func run(_ code: String) throws -> DisplayBundle {
        switch Interpreter.rapidEELS(output: OutputCapture()).execute(code) {
        case .success(let bundle): return try XCTUnwrap(bundle)
        case .failure(let error): throw error
        }
    }

    func text(_ code: String) throws -> String { try XCTUnwrap(try run(code)["text/plain"]) }

    func expectError(_ code: String, _ kind: String, _ phrase: String, line: UInt = #line) {
        XCTAssertThrowsError(try run(code), line: line) { error in
            XCTAssertEqual((error as? ScriptError)?.kind, kind, "\(error)", line: line)
            XCTAssertTrue("\(error)".contains(phrase), "\(error)", line: line)
        }
    }

    /// A small simulated SI: 10 rows of pixels, 440-580 eV.
    let si = "let si = simulatePaperDataset(seed: 2, scale: 0.02).test[0]\n"

    func testRangeSubscriptsGiveSubImagesAndMaps() throws {
        XCTAssertEqual(try text(si + "si[0...1, 0].shape == [2, 1, si.channels]"), "true")
        XCTAssertEqual(try text(si + "si[2..<5, 3..<10].shape == [3, 7, si.channels]"), "true")
        XCTAssertEqual(try text(si + "si[2..<5, 3..<10][1, 2].values == si[3, 5].values"), "true")
        XCTAssertEqual(try text(si + "si[0..<2, 0..<3, 525.0...560.0].energies.first!"), "525.0")
        XCTAssertEqual(try text(si + "si[0..<2, 0..<3, 100..<110].channels"), "10")
        XCTAssertEqual(try text(si + "si[0..<2, 0..<3, 100].shape"), "[2, 3]")
        XCTAssertEqual(try text(si + "si[0..<2, 0..<3, 100][1, 2] == si[1, 2, 100]"), "true")
        expectError(si + "si[0..<20, 0]", "IndexError", "rows 0..<20 are outside 0..<10")
        expectError(si + "si[0..<2, 0..<3, 1000..<1200]", "IndexError", "525.0...560.0")
        expectError(si + "si[\"a\", 0]", "TypeError", "Int range")
    }

    func testSaveAndLoadHSpyKeepsShapeAxesAndTitle() throws {
        let p = tmp.appendingPathComponent("si.hspy").path
        XCTAssertEqual(try text(si + "si[1..<3, 2..<6].save(\"\(p)\")\nload(\"\(p)\").shape == [2, 4, si.channels]"), "true")
        XCTAssertTrue(try text("load(\"\(p)\")").contains("[1..<3, 2..<6]"))
        let s = tmp.appendingPathComponent("mean.hspy").path
        XCTAssertEqual(try text(si + "si.mean().save(\"\(s)\")\nload(\"\(s)\").values == si.mean().values"), "true")
        let m = tmp.appendingPathComponent("map.hspy").path
        XCTAssertEqual(try text(si + "si[0..<10, 0..<12, 300].save(\"\(m)\")\nload(\"\(m)\").shape"), "[10, 12]")
        expectError(si + "si.save(\"\(tmp.path)/x.tif\")", "ValueError", ".hspy, .npy or .dm4")
        let bad = tmp.appendingPathComponent("bad.hspy")
        try Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]).write(to: bad)
        expectError("load(\"\(bad.path)\")", "FileError", "HDF5")
    }

    func testFitMapsPlotAndSave() throws {
        let fits = si + "let fits = fit(si[0..<2, 0..<4], peaks: [531], window: 526...546)\n"
        let figure = try run(fits + "plot(fits)")
        XCTAssertEqual(figure["text/plain"], "Figure(6 fit-parameter maps)")
        let svg = try XCTUnwrap(figure["image/svg+xml"])
        XCTAssertTrue(svg.contains("peak1.position"), "the panel titles name the parameters")
        XCTAssertTrue(svg.contains("x (px)"))
        let p = tmp.appendingPathComponent("fit.hspy").path
        XCTAssertEqual(try text(fits + "fits.save(\"\(p)\")\nload(\"\(p)\").count"), "6")
        XCTAssertEqual(try text(fits + "fits.map(\"peak1.position\").shape"), "[2, 4]")
        let single = try run(si + "plot(fit(si.mean(), peaks: [531], window: 526...546))")
        XCTAssertTrue(try XCTUnwrap(single["image/svg+xml"]).contains("peak 1"))
        XCTAssertTrue(try XCTUnwrap(single["image/svg+xml"]).contains("background"))
    }

    func testCalibratedDMMapShowsNanometres() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/real/EELS_SI.dm4").standardized
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("../shared is missing") }
        let bundle = try run("load(\"\(url.path)\")")
        XCTAssertTrue(try XCTUnwrap(bundle["text/plain"]).contains("1.992 x 1.992 nm/px"))
        let svg = try XCTUnwrap(bundle["image/svg+xml"])
        XCTAssertTrue(svg.contains("x (nm)") && svg.contains("y (nm)"), "map axes in nm")
        XCTAssertFalse(svg.contains("(px)"))
    }
}
