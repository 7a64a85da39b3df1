import EELS
import Foundation
import NeuralCore
@testable import RapidEELS
import XCTest

/// Robust training (issue 15): fresh training noise every epoch, dead latent units found and revived, a classifier
/// that cannot learn stops with an error saying why, and reference models found by name with a checksum check.
final class RobustTrainingTests: XCTestCase {
    func testEpochInputsAreAskedForEveryEpochAndShapeChecked() throws {
        let x = PaperTrainingTests.synthetic(count: 32, seed: 1)
        let model = PaperAutoencoder(seed: 2, backend: CPUBackend(threads: 1))
        var asked: [Int] = []
        try model.train(inputs: x, targets: x, epochs: 3, batchSize: 16, seed: 1,
                        epochInputs: { epoch in asked.append(epoch); return x.map { $0 + Float(epoch) * 0.01 } })
        XCTAssertEqual(asked, [1, 2, 3])
        XCTAssertThrowsError(try model.train(inputs: x, targets: x, epochs: 1, batchSize: 16,
                                             epochInputs: { _ in Array(x.prefix(240)) })) { error in
            XCTAssertTrue("\(error)".contains("epoch 1's inputs hold 240 values"), "\(error)")
        }
    }

    func testNoiseDrawsAreFreshPerEpochReproducibleAndPoisson() {
        let means = [Float](repeating: 20, count: 200_000)
        let a = NoiseDraw.poisson(means: means, seed: 3, epoch: 1)
        XCTAssertEqual(a, NoiseDraw.poisson(means: means, seed: 3, epoch: 1), "same seed and epoch, same draws")
        XCTAssertNotEqual(a, NoiseDraw.poisson(means: means, seed: 3, epoch: 2), "each epoch draws afresh")
        let mean = a.reduce(0, +) / Float(a.count)
        let variance = a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(a.count)
        XCTAssertEqual(mean, 20, accuracy: 0.05)
        XCTAssertEqual(variance, 20, accuracy: 0.4, "Poisson: variance equals the mean")
        XCTAssertEqual(NoiseDraw.poisson(means: [-1, 0], seed: 1, epoch: 1), [0, 0])
    }

    /// `.resampled` (each training pixel drawn from its block's mean counts) and `.poisson` (draws on top of the
    /// measured counts) both train to a finite loss, and they are different noises. (The draws' Poisson statistics
    /// are checked in `testNoiseDrawsAreFreshPerEpochReproducibleAndPoisson`.)
    func testResampledNoiseTrainsAndDiffersFromPoisson() throws {
        let data = try simulatePaperDataset(seed: 3, scale: 0.07)
        let small = Dataset(Array(data.trainingSet.items.prefix(2)), classNames: data.trainingSet.classNames)
        var losses: [Double] = []
        for noise in [TrainingNoise.resampled, .poisson] {
            let denoiser = Denoiser(seed: 4, backend: CPUBackend(threads: 1))
            let history = try denoiser.train(on: small, epochs: 2, noise: noise, seed: 5)
            losses.append(history.loss.last!)
            XCTAssertTrue(history.loss.last!.isFinite)
        }
        XCTAssertNotEqual(losses[0], losses[1])
    }

    func testDeadLatentUnitsAreFoundAndRevived() throws {
        let x = PaperTrainingTests.synthetic(count: 64, seed: 2)
        let model = PaperAutoencoder(seed: 6, backend: CPUBackend(threads: 1))
        let dense = model.network.layers[model.latentLayerIndex] as! Dense
        XCTAssertEqual(dense.name, "latent")
        dense.bias.buffer[1] = -1e6
        dense.bias.buffer[3] = -1e6
        model.network.engine.parametersDidChange()
        XCTAssertEqual(try model.deadLatentUnits(inputs: x, count: 64), [1, 3])
        try model.revive(units: [1, 3], inputs: x, count: 64, seed: 9)
        model.network.engine.parametersDidChange()
        XCTAssertEqual(try model.deadLatentUnits(inputs: x, count: 64), [])
        let z = try model.latent(inputs: x, count: 64)
        let on = (0..<64).filter { z[$0 * 5 + 1] > 0 }.count
        XCTAssertTrue((16...48).contains(on), "the revived unit is on for about half the spectra, got \(on)/64")
    }

