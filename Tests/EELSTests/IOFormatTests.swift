import Foundation
import XCTest
import EELS
import TestSupport

/// Writers round-trip; text formats parse; content detection ignores misleading extensions.
final class IOFormatTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("eels-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func testMSARoundTrip() throws {
        let s = Spectrum(values: [1.5, 2, -3, 4e5], energy: UniformAxis(offset: 520, scale: 0.25, size: 4))
        let path = tmp.appendingPathComponent("s.msa").path
        try MSAFormat.write(s, to: path, title: "test")
        let back = try XCTUnwrap(try load(path).spectrum)
        XCTAssertEqual(back.values, s.values)
        XCTAssertEqual(back.energy.offset, 520)
        XCTAssertEqual(back.energy.scale, 0.25)
        XCTAssertEqual(back.metadata["title"], "test")
    }

    func testMSAXYAndErrors() throws {
        let xy = "#FORMAT : EMSA/MAS\n#NPOINTS : 3\n#DATATYPE : XY\n#SPECTRUM :\n10, 1\n10.5, 2\n11, 3\n#ENDOFDATA :\n"
        let s = try MSAFormat.read(bytes: Array(xy.utf8), path: "xy.msa")
        XCTAssertEqual(s.values, [1, 2, 3])
        XCTAssertEqual(s.energy.offset, 10)
        XCTAssertEqual(s.energy.scale, 0.5)
        let bad = "#FORMAT : EMSA/MAS\n#NPOINTS : 3\n#SPECTRUM :\n1\nabc\n"
        XCTAssertThrowsError(try MSAFormat.read(bytes: Array(bad.utf8), path: "bad.msa")) { error in
            XCTAssertTrue("\(error)".contains("line 5"), "\(error)")
        }
        let short = "#FORMAT : EMSA/MAS\n#NPOINTS : 3\n#SPECTRUM :\n1\n2\n"
        XCTAssertThrowsError(try MSAFormat.read(bytes: Array(short.utf8), path: "short.msa"))
    }

    func testTwoColumnTextReadsEELSDBExport() throws {
        let url = try SharedData.url("data/real/La2NiO4_eels.txt")
        let s = try XCTUnwrap(try load(url.path).spectrum)
        XCTAssertEqual(s.values.count, 2043)
        XCTAssertEqual(s.energy.offset, 424)
        XCTAssertEqual(s.energy.scale, 0.25, accuracy: 1e-9)
        XCTAssertEqual(s.values[0], 1972253.5)
        XCTAssertEqual(s.values.last, 593494.88)
        let uneven = "1 5\n2 6\n4 7\n"
        XCTAssertThrowsError(try TwoColumnText.read(bytes: Array(uneven.utf8), path: "u.txt"))
    }

    func testTextTableColumnsAndHeaderTitle() throws {
        let table = "# a comment\nenergy,first,second\n520,1,10\n520.25,2,20\n520.5,3,30\n"
        let second = try TwoColumnText.read(bytes: Array(table.utf8), path: "t.csv", column: 2)
        XCTAssertEqual(second.values, [10, 20, 30])
        XCTAssertEqual(second.metadata["title"], "second")
        XCTAssertEqual(second.energy.scale, 0.25, accuracy: 1e-12)
        XCTAssertEqual(try TwoColumnText.read(bytes: Array(table.utf8), path: "t.csv").values, [1, 2, 3])
        XCTAssertThrowsError(try TwoColumnText.read(bytes: Array(table.utf8), path: "t.csv", column: 3)) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
        XCTAssertThrowsError(try TwoColumnText.read(bytes: Array(table.utf8), path: "t.csv", column: 0))
        let msa = try SharedData.url("data/real/coreloss_spectrum.msa")
        XCTAssertThrowsError(try load(msa.path, column: 2)) { error in
            XCTAssertTrue("\(error)".contains("columns apply to text tables"), "\(error)")
        }
    }

    func testNPYRoundTripWithSidecar() throws {
        var si = SpectrumImage(rows: 2, columns: 3, energy: UniformAxis(offset: 520, scale: 0.25, size: 4),
                               data: (0..<24).map(Float.init))
        si.rowAxis = UniformAxis(offset: 0, scale: 0.94, size: 2, units: "nm", name: "y")
        let path = tmp.appendingPathComponent("si.npy").path
        try NPYFormat.write(si, to: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("si.json").path))
        let back = try XCTUnwrap(try load(path).spectrumImage)
        XCTAssertEqual(back.data, si.data)
        XCTAssertEqual(back.energy, si.energy)
        XCTAssertEqual(back.rowAxis, si.rowAxis)
        // Spectrum and image too.
        let s = Spectrum(values: [1, 2, 3], energy: UniformAxis(offset: 5, scale: 2, size: 3))
        let sp = tmp.appendingPathComponent("s.npy").path
        try NPYFormat.write(s, to: sp)
        XCTAssertEqual(try load(sp).spectrum?.energy, s.energy)
        let image = Image2D(rows: 2, columns: 2, data: [1, 2, 3, 4])
        let ip = tmp.appendingPathComponent("i.npy").path
        try NPYFormat.write(image, to: ip)
        XCTAssertEqual(try load(ip).image?.data, [1, 2, 3, 4])
    }

    func testNPYHeaderParsingOfOtherDtypesAndFortranOrder() throws {
        func npy(_ header: String, _ payload: [UInt8]) -> [UInt8] {
            var h = header
            while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
            h += "\n"
            let n = h.utf8.count
            return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(h.utf8) + payload
        }
        // int16 big-endian, Fortran order 2 x 3: memory holds columns [0 3] [1 4] [2 5].
        let values: [Int16] = [0, 3, 1, 4, 2, 5]
        let payload = values.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
        let bytes = npy("{'descr': '>i2', 'fortran_order': True, 'shape': (2, 3), }", payload)
        let image = try XCTUnwrap(try load(bytes: bytes, format: .npy, path: "f.npy").image)
        XCTAssertEqual(image.data, [0, 1, 2, 3, 4, 5])
        let truncated = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }", [0, 0, 0])
        XCTAssertThrowsError(try load(bytes: truncated, format: .npy, path: "t.npy")) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        let complex = npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 128, 63, 0, 0, 0, 64])
        let raw = try XCTUnwrap(try load(bytes: complex, format: .npy, path: "c.npy").raw)
        XCTAssertEqual(raw.values, [1, 2])
        XCTAssertEqual(raw.family, .complex)
    }

    func testContentDetectionIgnoresExtension() throws {
        let dm = try SharedData.url("data/dm-types/dm4_1D/test-2.dm4")
        let renamed = tmp.appendingPathComponent("spectrum.msa")
        try FileManager.default.copyItem(at: dm, to: renamed)
        XCTAssertNotNil(try load(renamed.path).spectrum)
        XCTAssertEqual(FileFormat.detect(bytes: try readFileBytes(renamed.path), path: renamed.path), .dm4)
        let junk = tmp.appendingPathComponent("junk.bin")
        try Data([0xFF, 0x00, 0x01, 0x02, 0x03]).write(to: junk)
        XCTAssertThrowsError(try load(junk.path)) { XCTAssertTrue("\($0)".contains("unrecognised format")) }
        XCTAssertThrowsError(try load(tmp.appendingPathComponent("missing.dm3").path)) {
            XCTAssertTrue("\($0)".contains("cannot open"))
        }
    }

    func testDMWriterRoundTripsAndReplacesData() throws {
        for name in ["data/real/EELS_SI.dm4", "data/real/test-EELS_spectrum.dm3"] {
            let url = try SharedData.url(name)
            let original = try DMFile(path: url.path)
            let copy = try DMFile(bytes: original.tree.serialized(), path: "copy")
            XCTAssertEqual(copy.flattenedTags, original.flattenedTags, name)
        }
        // A 3 x 5 x 2048 SI with EELS_SI.dm4's tags: energy slowest, as DigitalMicrograph stores it.
        let file = try DMFile(path: try SharedData.url("data/real/EELS_SI.dm4").path)
        let rows = 3, columns = 5, channels = 2048
        var raw = [Float](repeating: 0, count: rows * columns * channels)
        for k in 0..<channels { for p in 0..<(rows * columns) { raw[k * rows * columns + p] = Float(p * 10_000 + k) } }
        let prefix = "ImageList.\(file.images[0].listIndex).ImageData"
        let bytes = file.tree.serialized(replacing: [
            "\(prefix).Data": .floats(raw),
            "\(prefix).Dimensions.0": .int32(Int32(columns)),
            "\(prefix).Dimensions.1": .int32(Int32(rows)),
        ])
        let si = try XCTUnwrap(try DMFile(bytes: bytes, path: "big.dm4").load().spectrumImage)
        XCTAssertEqual([si.rows, si.columns, si.channels], [3, 5, 2048])
        XCTAssertEqual(si[2, 4].values[7], Float(14 * 10_000 + 7))
        XCTAssertEqual(si.energy.offset, 300)
    }
}
