import SVGPlot
import XCTest

/// Every plot type rendered to PNG by rsvg-convert: the SVG parses, and the picture has its colours.
final class PlotTypeRenderingTests: XCTestCase {
    /// Asserts that the SVG parses, renders non-blank, and shows each of `colors` on at least `minimum` pixels.
    @discardableResult
    func check(_ figure: Figure, name: String, colors: [Color], minimum: Int = 30,
               file: StaticString = #filePath, line: UInt = #line) throws -> RGBAImage {
        let svg = figure.svg()
        XMLCheck.parse(svg, file: file, line: line)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), file: file, line: line)
        XCTAssertTrue(svg.contains("viewBox=\"0 0 "), file: file, line: line)
        let image = try RasterCheck.render(svg, name: name)
        XCTAssertEqual(image.width, Int(figure.width), file: file, line: line)
        XCTAssertEqual(image.height, Int(figure.height), file: file, line: line)
        XCTAssertGreaterThan(image.inkedPixels, image.width * image.height / 40, "\(name) looks blank",
                             file: file, line: line)
        for color in colors {
            XCTAssertGreaterThanOrEqual(image.count(color), minimum, "\(name): \(color.hex) missing",
                                        file: file, line: line)
        }
        return image
    }

    func testLinePlotWithLegendAndLabels() throws {
        var fig = Figure(width: 640, height: 400, title: "Pixel (4, 319) at 400 FPS")
        try fig.axes.plot(Fixtures.energy, Fixtures.spectrum(noise: 1.5, seed: 3), label: "0.7 MFP initial",
                          color: .blue, width: 1)
        try fig.axes.plot(Fixtures.energy, Fixtures.spectrum(prePeak: 529, height: 2), label: "1 FPS ground truth",
                          color: .orange, width: 2, style: .dashed)
        fig.axes.xLabel = "Energy loss (eV)"
        fig.axes.yLabel = "Intensity (a.u.)"
        let svg = fig.svg()
        let texts = XMLCheck.parse(svg).texts
        for expected in ["Energy loss (eV)", "Intensity (a.u.)", "520", "580", "0.7 MFP initial"] {
            XCTAssertTrue(texts.contains(expected), "missing text \(expected)")
        }
        try check(fig, name: "line", colors: [.blue, .orange])
    }

    func testMeanAndStandardDeviationBands() throws {
        var fig = Figure(width: 640, height: 400)
        let colors: [Color] = [.blue, .green, .orange, .red]
        for (k, color) in colors.enumerated() {
            let mean = Fixtures.spectrum(prePeak: 527.5 + Double(k) * 0.5, height: 4 - Double(k))
                .map { $0 + Double(k) * 1.5 }
            let std = mean.map { 0.25 + 0.05 * $0 }
            try fig.axes.plot(Fixtures.energy, mean: mean, std: std, label: "SI \(k + 1)", color: color)
            try fig.axes.plot(Fixtures.energy, mean, color: .gray, width: 1, style: .dashed)
        }
        fig.axes.xLabel = "Energy loss (eV)"
        let svg = fig.svg()
        XCTAssertTrue(svg.contains("fill-opacity=\"0.25\""), "bands are translucent")
        let image = try check(fig, name: "bands", colors: colors)
        // The band is the colour mixed with white at 25 %: a light blue must be present.
        XCTAssertGreaterThan(image.count(Color.blue.mixed(with: .white, 0.75), tolerance: 18), 200)
    }

    func testScatterWithMarkersAndColoursByCategory() throws {
        var fig = Figure(width: 560, height: 420)
        let clusters = Fixtures.clusters(perCluster: 150)
        let styles: [(String, Color, Marker)] = [("initial, thin", .blue, .cross), ("initial, thick", .blue, .circle),
                                                 ("annealed, thin", .orange, .cross),
                                                 ("annealed, thick", .orange, .circle)]
        for (cluster, style) in zip(clusters, styles) {
            try fig.axes.scatter(cluster.x, cluster.y, label: style.0, color: style.1, marker: style.2, size: 6)
        }
        fig.axes.xLabel = "t-SNE 1"
        fig.axes.yLabel = "t-SNE 2"
        fig.axes.legend = .hidden
        XCTAssertFalse(fig.svg().contains("<image"), "600 points are drawn as vectors")
        let image = try check(fig, name: "scatter", colors: [.blue, .orange])
        // Each cluster in its own quadrant: blue on the bottom half (y = -20), orange on top.
        let half = image.height / 2
        XCTAssertGreaterThan(image.count(.blue, region: (0..<image.width, half..<image.height)), 300)
        XCTAssertLessThan(image.count(.blue, region: (0..<image.width, 0..<half)), 20)
    }

    func testEveryMarkerShapeRenders() throws {
        for marker in Marker.allCases {
            var fig = Figure(width: 200, height: 160)
            try fig.axes.scatter([0, 1, 2, 3], [0, 1, 0, 1], color: .purple, marker: marker, size: 10)
            let image = try check(fig, name: "marker-\(marker)", colors: [.purple], minimum: 20)
            // The four points sit in the four quarters of the width: each must be drawn.
            let quarter = image.width / 4
            for k in 0..<4 {
                let strip = (x: k * quarter..<(k + 1) * quarter, y: 0..<image.height)
                XCTAssertGreaterThan(image.count(.purple, region: strip), 5,
                                     "\(marker) point \(k) missing")
            }
        }
    }

    func testGroupedBars() throws {
        var fig = Figure(width: 640, height: 360)
        let categories = ["thin initial", "thick initial", "thin annealed", "thick annealed"]
        try fig.axes.bar(categories, [0.021, 0.034, 0.025, 0.041], label: "PCA 3", color: .blue)
        try fig.axes.bar(categories, [0.030, 0.045, 0.033, 0.052], label: "PCA 5", color: .orange)
        try fig.axes.bar(categories, [0.024, 0.031, 0.028, 0.029], errors: [0.002, 0.003, 0.002, 0.004],
                         label: "AEC", color: .green)
        fig.axes.yLabel = "MSE (a.u.)"
        let texts = XMLCheck.parse(fig.svg()).texts
        XCTAssertTrue(categories.allSatisfy(texts.contains), "category names label the x axis")
        try check(fig, name: "bars", colors: [.blue, .orange, .green], minimum: 500)
    }

    func testHeatmapWithColorbar() throws {
        var fig = Figure(width: 700, height: 260)
        let rows = 10, columns = 120
        var values = [Double](repeating: 0, count: rows * columns)
        for r in 0..<rows { for c in 0..<columns { values[r * columns + c] = Double(c) / Double(columns - 1) } }
        values[5] = .nan
        try fig.axes.heatmap(values, rows: rows, columns: columns, colorbarLabel: "Pre-peak height (a.u.)")
        fig.axes.xLabel = "Pixel"
        let texts = XMLCheck.parse(fig.svg()).texts
        XCTAssertTrue(texts.contains("Pre-peak height (a.u.)"))
        // Both ends of viridis appear, in the map and the colour bar.
        let image = try check(fig, name: "heatmap", colors: [try Color(hex: "#440154"), try Color(hex: "#fde725")],
                              minimum: 100)
        // The map's left third is dark purple-blue, the right third yellow-green.
        let third = image.width / 3
        let purple = try Color(hex: "#440154")
        XCTAssertGreaterThan(image.count(purple, tolerance: 40, region: (0..<third, 0..<image.height)), 100)
        XCTAssertEqual(image.count(try Color(hex: "#440154"), tolerance: 20,
                                   region: (2 * third..<image.width - 90, 0..<image.height)), 0)
    }

    func testReferenceLinesAndAnnotations() throws {
        var fig = Figure(width: 500, height: 320)
        try fig.axes.plot(Fixtures.energy, Fixtures.spectrum(), color: .blue)
        fig.axes.verticalLine(at: 528, color: .red, style: .solid, label: "pre-peak")
        fig.axes.horizontalLine(at: 2, color: .green, width: 2)
        fig.axes.text("O K-edge", x: 545, y: 9, anchor: .middle, color: .purple, size: 14)
        let texts = XMLCheck.parse(fig.svg()).texts
        XCTAssertTrue(texts.contains("O K-edge"))
        try check(fig, name: "reference", colors: [.blue, .red, .green, .purple], minimum: 20)
    }

    func testSmallMultiplesPutEachPanelInItsCell() throws {
        var fig = Figure(width: 800, height: 500, rows: 2, columns: 2, sharedX: true, sharedY: true,
                         title: "Small multiples")
        let colors: [Color] = [.blue, .orange, .green, .red]
        for (k, color) in colors.enumerated() {
            try fig[k / 2, k % 2].plot(Fixtures.energy, Fixtures.spectrum(prePeak: 527 + Double(k)), color: color,
                                       width: 2)
            fig[k / 2, k % 2].title = "Panel \(k + 1)"
            fig[k / 2, k % 2].panelLabel = ["A", "B", "C", "D"][k]
        }
        fig[1, 0].xLabel = "Energy loss (eV)"
        let image = try check(fig, name: "grid", colors: colors, minimum: 200)
        let (w, h) = (image.width / 2, image.height / 2)
        for (k, color) in colors.enumerated() {
            let region = (x: (k % 2) * w..<(k % 2 + 1) * w, y: (k / 2) * h..<(k / 2 + 1) * h)
            XCTAssertGreaterThan(image.count(color, region: region), 200, "panel \(k) colour in its cell")
            XCTAssertEqual(image.count(color, region: (x: ((k % 2) ^ 1) * w..<(((k % 2) ^ 1) + 1) * w, y: region.y)),
                           0, "panel \(k) colour leaks into its neighbour")
        }
        // Shared x: only the bottom row carries tick labels, so "520" appears twice (bottom row), not four times.
        XCTAssertEqual(XMLCheck.parse(fig.svg()).texts.filter { $0 == "520" }.count, 2)
    }

    func testLogAxisWithMarkedLines() throws {
        var fig = Figure(width: 520, height: 360)
        let frameRates = [25.0, 100, 200, 400]
        try fig.axes.plot(frameRates, [0.004, 0.011, 0.019, 0.034], label: "raw", color: .red, marker: .circle)
        try fig.axes.plot(frameRates, [0.002, 0.003, 0.004, 0.006], label: "AEC", color: .blue, marker: .square)
        try fig.axes.plot([0, -1], [0.01, 0.02], color: .green)  // non-positive x: skipped on the log axis
        fig.axes.xScale = .log
        fig.axes.yScale = .log
        fig.axes.xLabel = "Frame rate (FPS)"
        fig.axes.yLabel = "MSE"
        let texts = XMLCheck.parse(fig.svg()).texts
        for label in ["30", "50", "100", "200", "300", "0.002", "0.01"] {
            XCTAssertTrue(texts.contains(label), "tick \(label)")
        }
        let image = try check(fig, name: "log-axes", colors: [.red, .blue], minimum: 100)
        XCTAssertEqual(image.count(.green), 0, "points at x <= 0 are not drawn on a log axis")
    }
}