    /// Training revives units that die: a model whose latent units all start dead comes out with none dead.
    func testDenoiserTrainingRevivesDeadUnits() throws {
        let data = try simulatePaperDataset(seed: 3, scale: 0.07)
        let small = Dataset(Array(data.trainingSet.items.prefix(2)), classNames: data.trainingSet.classNames)
        let denoiser = Denoiser(seed: 4, backend: CPUBackend(threads: 1))
        let dense = denoiser.autoencoder.network.layers[denoiser.autoencoder.latentLayerIndex] as! Dense
        for u in 0..<5 { dense.bias.buffer[u] = -1e6 }
        denoiser.autoencoder.network.engine.parametersDidChange()
        try denoiser.train(on: small, epochs: 3, noise: .none, seed: 1)
        XCTAssertEqual(Set(denoiser.revivedUnits.filter { $0.epoch == 1 }.map(\.unit)), Set(0..<5))
        XCTAssertEqual(denoiser.deadUnits, [])
    }

    func testClassifierOnADeadEncoderSaysWhy() throws {
        let data = try simulatePaperDataset(seed: 3, scale: 0.07)
        let small = Dataset(Array(data.trainingSet.items.prefix(2)) + Array(data.trainingSet.items.suffix(2)),
                            classNames: data.trainingSet.classNames)
        let denoiser = Denoiser(seed: 4, backend: CPUBackend(threads: 1))
        try denoiser.train(on: small, epochs: 1, noise: .none, seed: 1)
        let dense = denoiser.autoencoder.network.layers[denoiser.autoencoder.latentLayerIndex] as! Dense
        for u in 0..<5 { dense.bias.buffer[u] = -1e6 }
        denoiser.autoencoder.network.engine.parametersDidChange()
        let classifier = try OxidationClassifier(denoiser: denoiser, seed: 1)
        XCTAssertThrowsError(try classifier.train(on: small, epochs: 2)) { error in
            XCTAssertTrue("\(error)".contains("every latent unit of the encoder is 0"), "\(error)")
        }
    }

    /// The same image labelled once as each class: no head can beat chance, and training says so.
    func testAHeadThatEndsAtChanceSaysWhy() throws {
        let data = try simulatePaperDataset(seed: 3, scale: 0.07)
        let item = data.trainingSet.items[0]
        var other = item
        other.label = 1 - (item.label ?? 0)
        let unlearnable = Dataset([item, other], classNames: data.trainingSet.classNames)
        let denoiser = Denoiser(seed: 4, backend: CPUBackend(threads: 1))
        try denoiser.train(on: unlearnable, epochs: 1, noise: .none, seed: 1)
        let classifier = try OxidationClassifier(denoiser: denoiser, seed: 1)
        try classifier.train(on: unlearnable, epochs: 30, batchSize: 64)
        let warning = try XCTUnwrap(classifier.warning)
        XCTAssertTrue(warning.contains("the classifier did not learn"), warning)
        XCTAssertTrue(warning.contains("chance level ln 2"), warning)
    }

    func testSHA256() {
        XCTAssertEqual(ReferenceModels.sha256Hex(Data("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testReferenceModelsAreFoundByNameAndChecked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.safetensors")
        try Data("weights".utf8).write(to: file)
        let entry = ReferenceModels.Entry(file: "tiny.safetensors", sha256: ReferenceModels.sha256Hex(Data("weights".utf8)),
                                          kind: "autoencoder", trained: "test")
        try JSONEncoder().encode(["tiny": entry]).write(to: dir.appendingPathComponent("catalog.json"))
        XCTAssertEqual(try ReferenceModels.url(for: "tiny", in: dir).path, file.path)
        XCTAssertThrowsError(try ReferenceModels.url(for: "huge", in: dir)) { error in
            XCTAssertTrue("\(error)".contains("no reference model named 'huge'; the models are tiny"), "\(error)")
        }
        try Data("weightz".utf8).write(to: file)
        XCTAssertThrowsError(try ReferenceModels.url(for: "tiny", in: dir)) { error in
            XCTAssertTrue("\(error)".contains("the file was changed or damaged"), "\(error)")
        }
        XCTAssertTrue(ReferenceModels.isName("srfeo3-sim-autoencoder"))
        XCTAssertFalse(ReferenceModels.isName("aec.safetensors"))
        XCTAssertFalse(ReferenceModels.isName("models/x"))
    }
}
