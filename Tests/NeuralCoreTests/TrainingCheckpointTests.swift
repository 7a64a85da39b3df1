import Foundation
import XCTest
@testable import NeuralCore

/// A run resumed from a checkpoint ends exactly where one uninterrupted run ends, and a checkpoint of another run
/// is refused with the reason.
final class TrainingCheckpointTests: XCTestCase {
    /// A small autoencoder with dropout (so the per-step random streams matter), weights from `seed`.
    private func network(seed: UInt64) throws -> Sequential {
        let layers: [Layer] = [
            try Conv1D(name: "c1", inputShape: [32, 1], filters: 4, kernelSize: 5, stride: 2),
            try Dropout(name: "d1", shape: [16, 4], rate: 0.2),
            try Conv1DTranspose(name: "t1", inputShape: [16, 4], filters: 4, kernelSize: 5, stride: 2),
            try Conv1DTranspose(name: "out", inputShape: [32, 4], filters: 1, kernelSize: 5, stride: 1,
                                activation: .linear),
        ]
        var rng = SeededRandom(seed: seed)
        for layer in layers { layer.initialize(using: &rng) }
        return try Sequential(layers, backend: CPUBackend(threads: 2, chunkSize: 4))
    }

    private func data(_ count: Int) -> (x: [Float], y: [Float]) {
        var rng = SeededRandom(seed: 3)
        let x = (0..<count * 32).map { _ in rng.nextUniform() * 2 - 1 }
        return (x, x.map { max(0, $0) })
    }

    private func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).safetensors")
    }

    func testAResumedRunEndsWithTheWeightsOfOneUninterruptedRun() throws {
        let (x, y) = data(45)
        let whole = try network(seed: 1)
        let straight = try whole.fit(inputs: x, targets: y, count: 45, options: TrainingOptions(epochs: 5, batchSize: 8, seed: 9))

        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        var options = TrainingOptions(epochs: 2, batchSize: 8, seed: 9)
        options.checkpoint = TrainingCheckpointing(url: url, every: 1)
        try network(seed: 1).fit(inputs: x, targets: y, count: 45, options: options)
        XCTAssertEqual(try TrainingCheckpoint.read(from: url).epoch, 2)

        // A second sitting: a network with other weights, the same run asked for 5 epochs, resumes at epoch 3.
        let resumed = try network(seed: 2)
        options.epochs = 5
        var epochsSeen: [Int] = []
        let history = try resumed.fit(inputs: x, targets: y, count: 45, options: options,
                                      progress: { p in if p.step == p.steps { epochsSeen.append(p.epoch) } })
        XCTAssertEqual(epochsSeen, [3, 4, 5])
        XCTAssertEqual(history.loss, straight.loss)
        for (a, b) in zip(whole.parameters, resumed.parameters) {
            XCTAssertEqual(a.values, b.values, "\(a.name) differs after the resume")
        }
        XCTAssertEqual(try TrainingCheckpoint.read(from: url).epoch, 5)
    }

    func testACheckpointOfAnotherRunIsRefusedWithTheReason() throws {
        let (x, y) = data(20)
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        var options = TrainingOptions(epochs: 1, batchSize: 8, seed: 9)
        options.checkpoint = TrainingCheckpointing(url: url)
        try network(seed: 1).fit(inputs: x, targets: y, count: 20, options: options)
        options.seed = 10
        XCTAssertThrowsError(try network(seed: 1).fit(inputs: x, targets: y, count: 20, options: options)) { error in
            XCTAssertTrue("\(error)".contains("belongs to another training run"), "\(error)")
            XCTAssertTrue("\(error)".contains("seed 10"), "\(error)")
        }
        // The same settings on other data.
        options.seed = 9
        let other = y.map { $0 + 1 }
        XCTAssertThrowsError(try network(seed: 1).fit(inputs: x, targets: other, count: 20, options: options)) { error in
            XCTAssertTrue("\(error)".contains("belongs to another training run"), "\(error)")
        }
        // A file that is not a checkpoint.
        try SafeTensors.write([NamedTensor(name: "w", shape: [1], values: [1])], metadata: [:], to: url)
        options.seed = 9
        XCTAssertThrowsError(try network(seed: 1).fit(inputs: x, targets: y, count: 20, options: options)) { error in
            XCTAssertTrue("\(error)".contains("not a usable training checkpoint"), "\(error)")
        }
    }

    func testACheckpointRoundTripsThroughItsFile() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        var history = TrainingHistory(trainingSamples: 3)
        history.loss = [0.5, 0.25]
        history.bestEpoch = 1
        history.seconds = 2.5
        let checkpoint = TrainingCheckpoint(epoch: 2, weights: [[1, 2], [3]], adamIterations: 6,
                                            firstMoment: [0.1, 0.2, 0.3], secondMoment: [0.4, 0.5, 0.6],
                                            generatorState: UInt64.max - 5, order: [2, 0, 1],
                                            best: (0.25, [[1, 2], [4]]), history: history, plannedEpochs: 4,
                                            identity: "run")
        try checkpoint.write(to: url)
        XCTAssertEqual(try TrainingCheckpoint.read(from: url), checkpoint)
    }
}
