import Foundation
import NeuralCore
import XCTest

/// Keras semantics of shapes and Adam, safetensors round trips, and the network's error messages.
final class CoreBehaviourTests: XCTestCase {
    func testKerasOutputLengths() throws {
        XCTAssertEqual(try Conv1D(name: "a", inputShape: [240, 1], filters: 8, kernelSize: 7, stride: 2).outputShape, [120, 8])
        XCTAssertEqual(try Conv1D(name: "b", inputShape: [15, 32], filters: 64, kernelSize: 3, stride: 2).outputShape, [8, 64])
        XCTAssertEqual(try Conv1D(name: "c", inputShape: [10, 1], filters: 1, kernelSize: 3, stride: 2,
                                  padding: .valid).outputShape, [4, 1])
        XCTAssertEqual(try Conv1DTranspose(name: "d", inputShape: [8, 64], filters: 64, kernelSize: 3, stride: 2,
                                           outputPadding: 0).outputShape, [15, 64])
        XCTAssertEqual(try Conv1DTranspose(name: "e", inputShape: [8, 64], filters: 64, kernelSize: 3,
                                           stride: 2).outputShape, [16, 64])
        XCTAssertEqual(try Conv1DTranspose(name: "f", inputShape: [120, 16], filters: 8, kernelSize: 7,
                                           stride: 2).geometry.padLeft, 2)
        XCTAssertThrowsError(try Conv1DTranspose(name: "g", inputShape: [8, 4], filters: 2, kernelSize: 3, stride: 2,
                                                 outputPadding: 2)) {
            XCTAssertEqual("\($0)", "invalid argument: g: outputPadding 2 must be in 0..<2")
        }
        XCTAssertThrowsError(try Sequential([try Dense(name: "x", inputSize: 4, units: 3),
                                             try Dense(name: "y", inputSize: 5, units: 1)])) {
            XCTAssertEqual("\($0)", "shape mismatch: x outputs [3] but y expects [5]")
        }
    }

    /// Conv1D 'same' against a direct loop with Keras's padding (smaller half left).
    func testConv1DMatchesADirectConvolution() throws {
        let conv = try Conv1D(name: "c", inputShape: [11, 2], filters: 3, kernelSize: 4, stride: 2, activation: .linear)
        var rng = SeededRandom(seed: 1)
        conv.kernel.values = (0..<24).map { _ in Float(rng.nextNormal()) }
        conv.bias.values = [0.1, -0.2, 0.3]
        let x = (0..<22).map { _ in Float(rng.nextNormal()) }
        let y = try Sequential([conv], backend: CPUBackend(threads: 1)).predict(x, count: 1)
        let out = 6, padLeft = ((out - 1) * 2 + 4 - 11) / 2
        for o in 0..<out {
            for f in 0..<3 {
                var sum = conv.bias.values[f]
                for j in 0..<4 {
                    let p = o * 2 - padLeft + j
                    guard (0..<11).contains(p) else { continue }
                    for c in 0..<2 { sum += x[p * 2 + c] * conv.kernel.values[(j * 2 + c) * 3 + f] }
                }
                XCTAssertEqual(y[o * 3 + f], sum, accuracy: 1e-5)
            }
        }
    }

    func testAdamFollowsKerasUpdate() throws {
        let dense = try Dense(name: "d", inputSize: 1, units: 1)
        dense.kernel.values = [1]
        let net = try Sequential([dense], backend: CPUBackend(threads: 1))
        try net.fit(inputs: [2], targets: [0], count: 1, options: TrainingOptions(epochs: 2, batchSize: 1, shuffle: false))
        // Replay Keras's formula in Double.
        var w = 1.0, b = 0.0, mw = 0.0, vw = 0.0, mb = 0.0, vb = 0.0
        for t in 1...2 {
            let error = 2 * w + b, gw = 2 * error * 2, gb = 2 * error
            let alpha = 1e-3 * (1 - pow(0.999, Double(t))).squareRoot() / (1 - pow(0.9, Double(t)))
            mw += (gw - mw) * 0.1; vw += (gw * gw - vw) * 0.001
            mb += (gb - mb) * 0.1; vb += (gb * gb - vb) * 0.001
            w -= alpha * mw / (vw.squareRoot() + 1e-7); b -= alpha * mb / (vb.squareRoot() + 1e-7)
        }
        XCTAssertEqual(Double(dense.kernel.values[0]), w, accuracy: 1e-6)
        XCTAssertEqual(Double(dense.bias.values[0]), b, accuracy: 1e-6)
        XCTAssertEqual(w, 0.998, accuracy: 1e-4, "each of Adam's first steps moves by about lr")
    }

