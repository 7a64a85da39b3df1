import EELS
import Foundation
import XCTest

/// Spatial calibration survives every operation, and pixel-range slicing shifts offsets.
final class AxisPropagationTests: XCTestCase {
    let y = UniformAxis(offset: 10, scale: 1.99, size: 4, units: "nm", name: "y")
    let x = UniformAxis(offset: -3, scale: 2.5, size: 8, units: "nm", name: "x")

    /// A power law plus a little structure, so background fits succeed.
    static func count(_ i: Int) -> Float {
        let e = Double(490 + i % 60)
        let background: Double = 1e6 / (e * e)
        return Float(background) + Float(i % 7)
    }

    func si() -> SpectrumImage {
        var si = SpectrumImage(rows: 4, columns: 8, energy: UniformAxis(offset: 490, scale: 1, size: 60),
                               data: (0..<(4 * 8 * 60)).map(AxisPropagationTests.count))
        si.rowAxis = y
        si.columnAxis = x
        return si
    }

    func testOperationsKeepTheSpatialAxes() throws {
        let s = si()
        let same: [(String, SpectrumImage)] = [
            ("crop", try s.crop(500...540)),
            ("rebin energy", try s.rebin(energy: 2)),
            ("blockMean", try s.blockMean(rows: 2, columns: 4)),
            ("removeBackground", try s.subtractingBackground(try s.fitBackground(.powerLaw, in: 495...520))),
            ("noise", s.addingPoissonNoise(seed: 1)),
            ("normalised", s.normalizedMinMax()),
        ]
        for (name, out) in same {
            XCTAssertEqual(out.rowAxis, y, name)
            XCTAssertEqual(out.columnAxis, x, name)
        }
        let binned = try s.rebin(pixels: [2, 4])
        XCTAssertEqual(binned.rowAxis, UniformAxis(offset: 10 + 1.99 / 2, scale: 3.98, size: 2, units: "nm", name: "y"))
        XCTAssertEqual(binned.columnAxis.scale, 10)
        XCTAssertEqual(binned.columnAxis.offset, -3 + 1.5 * 2.5, accuracy: 1e-12)
        let slower = try s.simulateFrameRate(combining: 4, perFrame: true)
        XCTAssertEqual(slower.rowAxis, y)
        XCTAssertEqual(slower.columnAxis.scale, 10)
        XCTAssertEqual(slower.columnAxis.size, 2)
        XCTAssertEqual(s.intensityMap().rowAxis, y)
        XCTAssertEqual(try s.channelMap(3).columnAxis, x)
        let fits = try fitGaussians(s, peaks: [520], window: 500...540)
        for image in fits.images {
            XCTAssertEqual(image.rowAxis, y)
            XCTAssertEqual(image.columnAxis, x)
        }
        XCTAssertEqual(fits.images.count, fits.parameterNames.count + 1)
    }

    func testSlicingTakesThePixelsAndShiftsOffsets() throws {
        let s = si()
        let sub = try s.slice(rows: 1..<3, columns: 2..<5)
        XCTAssertEqual(sub.rows, 2)
        XCTAssertEqual(sub.columns, 3)
        for r in 0..<2 { for c in 0..<3 { XCTAssertEqual(sub[r, c].values, s[r + 1, c + 2].values) } }
        XCTAssertEqual(sub.rowAxis.offset, 10 + 1.99, accuracy: 1e-12)
        XCTAssertEqual(sub.rowAxis.size, 2)
        XCTAssertEqual(sub.rowAxis.scale, 1.99)
        XCTAssertEqual(sub.columnAxis.offset, -3 + 2 * 2.5, accuracy: 1e-12)
        XCTAssertEqual(sub.columnAxis.units, "nm")
        XCTAssertEqual(sub.energy, s.energy)
        let image = try s.intensityMap().slice(rows: 3..<4, columns: 0..<8)
        XCTAssertEqual(image.data, Array(s.intensityMap().data[24..<32]))
        XCTAssertEqual(image.rowAxis.offset, 10 + 3 * 1.99, accuracy: 1e-12)
        for (rows, columns) in [(0..<5, 0..<1), (2..<2, 0..<1), (0..<1, 7..<9), (-1..<1, 0..<1)] {
            XCTAssertThrowsError(try s.slice(rows: rows, columns: columns), "\(rows) \(columns)")
        }
        XCTAssertThrowsError(try s.channelMap(60))
    }
}
