import Foundation
import NeuralCore
import RapidEELS
import XCTest

/// Training, determinism, save/reload and errors of the paper's models on small synthetic data.
final class PaperTrainingTests: XCTestCase {
    /// `count` synthetic spectra [count, 240]: a Gaussian peak and an edge step at a random position.
    static func synthetic(count: Int, seed: UInt64, shift: Float = 0) -> [Float] {
        var rng = SeededRandom(seed: seed)
        var values: [Float] = []
        for _ in 0..<count {
            let centre = 60 + 120 * rng.nextUniform() + shift, height = 0.5 + rng.nextUniform()
            for channel in 0..<240 {
                let x = (Float(channel) - centre) / 8
                values.append(height * exp(-x * x) + (Float(channel) > centre ? 0.5 : 0))
            }
        }
        return values
    }

    private func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("neural-\(UUID().uuidString)-\(name)")
    }

    func testTrainingLowersTheLossTenfold() throws {
        let data = Self.synthetic(count: 128, seed: 1)
        let model = PaperAutoencoder(seed: 3, backend: CPUBackend(threads: 2, chunkSize: 16))
        let before = try model.network.evaluate(inputs: data, targets: data, count: 128, loss: .meanSquaredError)
        var calls = 0
        let history = try model.train(inputs: data, targets: data, epochs: 40, batchSize: 16, seed: 5,
                                      progress: { progress in
            calls += 1
            XCTAssertLessThanOrEqual(progress.step, progress.steps)
            XCTAssertGreaterThanOrEqual(progress.eta, 0)
        })
        let after = try model.network.evaluate(inputs: data, targets: data, count: 128, loss: .meanSquaredError)
        XCTAssertEqual(calls, 40 * 8, "progress after every batch")
        XCTAssertEqual(history.loss.count, 40)
        print("autoencoder training: MSE \(before) -> \(after) (\(before / after)x)")
        XCTAssertLessThan(after * 10, before, "loss \(before) -> \(after)")
    }

    func testSameSeedGivesTheSameWeights() throws {
        let data = Self.synthetic(count: 48, seed: 2)
        func trained(_ seed: UInt64) throws -> [[Float]] {
            let model = PaperAutoencoder(seed: 7, backend: CPUBackend(threads: 2, chunkSize: 8))
            try model.train(inputs: data, targets: data, epochs: 2, batchSize: 16, seed: seed, validationSplit: 0.25)
            return model.network.snapshot()
        }
        let first = try trained(11), second = try trained(11), other = try trained(12)
        XCTAssertEqual(first, second)
        XCTAssertNotEqual(first, other, "the training seed must matter (shuffling, dropout)")
        XCTAssertEqual(PaperAutoencoder(seed: 4).network.snapshot(), PaperAutoencoder(seed: 4).network.snapshot())
        XCTAssertNotEqual(PaperAutoencoder(seed: 4).network.snapshot(), PaperAutoencoder(seed: 5).network.snapshot())
    }

    func testValidationSplitRecordsValidationLoss() throws {
        let data = Self.synthetic(count: 40, seed: 3)
        let model = PaperAutoencoder(seed: 1)
        let history = try model.train(inputs: data, targets: data, epochs: 3, batchSize: 8, validationSplit: 0.2)
        XCTAssertEqual(history.validationLoss.count, 3)
        XCTAssertEqual(history.trainingSamples, 32)
        XCTAssertTrue(history.validationLoss.allSatisfy(\.isFinite))
    }

    func testSaveAndReloadGiveIdenticalOutputs() throws {
        let data = Self.synthetic(count: 16, seed: 4)
        let model = PaperAutoencoder(seed: 9)
        try model.train(inputs: data, targets: data, epochs: 1, batchSize: 8)
        let url = temporaryURL("aec.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url, metadata: ["scaler": "{\"median\":[1,2]}", "labels": "[\"a\",\"b\"]"])
        let reloaded = try PaperAutoencoder.load(from: url)
        XCTAssertEqual(try reloaded.predict(inputs: data), try model.predict(inputs: data))
        XCTAssertEqual(reloaded.metadata["scaler"], "{\"median\":[1,2]}")
        XCTAssertEqual(reloaded.metadata["labels"], "[\"a\",\"b\"]")

        let classifier = PaperClassifier(encoder: model, seed: 1)
        let classifierURL = temporaryURL("classifier.safetensors")
        defer { try? FileManager.default.removeItem(at: classifierURL) }
        try classifier.save(to: classifierURL)
        XCTAssertEqual(try PaperClassifier.load(from: classifierURL).probabilities(inputs: data),
                       try classifier.probabilities(inputs: data))
    }

    func testClassifierLearnsWithAFrozenEncoder() throws {
        let encoder = PaperAutoencoder(seed: 2)
        let left = Self.synthetic(count: 32, seed: 5, shift: -40), right = Self.synthetic(count: 32, seed: 6, shift: 40)
        var inputs: [Float] = [], labels: [Int] = []
        for row in 0..<32 {
            inputs += left[(row * 240)..<((row + 1) * 240)]
            labels.append(0)
            inputs += right[(row * 240)..<((row + 1) * 240)]
            labels.append(1)
        }
        let classifier = PaperClassifier(encoder: encoder, seed: 3)
        let encoderBefore = classifier.network.parameters.prefix(10).map(\.values)
        let history = try classifier.train(inputs: inputs, labels: labels, epochs: 40, batchSize: 16,
                                           learningRate: 1e-2)
        XCTAssertEqual(classifier.network.parameters.prefix(10).map(\.values), encoderBefore, "encoder frozen")
        XCTAssertLessThan(history.loss.last!, history.loss.first!)
        let p = try classifier.probabilities(inputs: inputs)
        for row in 0..<64 { XCTAssertEqual(p[2 * row] + p[2 * row + 1], 1, accuracy: 1e-5) }
        XCTAssertThrowsError(try classifier.train(inputs: inputs, labels: labels.map { $0 + 1 }, epochs: 1)) {
            XCTAssertTrue("\($0)".contains("label 2"), "\($0)")
        }
    }

    func testCancellationKeepsTheBestWeightsAndHistory() throws {
        let data = Self.synthetic(count: 64, seed: 7)
        let model = PaperAutoencoder(seed: 1)
        var batches = 0
        XCTAssertThrowsError(try model.train(inputs: data, targets: data, epochs: 10, batchSize: 16, isCancelled: {
            batches += 1
            return batches > 9
        })) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        let history = try XCTUnwrap(model.network.lastHistory)
        XCTAssertTrue(history.cancelled)
        XCTAssertEqual(history.loss.count, 2, "two whole epochs of 4 batches before the 10th check")
        XCTAssertTrue(try model.predict(inputs: data).allSatisfy(\.isFinite))
    }

    func testErrorsNameTheProblem() throws {
        let model = PaperAutoencoder(seed: 1)
        XCTAssertThrowsError(try model.predict(inputs: [Float](repeating: 0, count: 700), count: 3)) {
            XCTAssertEqual("\($0)", "shape mismatch: inputs hold 700 values; expected 3 x 240 = 720")
        }
        XCTAssertThrowsError(try model.latent(inputs: [Float](repeating: 0, count: 250))) {
            XCTAssertTrue("\($0)".contains("not a whole number of 240-value rows"), "\($0)")
        }
        var bad = [Float](repeating: 0, count: 480)
        bad[250] = .nan
        XCTAssertThrowsError(try model.predict(inputs: bad)) {
            XCTAssertEqual("\($0)", "non-finite input: inputs hold nan at sample 1, element 10; every value must be finite")
        }
        XCTAssertThrowsError(try model.train(inputs: bad, targets: [Float](repeating: 0, count: 480), epochs: 1))
        XCTAssertThrowsError(try model.train(inputs: [Float](repeating: 0, count: 480),
                                             targets: [Float](repeating: 0, count: 240), epochs: 1)) {
            XCTAssertTrue("\($0)".contains("targets hold 240 values; expected 2 x [240, 1] = 480"), "\($0)")
        }
        let huge = [Float](repeating: 1e30, count: 480)
        XCTAssertThrowsError(try model.train(inputs: huge, targets: huge, epochs: 1)) {
            guard case NeuralError.nonFiniteLoss(epoch: 1, step: 1, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testMismatchedWeightFilesAreRefused() throws {
        let url = temporaryURL("bad.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write([NamedTensor(name: "encoder.conv0.kernel", shape: [5, 1, 8],
                                           values: [Float](repeating: 0, count: 40))], metadata: [:], to: url)
        XCTAssertThrowsError(try PaperAutoencoder.load(from: url)) {
            XCTAssertEqual("\($0)", "weight file: tensor encoder.conv0.kernel in \(url.lastPathComponent) has shape "
                + "[5, 1, 8]; expected [7, 1, 8]")
        }
        let model = PaperAutoencoder(seed: 1)
        try model.save(to: url)
        XCTAssertThrowsError(try PaperClassifier.load(from: url)) {
            XCTAssertTrue("\($0)".contains("has no tensor classifier.kernel (expected shape [5, 2])"), "\($0)")
        }
        try Data("not a model".utf8).write(to: url)
        XCTAssertThrowsError(try PaperAutoencoder.load(from: url)) { XCTAssertTrue("\($0)".contains("weight file"), "\($0)") }
    }
}
