import EELS
import Foundation
import NeuralCore
import RapidEELS
import XCTest

/// The paper's pipeline itself, checked against arrays computed here from the raw counts: `PaperMethod.inputs`
/// (pairs of 0.125 eV channels summed, cut to 520-580 eV), `PaperMethod.targets` (10 x 40 block means minus a
/// power law fitted on 498-528 eV), `Denoiser.denoise`, and the metadata that travels with a saved model.
final class PaperPipelineTests: XCTestCase {
    /// 490-590 eV at 0.125 eV (800 channels), `rows` x `columns` pixels. Pixel p is `a_p E^-3` plus, in the
    /// second 40-column block, a Gaussian at 540 eV (sigma 2 eV; below 1e-7 of its height inside 498-528 eV).
    static func powerLawImage(rows: Int = 10, columns: Int = 80) -> SpectrumImage {
        let axis = UniformAxis(offset: 490, scale: 0.125, size: 800)
        var data: [Float] = []
        for p in 0..<(rows * columns) {
            let amplitude = 2e10 * (1 + 0.01 * Double(p % 17))
            let edge = (p % columns) >= 40 ? 50.0 : 0
            for k in 0..<axis.size {
                let e = axis.value(at: k)
                data.append(Float(amplitude * pow(e, -3) + edge * exp(-(e - 540) * (e - 540) / 8)))
            }
        }
        return SpectrumImage(rows: rows, columns: columns, energy: axis, data: data, metadata: ["title": "pl"])
    }

    func testInputsAreRawCountsSummedInPairsFrom520eV() throws {
        let si = Self.powerLawImage(rows: 2, columns: 3)
        let x = try PaperMethod().inputs(si)
        XCTAssertEqual(x.energy, UniformAxis(offset: 520, scale: 0.25, size: 240))
        XCTAssertEqual(x.rows, 2)
        XCTAssertEqual(x.columns, 3)
        let first = 240   // (520 - 490) / 0.125: the raw channel at 520 eV
        for p in 0..<6 {
            for k in 0..<240 {
                let raw = si.data[p * 800 + first + 2 * k] + si.data[p * 800 + first + 2 * k + 1]
                XCTAssertEqual(x.data[p * 240 + k], raw, "pixel \(p) channel \(k)")
            }
        }
    }

    func testInputsRefuseDataOffTheModelsAxis() throws {
        let tenth = SpectrumImage(rows: 1, columns: 1, energy: UniformAxis(offset: 500, scale: 0.1, size: 900))
        XCTAssertThrowsError(try PaperMethod().inputs(tenth)) {
            XCTAssertTrue("\($0)".contains("dispersion is 0.1 eV/channel"), "\($0)")
        }
        let short = SpectrumImage(rows: 1, columns: 1, energy: UniformAxis(offset: 530, scale: 0.125, size: 800))
        XCTAssertThrowsError(try PaperMethod().inputs(short)) {
            XCTAssertTrue("\($0)".contains("the model needs 520.00-580.00 eV"), "\($0)")
        }
    }

    func testTargetsAreBlockMeansWithThePowerLawRemoved() throws {
        let si = Self.powerLawImage()
        let y = try PaperMethod().targets(si)
        XCTAssertEqual(y.energy, UniformAxis(offset: 520, scale: 0.25, size: 240))
        XCTAssertEqual(y.pixelCount, 800)
        // Every pixel of a block shares its target; the first block is a pure power law, so nothing remains.
        for p in [1, 39, 80 * 9 + 5] {
            XCTAssertEqual(Array(y.data[p * 240..<(p + 1) * 240]), Array(y.data[0..<240]), "pixel \(p)")
        }
        for p in [40, 79, 80 * 9 + 45] {
            XCTAssertEqual(Array(y.data[p * 240..<(p + 1) * 240]), Array(y.data[40 * 240..<41 * 240]), "pixel \(p)")
        }
        // The second block keeps exactly its edge: two 0.125 eV channels of the Gaussian, summed.
        let axis = si.energy
        for k in 0..<240 {
            let edge = (0..<2).map { j -> Double in
                let e = axis.value(at: 240 + 2 * k + j)
                return 50 * exp(-(e - 540) * (e - 540) / 8)
            }.reduce(0, +)
            XCTAssertEqual(Double(y.data[k]), 0, accuracy: 0.02, "first block, channel \(k)")
            XCTAssertEqual(Double(y.data[40 * 240 + k]), edge, accuracy: 0.02, "second block, channel \(k)")
        }
    }

