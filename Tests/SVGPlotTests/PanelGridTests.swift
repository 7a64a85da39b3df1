import SVGPlot
import XCTest

/// `Figure(panels:columns:)`: panels drawn elsewhere composed into one figure, blank cells after the last panel.
final class PanelGridTests: XCTestCase {
    func panel(_ label: String, color: Color) throws -> Axes {
        var axes = Axes()
        try axes.plot(Fixtures.energy, Fixtures.spectrum(), label: label, color: color)
        axes.title = label
        return axes
    }

    func testPanelsAreLaidOutRowMajorWithLabelsAndBlankCells() throws {
        let panels = try [panel("first", color: .blue), panel("second", color: .orange), panel("third", color: .green)]
        let fig = try Figure(panels: panels, columns: 2, width: 800, height: 600, title: "grid",
                             panelLabels: ["A", "B", "C"])
        XCTAssertEqual(fig.rows, 2)
        XCTAssertEqual(fig.columns, 2)
        XCTAssertEqual(fig.panels.map(\.isVisible), [true, true, true, false])
        let svg = fig.svg()
        let texts = XMLCheck.parse(svg).texts
        for expected in ["first", "second", "third", "A", "B", "C", "grid"] {
            XCTAssertTrue(texts.contains(expected), "missing text \(expected)")
        }
        // Three frames (one per panel) and no frame for the blank fourth cell.
        XCTAssertEqual(svg.components(separatedBy: "fill=\"none\" stroke=\"#4d4d4d\" stroke-width=\"1\"/>").count - 1,
                       3, "one plot frame per panel, none for the blank cell")
        // The third panel sits in the bottom-left cell: its title is drawn below the first one's.
        let image = try RasterCheck.render(svg, name: "grid")
        XCTAssertGreaterThan(image.count(.green), 30)
        XCTAssertEqual(image.width, 800)
    }

    func testSharedXKeepsTickLabelsAboveABlankCell() throws {
        let panels = try [panel("a", color: .blue), panel("b", color: .blue), panel("c", color: .blue)]
        let fig = try Figure(panels: panels, columns: 2, width: 800, height: 600, sharedX: true)
        // Panel "b" has a blank cell below it, so it keeps its x tick labels: 520 appears under "b" and under "c".
        XCTAssertEqual(XMLCheck.parse(fig.svg()).texts.filter { $0 == "520" }.count, 2)
    }

    func testBadGridsAreRefusedWithTheReason() throws {
        let one = try panel("a", color: .blue)
        XCTAssertThrowsError(try Figure(panels: [], columns: 2, width: 400, height: 300)) {
            XCTAssertEqual("\($0)", "a figure needs at least one panel")
        }
        XCTAssertThrowsError(try Figure(panels: [one], columns: 0, width: 400, height: 300)) {
            XCTAssertEqual("\($0)", "columns must be at least 1, got 0")
        }
        XCTAssertThrowsError(try Figure(panels: [one], columns: 1, width: 400, height: 300, panelLabels: ["A", "B"])) {
            XCTAssertEqual("\($0)", "2 panel labels for 1 panels")
        }
    }
}
