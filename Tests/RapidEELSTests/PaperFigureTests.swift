import EELS
import Foundation
import RapidEELS
import SVGPlot
import XCTest

/// The figure builders of the paper's results (grid, lines against frame rate, mean ± std with a dashed ground
/// truth) and the raw pixel in the ground truth's units (`subtractedInputs`).
final class PaperFigureTests: XCTestCase {
    let window = UniformAxis(offset: 520, scale: 0.25, size: 240)

    func spectrum(_ height: Double) -> Spectrum {
        Spectrum(values: window.values.map { Float(height * exp(-pow(($0 - 531) / 1.5, 2))) }, energy: window)
    }

    func testGridTakesEveryPanelAndNamesOnePanelFiguresByTheirTitle() throws {
        let a = try Figures.spectra([(spectrum(1), "one")], styles: [], title: "panel a")
        let b = try Figures.lines(x: [400, 100, 25], series: [("raw", [3, 2, 1])], title: "panel b", logX: true)
        let pair = try Figures.pca(ratios: [0.9, 0.1], energies: window.values, loadings: [window.values, window.values])
        let grid = try Figures.grid([a, b, pair], columns: 2, title: "all", panelLabels: ["A", "B"])
        XCTAssertEqual(grid.panels.filter(\.isVisible).count, 4, "two one-panel figures and the PCA figure's two")
        XCTAssertEqual(grid.rows, 2)
        XCTAssertEqual(grid.panels[0].title, "panel a")
        XCTAssertEqual(grid.panels[1].title, "panel b")
        XCTAssertEqual(grid.panels[2].title, "scree")
        XCTAssertEqual(grid.panels[1].xScale, .log)
        XCTAssertEqual(grid.panels.compactMap(\.panelLabel), ["A", "B"])
        XCTAssertThrowsError(try Figures.grid([], columns: 2)) {
            XCTAssertEqual("\($0)", "grid needs at least one figure")
        }
        XCTAssertThrowsError(try Figures.grid([a], columns: 1, panelLabels: ["A", "B"])) {
            XCTAssertEqual("\($0)", "2 panel labels for 1 panels")
        }
    }

    func testLinesRefuseASeriesOfAnotherLength() throws {
        XCTAssertThrowsError(try Figures.lines(x: [400, 200], series: [("raw", [1, 2, 3])])) {
            XCTAssertEqual("\($0)", "series 'raw' has 3 values for 2 x values")
        }
        let fig = try Figures.lines(x: [400, 200, 100], series: [("a", [1, 2, 3]), ("b", [2, 3, 4])],
                                    styles: [SeriesStyle(color: .gray, line: .dashed)], xLabel: "Frame rate (FPS)")
        let svg = fig.svg()
        XCTAssertTrue(svg.contains("stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-linejoin=\"round\" "
            + "stroke-dasharray=\"5 3\""), "the first series is grey and dashed")
        XCTAssertTrue(svg.contains("Frame rate (FPS)"))
    }

    func testMeanStdDrawsTheGroundTruthGreyAndDashedOverTheBand() throws {
        let pixels = (0..<4).flatMap { k in spectrum(4 + Double(k)).values }
        let si = SpectrumImage(rows: 2, columns: 2, energy: window, data: pixels)
        let truth = SpectrumImage(rows: 2, columns: 2, energy: window, data: (0..<4).flatMap { _ in spectrum(5.5).values })
        let fig = try Figures.meanStd([(si, "AEC")], truth: [(truth, "ground truth")], colors: [.red])
        let svg = fig.svg()
        XCTAssertTrue(svg.contains("fill=\"#d62728\" fill-opacity=\"0.25\""), "the band is in the given colour")
        XCTAssertTrue(svg.contains("stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-linejoin=\"round\" "
            + "stroke-dasharray=\"5 3\""), "the ground truth is grey and dashed")
        XCTAssertTrue(svg.contains(">ground truth<"))
    }

    func testSeriesStylesByNameAndTheirErrors() throws {
        XCTAssertEqual(try SeriesStyle.color(named: "Grey"), .gray)
        XCTAssertEqual(try SeriesStyle.color(named: "#102030"), Color(red: 0x10, green: 0x20, blue: 0x30))
        XCTAssertEqual(try SeriesStyle.line(named: "dashDot"), .dashDot)
        XCTAssertThrowsError(try SeriesStyle.color(named: "teal")) {
            XCTAssertTrue("\($0)".hasPrefix("unknown colour 'teal': use black, blue"), "\($0)")
        }
        XCTAssertThrowsError(try SeriesStyle.line(named: "wavy")) {
            XCTAssertEqual("\($0)", "unknown line style 'wavy': use solid, dashed, dotted or dashDot")
        }
    }

    /// A pixel of background A E^-r plus an edge: `subtractedInputs` leaves the edge, on the window's axis.
    func testSubtractedInputsRemoveEachPixelsOwnPowerLaw() throws {
        let raw = UniformAxis(offset: 440, scale: 0.125, size: 1120)
        func pixel(_ amplitude: Double) -> [Float] {
            raw.values.map { e in
                let edge = e > 530 ? 8.0 : 0
                return Float(amplitude * pow(e / 500, -3) / 2 + edge / 2)   // /2: two raw channels per 0.25 eV bin
            }
        }
        let si = SpectrumImage(rows: 1, columns: 2, energy: raw, data: pixel(60) + pixel(90))
        let out = try PreprocessingMethod.paper.subtractedInputs(si)
        XCTAssertEqual(out.energy, window)
        XCTAssertEqual(out.rows, 1)
        XCTAssertEqual(out.columns, 2)
        for p in 0..<2 {
            let values = Array(out.data[(p * 240)..<((p + 1) * 240)])
            XCTAssertEqual(Double(values[window.index(of: 525)]), 0, accuracy: 0.05, "pixel \(p): background gone")
            XCTAssertEqual(Double(values[window.index(of: 560)]), 8, accuracy: 0.1, "pixel \(p): edge kept")
        }
        var none = PreprocessingMethod.paper
        none.background = nil
        XCTAssertThrowsError(try none.subtractedInputs(si)) {
            XCTAssertTrue("\($0)".hasPrefix("the method has no background window"), "\($0)")
        }
    }
}
