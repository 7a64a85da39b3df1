import Foundation
import XCTest
import EELS
import TestSupport

/// Every shared real and DM-conformance file read by us agrees with rosettasciio's reading (reference.json).
final class IOReferenceTests: XCTestCase {
    /// Our loaded value mapped back to the file's raw C order.
    struct RawView {
        var shape: [Int]
        var axes: [UniformAxis]
        var values: [Double]
        var dtype: String
    }

    static func rawView(_ loaded: LoadedData) -> RawView {
        switch loaded {
        case .spectrum(let s):
            return RawView(shape: [s.values.count], axes: [s.energy], values: s.values.map(Double.init),
                           dtype: s.metadata["dtype"] ?? "")
        case .image(let image):
            return RawView(shape: [image.rows, image.columns], axes: [image.rowAxis, image.columnAxis],
                           values: image.data.map(Double.init), dtype: image.metadata["dtype"] ?? "")
        case .spectrumImage(let si):
            let dtype = si.metadata["dtype"] ?? ""
            if si.columns == 1 && si.metadata["dm.dimensions"] == "2" {
                return RawView(shape: [si.rows, si.channels], axes: [si.rowAxis, si.energy],
                               values: si.data.map(Double.init), dtype: dtype)
            }
            // Ours is [rows][columns][channels]; the file's raw order is [channels][rows][columns].
            var values = [Double](repeating: 0, count: si.data.count)
            for p in 0..<si.pixelCount {
                for k in 0..<si.channels { values[k * si.pixelCount + p] = Double(si.data[p * si.channels + k]) }
            }
            return RawView(shape: [si.channels, si.rows, si.columns], axes: [si.energy, si.rowAxis, si.columnAxis],
                           values: values, dtype: dtype)
        case .raw(let array):
            return RawView(shape: array.shape, axes: array.axes, values: array.values, dtype: array.dtype)
        }
    }

    static func family(ofNumpy dtype: String) -> String {
        if dtype.hasPrefix("[(") || dtype == "rgba" { return "rgba" }
        if dtype.hasPrefix("uint") { return "uint" }
        if dtype.hasPrefix("int") { return "int" }
        if dtype.hasPrefix("float") { return "float" }
        if dtype.hasPrefix("complex") { return "complex" }
        return dtype
    }

    func checkFolder(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let referenceURL = try SharedData.url("data/\(folder)/reference.json")
        let reference = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: referenceURL)) as? [String: [String: Any]])
        XCTAssertFalse(reference.isEmpty)
        for (name, expected) in reference.sorted(by: { $0.key < $1.key }) {
            let path = referenceURL.deletingLastPathComponent().appendingPathComponent(name).path
            let loaded = try load(path)
            let view = Self.rawView(loaded)
            let context = "\(folder)/\(name)"
            XCTAssertEqual(view.shape, expected["shape"] as? [Int], context, file: file, line: line)
            let dtype = expected["dtype"] as? String ?? ""
            if !view.dtype.isEmpty || loaded.raw != nil {
                XCTAssertEqual(Self.family(ofNumpy: view.dtype), Self.family(ofNumpy: dtype), context,
                               file: file, line: line)
            }
            let axes = expected["axes"] as? [[String: Any]] ?? []
            XCTAssertEqual(view.axes.count, axes.count, context, file: file, line: line)
            for (ours, theirs) in zip(view.axes, axes) {
                XCTAssertEqual(ours.offset, theirs["offset"] as? Double ?? .nan, accuracy: 1e-9, context,
                               file: file, line: line)
                XCTAssertEqual(ours.scale, theirs["scale"] as? Double ?? .nan, accuracy: 1e-12, context,
                               file: file, line: line)
                XCTAssertEqual(ours.units, theirs["units"] as? String, context, file: file, line: line)
                XCTAssertEqual(ours.size, theirs["size"] as? Int, context, file: file, line: line)
            }
            let sum = view.values.reduce(0, +)
            let expectedSum = expected["sum"] as? Double ?? .nan
            XCTAssertEqual(sum, expectedSum, accuracy: 1e-6 * max(1, abs(expectedSum)), context, file: file, line: line)
            XCTAssertEqual(view.values.min() ?? .nan, expected["min"] as? Double ?? .nan, context, file: file, line: line)
            XCTAssertEqual(view.values.max() ?? .nan, expected["max"] as? Double ?? .nan, context, file: file, line: line)
            let first = expected["first"] as? [Double] ?? []
            XCTAssertEqual(Array(view.values.prefix(first.count)), first, context, file: file, line: line)
        }
    }

    func testRealFilesMatchRosettasciio() throws { try checkFolder("real") }
    func testDM3OneDimensional() throws { try checkFolder("dm-types/dm3_1D") }
    func testDM3TwoDimensional() throws { try checkFolder("dm-types/dm3_2D") }
    func testDM3ThreeDimensional() throws { try checkFolder("dm-types/dm3_3D") }
    func testDM4OneDimensional() throws { try checkFolder("dm-types/dm4_1D") }
    func testDM4TwoDimensional() throws { try checkFolder("dm-types/dm4_2D") }
    func testDM4ThreeDimensional() throws { try checkFolder("dm-types/dm4_3D") }

    func testSpectrumImageMeanShowsOxygenKEdgeNear530eV() throws {
        let url = try SharedData.url("data/real/EELS_SI.dm4")
        let si = try XCTUnwrap(try load(url.path).spectrumImage)
        XCTAssertEqual([si.rows, si.columns, si.channels], [2, 2, 2048])
        XCTAssertEqual(si.rowAxis.units, "µm")
        let mean = si.meanSpectrum()
        // The O K edge: the largest rise of the (5 eV smoothed) mean spectrum between 480 and 600 eV.
        let v = mean.values.map(Double.init)
        func smooth(_ i: Int) -> Double { (i - 2...i + 2).map { v[$0] }.reduce(0, +) / 5 }
        let lo = mean.energy.index(of: 480), hi = mean.energy.index(of: 600)
        let jump = (lo..<hi).max { smooth($0 + 5) - smooth($0) < smooth($1 + 5) - smooth($1) }!
        let edge = mean.energy.value(at: jump + 3)
        XCTAssertEqual(edge, 530, accuracy: 8, "largest rise at \(edge) eV")
        XCTAssertEqual(si.metadata["title"], "EELS_SI")
        XCTAssertNotNil(si.metadata.keys.first { $0.hasPrefix("ImageList.1.ImageTags") })
    }
}