    func testGlorotUniformLimits() throws {
        let conv = try Conv1D(name: "c", inputShape: [16, 8], filters: 16, kernelSize: 7, stride: 2)
        var rng = SeededRandom(seed: 3)
        conv.initialize(using: &rng)
        let limit = Float((6.0 / Double(7 * 8 + 7 * 16)).squareRoot())
        let values = conv.kernel.values
        XCTAssertLessThanOrEqual(values.map(abs).max()!, limit)
        XCTAssertGreaterThan(values.map(abs).max()!, 0.9 * limit)
        XCTAssertEqual(conv.bias.values, [Float](repeating: 0, count: 16))
    }

    func testSafeTensorsRoundTripAndErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neural-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let tensors = [NamedTensor(name: "b", shape: [2, 3], values: (0..<6).map(Float.init)),
                       NamedTensor(name: "a", shape: [1], values: [-1.5])]
        try SafeTensors.write(tensors, metadata: ["note": "x"], to: url)
        let (read, metadata) = try SafeTensors.read(url)
        XCTAssertEqual(read["b"], tensors[0])
        XCTAssertEqual(read["a"], tensors[1])
        XCTAssertEqual(metadata, ["note": "x"])
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(UInt64(bytes[0]) % 8, 0, "header padded to 8 bytes")

        XCTAssertThrowsError(try SafeTensors.write([NamedTensor(name: "z", shape: [3], values: [1])], metadata: [:],
                                                   to: url)) {
            XCTAssertEqual("\($0)", "shape mismatch: tensor z has 1 values for shape [3]")
        }
        try Data(bytes.prefix(bytes.count - 4)).write(to: url)
        XCTAssertThrowsError(try SafeTensors.read(url)) { XCTAssertTrue("\($0)".contains("lie outside the file"), "\($0)") }
        try Data([200, 0, 0, 0, 0, 0, 0, 0, 1]).write(to: url)
        XCTAssertThrowsError(try SafeTensors.read(url)) { XCTAssertTrue("\($0)".contains("exceeds the file size"), "\($0)") }
    }

    func testDropoutIsSeededAndInferenceIsIdentity() throws {
        let drop = try Dropout(name: "d", shape: [1000], rate: 0.2)
        let x = [Float](repeating: 1, count: 1000)
        let identity = try Sequential([drop]).predict(x, count: 1)
        XCTAssertEqual(identity, x)
        func mask(_ stream: UInt64) -> [Float] {
            var input = x, output = [Float](repeating: 0, count: 1000), saved = output, scratch: [Float] = [0]
            input.withUnsafeMutableBufferPointer { i in output.withUnsafeMutableBufferPointer { o in
                saved.withUnsafeMutableBufferPointer { s in scratch.withUnsafeMutableBufferPointer { t in
                    drop.forward(LayerBuffers(batch: 1, input: i.baseAddress!, output: o.baseAddress!,
                                              saved: s.baseAddress!, scratch: t.baseAddress!, training: true,
                                              randomStream: stream), backend: CPUBackend(threads: 1))
                } } } }
            return output
        }
        let first = mask(1)
        XCTAssertEqual(first, mask(1))
        XCTAssertNotEqual(first, mask(2))
        let dropped = first.filter { $0 == 0 }.count
        XCTAssertTrue((150...250).contains(dropped), "dropped \(dropped) of 1000 at rate 0.2")
        XCTAssertTrue(first.allSatisfy { $0 == 0 || abs($0 - 1.25) < 1e-6 }, "kept values scaled by 1 / 0.8")
    }
}
