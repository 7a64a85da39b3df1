import EELS
import Foundation
import RapidEELS
import XCTest

/// Maps carry their spatial calibration into figures: labels with units, extents over the pixel edges.
final class MapFigureTests: XCTestCase {
    let y = UniformAxis(offset: 0, scale: 0.0019920736085623503, size: 2, units: "µm", name: "y")
    let x = UniformAxis(offset: 0.004, scale: 0.0019920736085623503, size: 3, units: "µm", name: "x")

    func testSubMicrometreAxesAreDrawnInNanometresOverThePixelEdges() {
        let mx = MapAxis(x)
        XCTAssertEqual(mx.label, "x (nm)")
        XCTAssertEqual(mx.axis.scale, 1.9920736085623503, accuracy: 1e-12)
        XCTAssertEqual(mx.extent.lowerBound, 4 - 1.9920736085623503 / 2, accuracy: 1e-9)
        XCTAssertEqual(mx.extent.upperBound, 4 + 2.5 * 1.9920736085623503, accuracy: 1e-9)
        let wide = MapAxis(UniformAxis(offset: 0, scale: 0.5, size: 10, units: "µm", name: "x"))
        XCTAssertEqual(wide.label, "x (µm)", "5 µm across stays in µm")
        let pixels = MapAxis(UniformAxis(offset: 0, scale: 1, size: 4, units: "px", name: "y"))
        XCTAssertEqual(pixels.label, "y (px)")
        XCTAssertEqual(pixels.extent, -0.5...3.5)
    }

    func testClassificationAndFitMapsCarryTheImageAxes() throws {
        var c = Classification(rows: 2, columns: 3, probabilities: [0.1, 0.9, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.5, 0.5, 0.2, 0.8],
                               classNames: ["initial", "annealed"], title: "t", rowAxis: y, columnAxis: nil)
        c.columnAxis = x
        let p = c.probabilityImage(1)
        XCTAssertEqual(p.data, [0.9, 0.2, 0.7, 0.4, 0.5, 0.8])
        XCTAssertEqual(p.rowAxis, y)
        XCTAssertEqual(p.columnAxis, x)
        XCTAssertEqual(c.classImage.data, [1, 0, 1, 0, 0, 1])
        let svg = try Figures.classification(c).svg()
        XCTAssertTrue(svg.contains("x (nm)") && svg.contains("y (nm)"))
        XCTAssertFalse(svg.contains("(px)"))
        let maps = try Figures.maps([p, c.classImage], title: "maps").svg()
        XCTAssertTrue(maps.contains("P(annealed) of t") && maps.contains("class of t"))
        XCTAssertThrowsError(try Figures.maps([]))
        // The probability and class maps as HyperSpy Signal2D experiments, with the calibration.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("classes-\(UUID().uuidString).hspy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try HSpyFormat.write([p, c.classImage], to: path)
        let back = try loadAll(path).compactMap(\.image)
        XCTAssertEqual(back.map(\.data), [p.data, c.classImage.data])
        XCTAssertEqual(back.map { $0.columnAxis }, [x, x])
        XCTAssertEqual(back.map { $0.metadata["title"] }, ["P(annealed) of t", "class of t"])
    }
}
