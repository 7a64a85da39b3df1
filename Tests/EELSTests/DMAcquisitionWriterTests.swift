import Foundation
import XCTest
import EELS

/// DM3/DM4 files written from scratch (DMWriter) read back by our own reader with identical data and calibration,
/// and the Mn experiment folder on disk.
final class DMAcquisitionWriterTests: XCTestCase {
    private var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("eels-dmw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    /// A small SI with distinct values everywhere and calibrated axes.
    private func sampleSI(rows: Int, columns: Int, channels: Int) -> SpectrumImage {
        let energy = UniformAxis(offset: 590, scale: 0.2, size: channels)
        let data = (0..<(rows * columns * channels)).map { Float($0 % 977) * 0.5 + Float($0 / 977) }
        var si = SpectrumImage(rows: rows, columns: columns, energy: energy, data: data)
        si.rowAxis = UniformAxis(offset: 0, scale: 2.5, size: rows, units: "nm", name: "y")
        si.columnAxis = UniformAxis(offset: 10, scale: 2.5, size: columns, units: "nm", name: "x")
        return si
    }

    private func assertSameAxis(_ a: UniformAxis, _ b: UniformAxis, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.size, b.size, file: file, line: line)
        XCTAssertEqual(a.units, b.units, file: file, line: line)
        XCTAssertEqual(a.name, b.name, file: file, line: line)
        // Origin and Scale are float32 in DM files, as DigitalMicrograph writes them.
        XCTAssertEqual(a.scale, b.scale, accuracy: Swift.abs(b.scale) * 1e-7, file: file, line: line)
        XCTAssertEqual(a.offset, b.offset, accuracy: Swift.max(Swift.abs(b.offset), 1) * 1e-6, file: file, line: line)
    }

    func testSpectrumImageRoundTripsThroughDM4AndDM3() throws {
        for (version, shape) in [(4, (3, 5, 64)), (3, (7, 2, 33)), (4, (1, 9, 16))] {
            let si = sampleSI(rows: shape.0, columns: shape.1, channels: shape.2)
            let path = tmp.appendingPathComponent("si.dm\(version)").path
            var tags = DMAcquisitionTags()
            tags.extra = ["Simulated class": "Mn3+"]
            try DMWriter.write(si, to: path, version: version, title: "mn3_02", tags: tags)
            let loaded = try load(path)
            let back = try XCTUnwrap(loaded.spectrumImage, "loaded as \(loaded.kind)")
            XCTAssertEqual(back.rows, si.rows)
            XCTAssertEqual(back.columns, si.columns)
            XCTAssertEqual(back.data, si.data, "DM\(version) \(shape)")
            assertSameAxis(back.energy, si.energy)
            assertSameAxis(back.rowAxis, si.rowAxis)
            assertSameAxis(back.columnAxis, si.columnAxis)
            XCTAssertEqual(back.metadata["title"], "mn3_02")
            XCTAssertEqual(back.metadata["format"], "DM\(version)")
            XCTAssertEqual(back.metadata["ImageList.0.ImageTags.RapidEELS.Simulated class"], "Mn3+")
            XCTAssertEqual(back.metadata["ImageList.0.ImageTags.Meta Data.Signal"], "EELS")
            XCTAssertEqual(back.metadata["ImageList.0.ImageTags.EELS.Experimental Conditions.Collection semi-angle (mrad)"],
                           "24.0")
            XCTAssertEqual(back.metadata["ImageList.0.ImageTags.EELS.Acquisition.Exposure (s)"], "0.0025")
            XCTAssertEqual(back.metadata["ImageList.0.ImageTags.EELS Spectrometer.Dispersion (eV/ch)"], "0.2")
        }
    }

    func testFileLayoutIsDigitalMicrographs() throws {
        let si = sampleSI(rows: 2, columns: 3, channels: 4)
        let bytes = DMWriter.bytes(si)
        XCTAssertEqual(Array(bytes.prefix(4)), [0, 0, 0, 4], "DM4 magic")
        let file = try DMFile(bytes: bytes, path: "mem.dm4")
        XCTAssertEqual(file.images.count, 1, "one image, no thumbnail")
        let image = file.images[0]
        XCTAssertEqual(image.dimensions, [3, 2, 4], "x, y, energy: DigitalMicrograph lists the fastest axis first")
        XCTAssertEqual(image.dataType, .float32)
        XCTAssertEqual(image.format, "Spectrum image")
        XCTAssertEqual(image.signal, "EELS")
        XCTAssertEqual(image.axes.map(\.units), ["eV", "nm", "nm"])
        // Energy is the slowest stored axis: the first 6 stored values are channel 0 of every pixel.
        let stored = try image.floatValues(in: file.tree.bytes)
        XCTAssertEqual(Array(stored.prefix(6)), (0..<6).map { si.data[$0 * 4] })
        // Origin is stored in channels: offset 590 eV at 0.2 eV/ch is origin -2950.
        let origin = file.tree.root.tag(at: "ImageList.0.ImageData.Calibrations.Dimension.2.Origin")?.data?
            .value(in: file.tree.bytes).number
        XCTAssertEqual(try XCTUnwrap(origin), -2950, accuracy: 1e-3)
        // The root length in the header matches the serializer's own files.
        let reparsed = try DMTagTree.parse(bytes: bytes, path: "mem.dm4")
        XCTAssertEqual(reparsed.serialized(), bytes, "re-serialising the parsed tree gives the same bytes")
    }

