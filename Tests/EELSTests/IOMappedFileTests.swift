import Foundation
import XCTest
import EELS
import TestSupport

/// Files are memory-mapped and spectrum images decoded straight from the mapping into rows x columns x channels.
final class IOMappedFileTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("eels-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func testMappedBytesEqualTheFile() throws {
        let path = try SharedData.url("data/real/EELS_SI.dm4").path
        let mapped = try FileBytes(mapping: path)
        let read = try readFileBytes(path)
        XCTAssertEqual(mapped.count, read.count)
        XCTAssertEqual(mapped.array, read)
        XCTAssertEqual(Array(mapped[100..<108]), Array(read[100..<108]))
        XCTAssertEqual(FileBytes(read).array, read)

        let empty = tmp.appendingPathComponent("empty.dm4")
        try Data().write(to: empty)
        XCTAssertEqual(try FileBytes(mapping: empty.path).count, 0)
        XCTAssertThrowsError(try load(empty.path)) { XCTAssertTrue("\($0)".contains("empty")) }
        XCTAssertThrowsError(try FileBytes(mapping: tmp.path)) { XCTAssertTrue("\($0)".contains("directory")) }
    }

    /// A 7 x 11 x 300 SI (energy slowest in the file, at an odd data offset) spans several transposed strips;
    /// every value must land at its pixel and channel, mapped or in memory.
    func testEveryValueOfASpectrumImageLandsInPlace() throws {
        let file = try DMFile(path: try SharedData.url("data/real/EELS_SI.dm4").path)
        let rows = 7, columns = 11, channels = 300
        var raw = [Float](repeating: 0, count: rows * columns * channels)
        for k in 0..<channels { for p in 0..<(rows * columns) { raw[k * rows * columns + p] = Float(p * 1000 + k) } }
        let prefix = "ImageList.\(file.images[0].listIndex).ImageData"
        let bytes = file.tree.serialized(replacing: [
            "\(prefix).Data": .floats(raw),
            "\(prefix).Dimensions.0": .int32(Int32(columns)),
            "\(prefix).Dimensions.1": .int32(Int32(rows)),
            "\(prefix).Dimensions.2": .int32(Int32(channels)),
        ])
        let url = tmp.appendingPathComponent("si.dm4")
        try Data(bytes).write(to: url)
        let mapped = try XCTUnwrap(try load(url.path).spectrumImage)
        let inMemory = try XCTUnwrap(try DMFile(bytes: bytes, path: "si.dm4").load().spectrumImage)
        XCTAssertEqual([mapped.rows, mapped.columns, mapped.channels], [rows, columns, channels])
        var misplaced = 0
        for r in 0..<rows {
            for c in 0..<columns {
                let spectrum = mapped[r, c].values
                for k in 0..<channels where spectrum[k] != Float((r * columns + c) * 1000 + k) { misplaced += 1 }
            }
        }
        XCTAssertEqual(misplaced, 0)
        XCTAssertEqual(mapped.data, inMemory.data)
        // The reader must cope with a payload at any byte offset, not only 4-byte aligned ones.
        let image = try DMFile(bytes: bytes, path: "si.dm4").images[0]
        XCTAssertEqual(try image.channelsLastValues(in: FileBytes(bytes)), mapped.data)
        print("data offset mod 4 = \(image.dataOffset % 4)")
    }
}
