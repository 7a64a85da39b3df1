import EELS
import Foundation
import RapidEELS
import XCTest

/// The reference models shipped in models/ reproduce the numbers recorded when they were trained
/// (models/record.json, written by scripts/train-reference-models.sh): the same simulated data, the same test
/// accuracy at every frame rate to 0.1 point and the same denoising MSE.
final class ReferenceModelTests: XCTestCase {
    struct Record: Decodable {
        var simulatorSeed: UInt64, scale: Double
        var testMSE: [String: Double], accuracyPercent: [String: Double]
    }

    func testShippedModelsReproduceTheirRecordedNumbers() throws {
        let dir = try XCTUnwrap(ReferenceModels.directory(), "models/ with catalog.json is part of the project")
        let record = try JSONDecoder().decode(Record.self, from: Data(contentsOf: dir.appendingPathComponent("record.json")))
        let denoiser = try Denoiser.load(from: ReferenceModels.url(for: "srfeo3-sim-autoencoder"))
        let classifier = try OxidationClassifier.load(from: ReferenceModels.url(for: "srfeo3-sim-classifier"))
        XCTAssertEqual(denoiser.autoencoder.parameterCount, 44_678, "the paper's network")
        XCTAssertNotNil(denoiser.autoencoder.metadata["trained"], "the file says how it was trained")
        let data = try simulatePaperDataset(seed: record.simulatorSeed, scale: record.scale)
        for item in data.test {
            let expected = try XCTUnwrap(record.testMSE[item.name])
            let measured = try mse(denoiser.denoise(item.image).data, denoiser.method.targets(item.image).data)
            XCTAssertEqual(measured, expected, accuracy: 1e-4 * max(1, expected), "MSE of \(item.name)")
        }
        for (fps, n) in [(400, 1), (200, 2), (100, 4), (25, 16)] {
            var correct = 0.0, total = 0
            for item in data.test {
                let lower = try item.image.simulateFrameRate(combining: n, perFrame: true)
                let result = try classifier.classify(lower, trueLabel: item.label)
                correct += result.accuracy! * Double(lower.pixelCount)
                total += lower.pixelCount
            }
            let expected = try XCTUnwrap(record.accuracyPercent["\(fps)"])
            XCTAssertEqual(100 * correct / Double(total), expected, accuracy: 0.1, "accuracy at \(fps) FPS")
        }
    }

    func testLoadingByNameFromTheKernelsLanguage() throws {
        let dir = try XCTUnwrap(ReferenceModels.directory())
        let catalog = try ReferenceModels.catalog(in: dir)
        XCTAssertEqual(Set(catalog.keys), ["srfeo3-sim-autoencoder", "srfeo3-sim-classifier"])
        for (name, entry) in catalog {
            XCTAssertEqual(ReferenceModels.sha256Hex(try Data(contentsOf: ReferenceModels.url(for: name))), entry.sha256)
            XCTAssertFalse(entry.trained.isEmpty)
        }
    }
}