    func testSpectrumAndImageRoundTrip() throws {
        let spectrum = Spectrum(values: (0..<50).map { Float($0) * 1.5 }, energy: UniformAxis(offset: 600, scale: 0.1, size: 50))
        let path = tmp.appendingPathComponent("dark.dm4").path
        try DMWriter.write(spectrum, to: path, title: "dark reference")
        let back = try XCTUnwrap(load(path).spectrum)
        XCTAssertEqual(back.values, spectrum.values)
        assertSameAxis(back.energy, spectrum.energy)
        let image = Image2D(rows: 3, columns: 4, data: (0..<12).map(Float.init),
                            rowAxis: UniformAxis(offset: 0, scale: 1.5, size: 3, units: "nm", name: "y"),
                            columnAxis: UniformAxis(offset: 0, scale: 1.5, size: 4, units: "nm", name: "x"))
        let imagePath = tmp.appendingPathComponent("haadf.dm3").path
        try DMWriter.write(image, to: imagePath, version: 3)
        let loadedImage = try XCTUnwrap(load(imagePath).image)
        XCTAssertEqual(loadedImage.data, image.data)
        assertSameAxis(loadedImage.columnAxis, image.columnAxis)
    }

    func testBadVersionAndUnwritablePathAreClearErrors() {
        let si = sampleSI(rows: 1, columns: 1, channels: 2)
        XCTAssertThrowsError(try DMWriter.write(si, to: tmp.appendingPathComponent("x.dm5").path, version: 5)) { error in
            XCTAssertTrue("\(error)".contains("use 3 or 4"), "\(error)")
        }
        XCTAssertThrowsError(try DMWriter.write(si, to: "/nonexistent-folder/x.dm4")) { error in
            guard case EELSError.file(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent-folder/x.dm4")
        }
    }

    func testMnExperimentFolderLoadsBackWithTheTruth() throws {
        let folder = tmp.appendingPathComponent("mn").path
        let start = Date()
        let truth = try writeMnExperiment(to: folder, seed: 2)
        let seconds = Date().timeIntervalSince(start)
        print("writeMnExperiment default: \(String(format: "%.2f", seconds)) s")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(names.filter { $0.hasSuffix(".dm4") }.count, 12)
        XCTAssertTrue(names.contains("truth.json") && names.contains("truth.csv"))
        var total = 0
        for name in names {
            total += (try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0
        }
        XCTAssertLessThan(total, 8_000_000, "a few MB at the default size")
        let decoded = try JSONDecoder().decode(MnExperimentTruth.self,
                                               from: Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json")))
        XCTAssertEqual(decoded, truth)
        let csv = try String(contentsOfFile: folder + "/truth.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 13)
        XCTAssertTrue(csv[1].hasPrefix("mn2_01.dm4,Mn2+,0,thin,"))
        let experiment = try simulateMnExperiment(seed: 2)
        for (file, item) in zip(truth.files, experiment.items) {
            let si = try XCTUnwrap(load(folder + "/" + file.file).spectrumImage)
            XCTAssertEqual(si.rows, file.rows)
            XCTAssertEqual(si.columns, file.columns)
            XCTAssertEqual(si.data, item.simulated.image.data, file.file)
            assertSameAxis(si.energy, MnValence.defaultAxis)
            XCTAssertEqual(si.rowAxis.units, "nm")
            XCTAssertEqual(si.metadata["ImageList.0.ImageTags.RapidEELS.Simulated class"], file.valence)
        }
        XCTAssertLessThan(seconds, 30, "quick at the default size")
        // The truth file's drift model, applied to a file read from disk, is what alignment recovers.
        for file in truth.files.prefix(3) {
            let si = try XCTUnwrap(load(folder + "/" + file.file).spectrumImage)
            var options = DriftAlignmentOptions()
            options.window = 630...668
            let shifts = try si.alignDrift(options: options).shifts.data.map(Double.init)
            let n = file.rows * file.columns
            let model = (0..<n).map { file.driftStart + (file.driftEnd - file.driftStart) * Double($0) / Double(n - 1) }
            let mean = model.reduce(0, +) / Double(n)
            let rms = (zip(shifts, model).map { ($0 - ($1 - mean)) * ($0 - ($1 - mean)) }.reduce(0, +) / Double(n))
                .squareRoot()
            XCTAssertLessThan(rms, 0.25, "\(file.file): recovered drift against truth.json")
        }
    }

    func testDarkReferenceIsWrittenWhenADarkSignalIsSimulated() throws {
        var options = MnExperimentOptions()
        options.darkLevel = 4
        options.filesPerClass = 1
        options.dose = 4
        let folder = tmp.appendingPathComponent("mn-dark").path
        let truth = try writeMnExperiment(to: folder, seed: 1, scale: 0.5, options: options)
        XCTAssertEqual(truth.darkReference, "dark_reference.dm4")
        let dark = try XCTUnwrap(load(folder + "/dark_reference.dm4").spectrum)
        XCTAssertEqual(dark.values, options.darkPattern)
        XCTAssertEqual(truth.files.count, 3)
        let si = try XCTUnwrap(load(folder + "/" + truth.files[0].file).spectrumImage)
        XCTAssertEqual(si.metadata["ImageList.0.ImageTags.EELS.Acquisition.Exposure (s)"], "0.01", "4 frames of 2.5 ms")
        // Four times the counts of one frame: the pre-edge mean grows accordingly (thin SIs, t/λ 0.3-0.5).
        let window = si.energy.index(of: 620)..<si.energy.index(of: 632)
        let preEdge = window.map { k in (0..<si.pixelCount).map { Double(si.data[$0 * si.channels + k]) }
            .reduce(0, +) / Double(si.pixelCount) }.reduce(0, +) / Double(window.count)
        XCTAssertGreaterThan(preEdge, 4 + 4 * 5, "dark 4 + 4 frames x at least 5 counts per channel")
    }
}
