import Foundation
import SVGPlot
import XCTest

/// Bad, empty and very large inputs: valid SVG and clear errors, never a crash.
final class RobustnessTests: XCTestCase {
    func testEmptyFigureAndEmptyAxesAreValidSVG() throws {
        let empty = Figure(width: 300, height: 200)
        XMLCheck.parse(empty.svg())
        var grid = Figure(width: 600, height: 400, rows: 2, columns: 3, sharedX: true, sharedY: true)
        try grid.axes.plot([Double](), [Double]())
        try grid[1, 2].scatter([Float](), [Float]())
        try grid[0, 1].bar([String](), [Double]())
        let svg = grid.svg()
        let parsed = XMLCheck.parse(svg)
        XCTAssertEqual(parsed.elementNames.filter { $0 == "clipPath" }.count, 6, "one frame per panel")
        let image = try RasterCheck.render(svg, name: "empty-grid")
        XCTAssertGreaterThan(image.inkedPixels, 500, "empty panels still draw frames and ticks")
    }

    func testNonFiniteValuesAreSkipped() throws {
        var fig = Figure()
        let y: [Double] = [1, .nan, 3, .infinity, 5, -.infinity, 7, 8]
        try fig.axes.plot(Array(0..<8).map(Double.init), y, label: "gaps", color: .red)
        try fig.axes.scatter([1, .nan, 3], [.infinity, 2, 3], color: .blue)
        try fig.axes.plot(Array(0..<8).map(Double.init), mean: y, std: [Double](repeating: 0.5, count: 8))
        try fig.axes.bar(["a", "b"], [.nan, 2])
        let allNaN = [Double](repeating: .nan, count: 4)
        try fig[0, 0].heatmap(allNaN, rows: 2, columns: 2)
        let svg = fig.svg()
        XMLCheck.parse(svg)
        for bad in ["nan", "NaN", "inf", "Inf"] { XCTAssertFalse(svg.contains(bad), "SVG contains \(bad)") }
        let image = try RasterCheck.render(svg, name: "nonfinite")
        XCTAssertGreaterThan(image.count(.red), 20)
    }

    func testTextIsEscapedForXML() throws {
        var fig = Figure(title: "A <b> & \"C\" 'd'")
        try fig.axes.plot([0, 1], [0, 1], label: "x < 5 & y > 2")
        fig.axes.xLabel = "Energy loss (eV) ]]> <!--"
        fig.axes.text("SrFeO\u{2083} \u{2192} SrFeO\u{2082}.\u{2085}\u{0007}", x: 0.5, y: 0.5)
        let texts = XMLCheck.parse(fig.svg()).texts
        XCTAssertTrue(texts.contains("A <b> & \"C\" 'd'"))
        XCTAssertTrue(texts.contains("x < 5 & y > 2"))
        XCTAssertTrue(texts.contains("Energy loss (eV) ]]> <!--"))
        XCTAssertTrue(texts.contains("SrFeO\u{2083} \u{2192} SrFeO\u{2082}.\u{2085}"), "control characters dropped")
    }

    func testMismatchedLengthsThrowNamingTheProblem() {
        var axes = Axes()
        XCTAssertThrowsError(try axes.plot([1, 2, 3], [1, 2])) { error in
            XCTAssertEqual("\(error)", "plot: x has 3 values but y has 2; they must have the same length")
        }
        XCTAssertThrowsError(try axes.plot([1, 2], mean: [1, 2], std: [1]))
        XCTAssertThrowsError(try axes.scatter([1.0], [Double]()))
        XCTAssertThrowsError(try axes.bar(["a"], [1.0], errors: [1, 2]))
        XCTAssertThrowsError(try axes.heatmap([1.0, 2, 3], rows: 2, columns: 2)) { error in
            XCTAssertEqual("\(error)", "heatmap: rows * columns has 4 values but values has 3; "
                + "they must have the same length")
        }
        XCTAssertThrowsError(try axes.heatmap([[1.0, 2], [3]])) { error in
            XCTAssertEqual("\(error)", "heatmap: row 1 has 1 values but row 0 has 2")
        }
        XCTAssertThrowsError(try axes.heatmap([Double](), rows: 0, columns: 5))
        XCTAssertThrowsError(try Color(hex: "#12345")) { error in
            XCTAssertEqual("\(error)", "'#12345' is not a hex colour such as #1f77b4")
        }
        XCTAssertTrue(axes.isEmpty, "rejected calls draw nothing")
    }

    func testDegenerateDataAndLimits() throws {
        var fig = Figure(width: 10, height: 10, rows: 0, columns: -2)
        XCTAssertEqual(fig.rows, 1)
        XCTAssertEqual(fig.columns, 1)
        try fig.axes.plot([5, 5, 5], [2, 2, 2])
        fig.axes.xLimits = 3...3
        fig.axes.yLimits = -.infinity...0
        XMLCheck.parse(fig.svg())
    }