    /// A denoiser trained one epoch on two power-law images (enough for a scaler and non-trivial weights).
    private func trainedDenoiser() throws -> (Denoiser, SpectrumImage) {
        let si = Self.powerLawImage()
        let data = Dataset([DatasetItem(image: si, label: 0, name: "a"),
                            DatasetItem(image: si, label: 1, name: "b")], classNames: ["x", "y"])
        let denoiser = Denoiser(seed: 3)
        try denoiser.train(on: data, epochs: 1, batchSize: 256, noise: .none, seed: 1)
        return (denoiser, si)
    }

    func testDenoiseIsTheNetworkOnScaledInputsWithTheImagesAxes() throws {
        XCTAssertThrowsError(try Denoiser(seed: 1).denoise(Self.powerLawImage(rows: 1, columns: 1))) {
            XCTAssertTrue("\($0)".contains("not trained yet"), "\($0)")
        }
        let (denoiser, full) = try trainedDenoiser()
        var si = try full.slice(rows: 0..<3, columns: 38..<43)
        si.columnAxis = UniformAxis(offset: 10, scale: 1.99, size: 5, units: "nm", name: "x")
        let clean = try denoiser.denoise(si)
        XCTAssertEqual(clean.rows, 3)
        XCTAssertEqual(clean.columns, 5)
        XCTAssertEqual(clean.energy, PaperMethod().axis)
        XCTAssertEqual(clean.columnAxis, si.columnAxis)
        XCTAssertEqual(clean.rowAxis, si.rowAxis)
        XCTAssertEqual(clean.metadata["title"], "denoised pl")
        // The same numbers by hand: raw inputs -> (x - median) / IQR per channel -> the network.
        let scaler = try XCTUnwrap(denoiser.scaler)
        let inputs = try PaperMethod().inputs(si).data
        let scaled = inputs.indices.map { (inputs[$0] - scaler.center[$0 % 240]) / scaler.scale[$0 % 240] }
        let expected = try denoiser.autoencoder.predict(inputs: scaled, count: 15)
        XCTAssertEqual(clean.data.count, expected.count)
        for i in expected.indices { XCTAssertEqual(clean.data[i], expected[i], accuracy: 1e-5, "value \(i)") }
        // Pixels are independent: a pixel denoised alone gives its row of the whole image.
        let alone = try denoiser.denoise(si.slice(rows: 2..<3, columns: 4..<5))
        for k in 0..<240 { XCTAssertEqual(alone.data[k], clean.data[14 * 240 + k], accuracy: 1e-5) }
    }

    func testModelMetadataRoundTrip() throws {
        let (denoiser, si) = try trainedDenoiser()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("ae.safetensors")
        try denoiser.save(to: url)
        let raw = try PaperAutoencoder.load(from: url)
        XCTAssertEqual(raw.metadata["energy_axis"], "520.0:0.25:240 eV")
        XCTAssertNotNil(raw.metadata["method"])
        XCTAssertNotNil(raw.metadata["scaler"])
        let loaded = try Denoiser.load(from: url)
        XCTAssertEqual(loaded.scaler, denoiser.scaler)
        XCTAssertEqual(loaded.method, .paper)
        XCTAssertEqual(try loaded.denoise(si).data, try denoiser.denoise(si).data)

        let classifier = try OxidationClassifier(denoiser: denoiser, classNames: ["x", "y"], seed: 2)
        let classifierURL = folder.appendingPathComponent("clf.safetensors")
        try classifier.save(to: classifierURL)
        let reloaded = try OxidationClassifier.load(from: classifierURL)
        XCTAssertEqual(reloaded.classNames, ["x", "y"])
        XCTAssertEqual(reloaded.method, .paper)
        XCTAssertEqual(try reloaded.classify(si).probabilities, try classifier.classify(si).probabilities)

        // Weights alone (like the paper's release) load without a scaler and with the paper's method.
        let bare = folder.appendingPathComponent("bare.safetensors")
        try denoiser.autoencoder.save(to: bare)
        let untrained = try Denoiser.load(from: bare)
        XCTAssertFalse(untrained.isTrained)
        XCTAssertEqual(untrained.method, .paper)
        // Broken metadata is a model error that names the entry.
        let cases: [([String: String], String)] = [
            (["method": "{not json"], "the model's \"method\" metadata is not valid"),
            (["scaler": "{\"center\": 1}"], "the model's \"scaler\" metadata is not valid"),
            (["scaler": "{\"center\": [1, 2], \"scale\": [1, 1]}"], "the scaler has 2 channels; the model needs 240"),
        ]
        for (metadata, message) in cases {
            let broken = folder.appendingPathComponent("broken.safetensors")
            try denoiser.autoencoder.save(to: broken, metadata: metadata)
            XCTAssertThrowsError(try Denoiser.load(from: broken)) {
                XCTAssertTrue("\($0)".contains(message), "\(metadata): \($0)")
            }
        }
    }
}
