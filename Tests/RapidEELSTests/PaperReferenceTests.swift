import Foundation
import NeuralCore
import RapidEELS
import TestSupport
import XCTest

/// The released weights must reproduce TensorFlow's outputs on the 19 reference inputs within 1e-4.
final class PaperReferenceTests: XCTestCase {
    private func reference() throws -> (weights: URL, tensors: [String: NamedTensor]) {
        let weights = try SharedData.url("reference/paper-model/rapideels-paper-weights.safetensors")
        let outputs = try SharedData.url("reference/paper-model/rapideels-paper-reference.safetensors")
        return (weights, try SafeTensors.read(outputs).tensors)
    }

    private func assertClose(_ ours: [Float], _ theirs: [Float], _ what: String, tolerance: Float = 1e-4) {
        XCTAssertEqual(ours.count, theirs.count, what)
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): largest difference \(worst)")
    }

    func testParameterCountMatchesThePaper() {
        let model = PaperAutoencoder(seed: 0)
        XCTAssertEqual(model.parameterCount, 44_678)
        XCTAssertEqual(model.parameterTable.first { $0.name == "decoder.deconv0" }?.outputShape, [15, 64])
        XCTAssertEqual(model.parameterTable.last?.outputShape, [240, 1])
    }

    func testDecodedAndLatentMatchTensorFlow() throws {
        let (weights, tensors) = try reference()
        let model = try PaperAutoencoder.load(from: weights)
        let input = tensors["input"]!.values
        assertClose(try model.predict(inputs: input, count: 19), tensors["decoded"]!.values, "decoded")
        assertClose(try model.latent(inputs: input, count: 19), tensors["latent"]!.values, "latent")
        let latent = try model.latent(inputs: input)
        assertClose(try model.decode(latent: latent), tensors["decoded"]!.values, "decode(latent)")
    }

    func testProbabilitiesMatchTensorFlow() throws {
        let (weights, tensors) = try reference()
        let classifier = try PaperClassifier.load(from: weights)
        let input = tensors["input"]!.values
        assertClose(try classifier.probabilities(inputs: input, count: 19), tensors["probabilities"]!.values,
                    "probabilities")
    }

    func testBothThreadSettingsAgree() throws {
        let (weights, tensors) = try reference()
        let one = try PaperAutoencoder.load(from: weights, backend: CPUBackend(threads: 1, chunkSize: 4))
        let two = try PaperAutoencoder.load(from: weights, backend: CPUBackend(threads: 2, chunkSize: 3))
        let input = tensors["input"]!.values
        // Different chunkings change sgemm's summation order, so results agree to rounding, not bit for bit.
        assertClose(try one.predict(inputs: input), try two.predict(inputs: input), "1 vs 2 threads", tolerance: 1e-5)
    }
}