    func testTwentyFiveThousandScatterPointsStaySmall() throws {
        var fig = Figure(width: 640, height: 480)
        let clusters = Fixtures.clusters(perCluster: 6250, spread: 9)
        let markers: [Marker] = [.cross, .circle, .cross, .circle]
        let colors: [Color] = [.blue, .blue, .orange, .orange]
        for k in 0..<4 {
            try fig.axes.scatter(clusters[k].x, clusters[k].y, label: "series \(k)", color: colors[k],
                                 marker: markers[k], size: 5)
        }
        fig.axes.xLabel = "t-SNE 1"
        let svg = fig.svg()
        let kilobytes = Double(svg.utf8.count) / 1024
        print("25,000-point scatter: \(String(format: "%.1f", kilobytes)) KB of SVG")
        XCTAssertLessThan(svg.utf8.count, 60_000)
        let image = try RasterCheck.render(svg, name: "scatter-25k")
        XCTAssertGreaterThan(image.count(.blue), 5000)
        XCTAssertGreaterThan(image.count(.orange), 5000)
    }

    func testLongLinesAreDecimatedWithoutLosingTheirEnvelope() throws {
        var fig = Figure(width: 640, height: 400)
        let count = 200_000
        let x = (0..<count).map { Double($0) }
        let y = x.map { sin($0 / 5000) + ($0.truncatingRemainder(dividingBy: 97) == 0 ? 3 : 0) }
        try fig.axes.plot(x, y, color: .blue, width: 1)
        let svg = fig.svg()
        print("200,000-point line: \(svg.utf8.count / 1024) KB of SVG")
        XCTAssertLessThan(svg.utf8.count, 120_000)
        // The spikes (every 97th point) survive decimation: the y range reaches the top of the plot.
        let image = try RasterCheck.render(svg, name: "line-200k")
        var topRows = 0
        for yPixel in 0..<(image.height / 3) {
            topRows += image.count(.blue, region: (0..<image.width, yPixel..<yPixel + 1))
        }
        XCTAssertGreaterThan(topRows, 1000)
    }

    func testIdsDifferBetweenFigures() throws {
        var a = Figure(), b = Figure()
        try a.axes.plot([0, 1], [0, 1])
        try b.axes.plot([0, 1], [1, 0])
        func clipID(_ svg: String) -> String? {
            guard let range = svg.range(of: "clipPath id=\"") else { return nil }
            return String(svg[range.upperBound...].prefix { $0 != "\"" })
        }
        XCTAssertNotNil(clipID(a.svg()))
        XCTAssertNotEqual(clipID(a.svg()), clipID(b.svg()))
        XCTAssertEqual(a.svg(), a.svg(), "output is deterministic")
    }

    func testPanelPositionsFromUsersAreChecked() throws {
        var fig = Figure(rows: 1, columns: 2)
        try fig.updatePanel(row: 0, column: 1) { try $0.plot([0, 1], [1, 2], label: "right") }
        XCTAssertFalse(try fig.panel(row: 0, column: 1).isEmpty)
        XCTAssertTrue(fig.axes.isEmpty)
        XCTAssertThrowsError(try fig.panel(row: 1, column: 0)) { error in
            XCTAssertEqual("\(error)", "panel [1, 0] is outside the 1 x 2 grid (rows 0..<1, columns 0..<2)")
        }
        XCTAssertThrowsError(try fig.updatePanel(row: 0, column: -1) { _ in })
    }

    func testWriteReportsTheFailingPath() throws {
        let fig = Figure()
        XCTAssertThrowsError(try fig.write(to: URL(fileURLWithPath: "/nonexistent-dir/x/fig.svg"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-dir/x/fig.svg"))
        }
    }
}

/// Our PNG encoder, decoded independently (python3's zlib).
final class PNGImageTests: XCTestCase {
    func testIndexedImagesRoundTrip() throws {
        for paletteSize in [2, 3, 12, 200] {
            var random = Fixtures.Random(state: UInt64(paletteSize))
            let palette = (0..<paletteSize).map { k in Color(red: UInt8(k), green: UInt8(255 - k), blue: UInt8(k / 2)) }
            let alpha = [0] + [UInt8](repeating: 255, count: 255)
            var image = PNGImage(width: 37, height: 23, palette: palette, alpha: alpha)
            for i in image.pixels.indices {
                // Runs and noise, so both matches and literals are exercised.
                let noise = UInt8(Int(random.next() * Double(paletteSize)))
                image.pixels[i] = i % 50 < 30 ? UInt8(i / 50 % paletteSize) : noise
            }
            let decoded = try RasterCheck.decodePNG(Data(image.png()))
            XCTAssertEqual(decoded.width, 37)
            XCTAssertEqual(decoded.height, 23)
            let expected = image.pixels.flatMap { index -> [UInt8] in
                let color = palette[Int(index)]
                return [color.red, color.green, color.blue, index == 0 ? 0 : 255]
            }
            XCTAssertEqual(decoded.pixels, expected, "palette size \(paletteSize)")
        }
    }

    func testLongRunsCompress() {
        var image = PNGImage(width: 1000, height: 1000, palette: [.white, .blue])
        for i in stride(from: 0, to: image.pixels.count, by: 997) { image.pixels[i] = 1 }
        let size = image.png().count
        XCTAssertLessThan(size, 20_000, "a sparse 1000 x 1000 image compresses")
    }
}
