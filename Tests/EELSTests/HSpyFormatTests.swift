import EELS
import Foundation
import TestSupport
import XCTest

/// The HDF5 layer and HyperSpy's .hspy: round trips, several experiments, corrupt and foreign files.
final class HSpyFormatTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("hspy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func path(_ name: String) -> String { tmp.appendingPathComponent(name).path }

    func calibratedSI() -> SpectrumImage {
        var si = SpectrumImage(rows: 3, columns: 4, energy: UniformAxis(offset: 520, scale: 0.25, size: 5),
                               data: (0..<60).map { Float($0) * 1.5 - 7 }, metadata: ["title": "edge / SI",
                                                                                       "dm.dimensions": "3"])
        si.rowAxis = UniformAxis(offset: 4, scale: 1.99, size: 3, units: "nm", name: "y")
        si.columnAxis = UniformAxis(offset: -2, scale: 1.99, size: 4, units: "nm", name: "x")
        return si
    }

    func testHDF5AttributesAndDatasetsRoundTrip() throws {
        let values = (0..<(300 * 300)).map { Float($0 % 97) }   // large enough to be chunked and compressed
        do {  // closed at the end of the block
            let file = try HDF5File(creating: path("raw.h5"))
            let g = try file.root.createGroup("a")
            try g.setAttribute("s", .string("µm ok"))
            try g.setAttribute("d", .double(0.125))
            try g.setAttribute("i", .int(-7))
            try g.setAttribute("b", .bool(true))
            try g.setAttribute("s", .string("replaced"))
            try g.writeDataset("data", values: values, shape: [300, 300])
            XCTAssertThrowsError(try g.writeDataset("bad", values: [1, 2, 3], shape: [2, 2]))
        }
        let back = try HDF5File(reading: path("raw.h5"))
        let a = try XCTUnwrap(try back.root.group("a"))
        XCTAssertEqual(try a.attributes(), ["s": .string("replaced"), "d": .double(0.125), "i": .int(-7),
                                            "b": .bool(true)])
        XCTAssertNil(try a.attribute("missing"))
        XCTAssertNil(try back.root.group("nope"))
        XCTAssertEqual(try back.root.memberNames(), ["a"])
        let data = try a.readDataset("data")
        XCTAssertEqual(data.shape, [300, 300])
        XCTAssertEqual(data.dtype, "float32")
        XCTAssertEqual(data.values, values)
        XCTAssertThrowsError(try a.readDataset("nope")) { XCTAssertTrue("\($0)".contains("no dataset 'nope'"), "\($0)") }
        // The same file from memory.
        let memory = try HDF5File(bytes: try readFileBytes(path("raw.h5")), path: "memory.h5")
        XCTAssertEqual(try memory.root.group("a")?.readDataset("data").values, values)
    }

    func testSpectrumImageRoundTripKeepsDataAxesAndMetadata() throws {
        let si = calibratedSI()
        try HSpyFormat.write(si, to: path("si.hspy"))
        let back = try XCTUnwrap(try load(path("si.hspy")).spectrumImage)
        XCTAssertEqual(back.data, si.data)
        XCTAssertEqual(back.energy, si.energy)
        XCTAssertEqual(back.rowAxis, si.rowAxis)
        XCTAssertEqual(back.columnAxis, si.columnAxis)
        XCTAssertEqual(back.metadata["title"], "edge / SI")
        XCTAssertEqual(back.metadata["dm.dimensions"], "3")
        XCTAssertEqual(back.metadata["signal_type"], "EELS")
        XCTAssertEqual(back.metadata["format"], "HSpy")
        // The layout HyperSpy expects.
        let file = try HDF5File(reading: path("si.hspy"))
        XCTAssertEqual(try file.root.attribute("file_format"), .string("HyperSpy"))
        let group = try XCTUnwrap(try file.root.group("Experiments")?.group("edge - SI"))
        XCTAssertEqual(try group.group("axis-0")?.attribute("navigate"), .bool(true))
        XCTAssertEqual(try group.group("axis-2")?.attribute("navigate"), .bool(false))
        XCTAssertEqual(try group.group("axis-2")?.attribute("units"), .string("eV"))
        XCTAssertNotNil(try group.group("learning_results"))
        XCTAssertEqual(try group.group("metadata")?.group("Signal")?.attribute("signal_type"), .string("EELS"))
    }

    func testNonUniformAxesAreRefusedWithAClearError() throws {
        do {
            let file = try HDF5File(creating: path("nonuniform.hspy"))
            try file.root.setAttribute("file_format", .string("HyperSpy"))
            let e = try file.root.createGroup("Experiments").createGroup("s")
            try e.writeDataset("data", values: [1, 2, 3], shape: [3])
            let a = try e.createGroup("axis-0")
            try a.setAttribute("_type", .string("DataAxis"))
            try a.writeDataset("axis", values: [1, 2, 4], shape: [3])
        }
        XCTAssertThrowsError(try load(path("nonuniform.hspy"))) {
            XCTAssertTrue("\($0)".contains("/Experiments/s/axis-0: a non-uniform axis (DataAxis"), "\($0)")
        }
    }

    func testThousandsOfMetadataKeysInOneGroupAreKept() throws {
        var si = calibratedSI()
        for i in 0..<2000 { si.metadata["Tags.entry\(i)"] = String(repeating: "v", count: i % 50) + "\(i)" }
        try HSpyFormat.write(si, to: path("many.hspy"))
        let back = try XCTUnwrap(try load(path("many.hspy")).spectrumImage)
        for i in stride(from: 0, to: 2000, by: 7) { XCTAssertEqual(back.metadata["Tags.entry\(i)"], si.metadata["Tags.entry\(i)"]) }
    }

    func testSpectrumAndMapsRoundTrip() throws {
        let s = Spectrum(values: [3, 1, 4, 1, 5], energy: UniformAxis(offset: 360, scale: 0.2, size: 5),
                         metadata: ["title": "core loss"])
        try HSpyFormat.write(s, to: path("s.hspy"))
        let sb = try XCTUnwrap(try load(path("s.hspy")).spectrum)
        XCTAssertEqual(sb.values, s.values)
        XCTAssertEqual(sb.energy, s.energy)
        var si = calibratedSI()
        si.metadata["signal_type"] = "EELS"  // as an SI read from .hspy carries it: its maps are still Signal2D
        let maps = [si.intensityMap(), try si.channelMap(2)].enumerated().map { i, m -> Image2D in
            var m = m
            m.metadata["title"] = "map \(i)"
            return m
        }
        try HSpyFormat.write(maps, to: path("maps.hspy"))
        let all = try loadAll(path("maps.hspy"))
        XCTAssertEqual(all.count, 2)
        for (loaded, map) in zip(all, maps) {
            let image = try XCTUnwrap(loaded.image)
            XCTAssertEqual(image.data, map.data)
            XCTAssertEqual(image.rowAxis, si.rowAxis)
            XCTAssertEqual(image.columnAxis, si.columnAxis)
            XCTAssertEqual(image.metadata["title"], map.metadata["title"])
            XCTAssertNil(image.metadata["signal_type"])
        }
        XCTAssertEqual(try load(path("maps.hspy")).image?.metadata["title"], "map 0")
    }

    func testCorruptForeignAndMissingFilesGiveFileErrors() throws {
        try HSpyFormat.write(calibratedSI(), to: path("good.hspy"))
        let good = try readFileBytes(path("good.hspy"))
        func expectFileError(_ bytes: [UInt8], _ name: String, _ phrase: String, line: UInt = #line) throws {
            let p = path(name)
            try Data(bytes).write(to: URL(fileURLWithPath: p))
            XCTAssertThrowsError(try load(p), line: line) { error in
                guard case EELSError.file(let at, let detail) = error else {
                    return XCTFail("not a file error: \(error)", line: line)
                }
                XCTAssertEqual(at, p, line: line)
                XCTAssertTrue(detail.contains(phrase), "\(detail)", line: line)
            }
        }
        try expectFileError(Array(good.prefix(good.count / 3)), "truncated.hspy", "HDF5")
        try expectFileError(Array(good.prefix(200)), "header-only.hspy", "HDF5")
        var flipped = good
        for i in stride(from: 8, to: 64, by: 1) { flipped[i] ^= 0x5A }
        try expectFileError(flipped, "superblock.hspy", "HDF5")
        try expectFileError([UInt8](repeating: 7, count: 100), "noise.hspy", "HDF5")
        do {
            let foreign = try HDF5File(creating: path("foreign.h5"))
            _ = try foreign.root.createGroup("entry")
        }
        let foreignBytes = try readFileBytes(path("foreign.h5"))
        try expectFileError(foreignBytes, "foreign2.h5", "not HyperSpy's .hspy")
        XCTAssertThrowsError(try HSpyFormat.read(path: path("missing.hspy"))) {
            XCTAssertTrue("\($0)".contains("no such readable file"), "\($0)")
        }
        XCTAssertThrowsError(try HSpyFormat.write(calibratedSI(), to: path("no/such/dir/x.hspy"))) {
            XCTAssertTrue("\($0)".contains("cannot create the file"), "\($0)")
        }
        // Corrupting data bytes deep inside either still reads (HDF5 has no data checksum) or fails cleanly.
        for offset in stride(from: good.count / 2, to: good.count, by: max(1, good.count / 20)) {
            var bad = good
            bad[offset] ^= 0xFF
            try Data(bad).write(to: URL(fileURLWithPath: path("flip.hspy")))
            do { _ = try load(path("flip.hspy")) } catch let error as EELSError {
                guard case .file = error else { return XCTFail("\(error)") }
            }
        }
    }
}
