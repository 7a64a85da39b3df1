import NeuralCore
import XCTest

/// Every layer's and loss's analytic gradients against central finite differences.
///
/// The checked scalar is L = sum(r * y) for a fixed random r, accumulated in Double. Conv1D, Conv1DTranspose,
/// Dense (linear), Reshape and Dropout (fixed mask) are linear in each input and each weight, so a large step
/// (h = 0.5) makes the central difference exact up to Float32 rounding of y (~1e-7 relative): tolerance 1e-3.
/// For ReLU and softmax (h = 1e-3) the Float32 rounding of L over 2h gives ~1e-4 relative error: tolerance 2e-2;
/// ReLU elements whose zero pattern changes between the two probes (a kink inside the step) are skipped.
final class GradientCheckTests: XCTestCase {
    private final class Harness {
        let layer: Layer
        let batch: Int
        let input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
        let saved: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
        let weights: [Float]
        let stream: UInt64 = 12345

        init(_ layer: Layer, batch: Int, seed: UInt64) {
            self.layer = layer
            self.batch = batch
            func make(_ n: Int) -> UnsafeMutablePointer<Float> {
                let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
                p.initialize(repeating: 0, count: max(n, 1))
                return p
            }
            input = make(batch * layer.inputSize)
            output = make(batch * layer.outputSize)
            saved = make(batch * layer.savedFloatsPerSample)
            scratch = make(batch * max(layer.scratchFloatsPerSample, 1))
            var rng = SeededRandom(seed: seed)
            for i in 0..<(batch * layer.inputSize) { input[i] = Float(rng.nextNormal()) }
            for parameter in layer.parameters {
                for i in 0..<parameter.count { parameter.pointer[i] = Float(rng.nextNormal()) * 0.5 }
            }
            weights = (0..<(batch * layer.outputSize)).map { _ in Float(rng.nextNormal()) }
        }

        deinit { for p in [input, output, saved, scratch] { p.deallocate() } }

        var buffers: LayerBuffers {
            LayerBuffers(batch: batch, input: input, output: output, saved: saved, scratch: scratch, training: true,
                         randomStream: stream)
        }

        /// L = sum(r * y) and the zero pattern of y.
        func objective() -> (Double, [Bool]) {
            layer.forward(buffers, backend: CPUBackend(threads: 1))
            var total = 0.0
            var zeros: [Bool] = []
            for i in 0..<(batch * layer.outputSize) {
                total += Double(weights[i]) * Double(output[i])
                zeros.append(output[i] == 0)
            }
            return (total, zeros)
        }

        /// Analytic gradients: (dL/dx, dL/dparameters concatenated).
        func analytic() -> ([Float], [Float]) {
            _ = objective()
            var dy = weights
            var dx = [Float](repeating: 0, count: batch * layer.inputSize)
            var dp = [Float](repeating: 0, count: max(layer.parameterCount, 1))
            dy.withUnsafeMutableBufferPointer { dy in
                dx.withUnsafeMutableBufferPointer { dx in
                    dp.withUnsafeMutableBufferPointer { dp in
                        layer.backward(buffers, outputGradient: dy.baseAddress!, inputGradient: dx.baseAddress!,
                                       parameterGradients: dp.baseAddress!, backend: CPUBackend(threads: 1))
                    }
                }
            }
            return (dx, dp)
        }

        /// Central difference at `pointer[index]`; nil when the zero pattern changes (a ReLU kink).
        func numeric(_ pointer: UnsafeMutablePointer<Float>, _ index: Int, step: Float) -> Double? {
            let original = pointer[index]
            pointer[index] = original + step
            let (plus, zerosPlus) = objective()
            pointer[index] = original - step
            let (minus, zerosMinus) = objective()
            pointer[index] = original
            guard zerosPlus == zerosMinus else { return nil }
            return (plus - minus) / (2 * Double(original + step - (original - step)) / 2)
        }
    }

    private func check(_ layer: Layer, batch: Int = 2, step: Float = 0.5, tolerance: Double = 1e-3,
                       file: StaticString = #filePath, line: UInt = #line) {
        let harness = Harness(layer, batch: batch, seed: 7)
        let (dx, dp) = harness.analytic()
        var checked = 0
        func compare(_ analytic: Float, _ numeric: Double?, _ what: String) {
            guard let numeric else { return }
            checked += 1
            let error = abs(Double(analytic) - numeric)
            XCTAssertLessThanOrEqual(error, tolerance * max(1, abs(numeric)),
                                     "\(layer.name) \(what): analytic \(analytic), numeric \(numeric)",
                                     file: file, line: line)
        }
        let inputs = batch * layer.inputSize
        for i in Swift.stride(from: 0, to: inputs, by: max(1, inputs / 60)) {
            compare(dx[i], harness.numeric(harness.input, i, step: step), "dx[\(i)]")
        }
        var offset = 0
        for parameter in layer.parameters {
            for i in Swift.stride(from: 0, to: parameter.count, by: max(1, parameter.count / 40)) {
                compare(dp[offset + i], harness.numeric(parameter.pointer, i, step: step), "d\(parameter.name)[\(i)]")
            }
            offset += parameter.count
        }
        XCTAssertGreaterThan(checked, 10, "\(layer.name): too few elements checked", file: file, line: line)
    }

    func testConv1DSameStride2() throws {
        check(try Conv1D(name: "c7s2", inputShape: [17, 3], filters: 4, kernelSize: 7, stride: 2, activation: .linear))
        check(try Conv1D(name: "c4s3", inputShape: [16, 2], filters: 3, kernelSize: 4, stride: 3, activation: .linear))
    }

    func testConv1DValidAndStride1() throws {
        check(try Conv1D(name: "valid", inputShape: [12, 2], filters: 3, kernelSize: 5, stride: 2, padding: .valid,
                         activation: .linear))
        check(try Conv1D(name: "s1", inputShape: [10, 1], filters: 2, kernelSize: 3, stride: 1, activation: .linear))
    }

    func testConv1DTranspose() throws {
        check(try Conv1DTranspose(name: "t3op0", inputShape: [8, 4], filters: 3, kernelSize: 3, stride: 2,
                                  outputPadding: 0, activation: .linear))
        check(try Conv1DTranspose(name: "t5", inputShape: [7, 3], filters: 2, kernelSize: 5, stride: 2,
                                  activation: .linear))
        check(try Conv1DTranspose(name: "t7s1", inputShape: [12, 2], filters: 1, kernelSize: 7, stride: 1,
                                  activation: .linear))
    }

    func testDense() throws {
        check(try Dense(name: "dense", inputSize: 9, units: 4, activation: .linear), batch: 3)
    }

    func testFusedReLU() throws {
        check(try Conv1D(name: "relu-conv", inputShape: [16, 2], filters: 3, kernelSize: 5, stride: 2),
              step: 1e-3, tolerance: 2e-2)
        check(try Conv1DTranspose(name: "relu-deconv", inputShape: [6, 3], filters: 2, kernelSize: 5, stride: 2),
              step: 1e-3, tolerance: 2e-2)
        check(try Dense(name: "relu-dense", inputSize: 8, units: 5, activation: .relu), batch: 4, step: 1e-3,
              tolerance: 2e-2)
        check(ReLU(name: "relu", shape: [20]), step: 1e-3, tolerance: 2e-2)
    }

    func testDropoutReshapeSoftmax() throws {
        check(try Dropout(name: "dropout", shape: [30, 2], rate: 0.3))
        check(try Reshape(name: "reshape", from: [6, 4], to: [24]))
        check(Softmax(name: "softmax", shape: [3, 4]), batch: 3, step: 1e-3, tolerance: 2e-2)
    }

    func testLossGradients() {
        var rng = SeededRandom(seed: 3)
        let count = 24
        let probabilities = (0..<count).map { _ in 0.05 + 0.9 * rng.nextUniform() }
        let onehot = (0..<count).map { Float($0 % 3 == 0 ? 1 : 0) }
        let predictions = (0..<count).map { _ in Float(rng.nextNormal()) }
        let targets = (0..<count).map { _ in Float(rng.nextNormal()) }
        for (loss, p, t) in [(Loss.meanSquaredError, predictions, targets), (.binaryCrossEntropy, probabilities, onehot)] {
            var gradient = [Float](repeating: 0, count: count)
            let scale: Float = 1 / Float(count)
            _ = loss.evaluate(predictions: p, targets: t, count: count, gradient: &gradient, gradientScale: scale)
            for i in 0..<count {
                let h: Float = 1e-3
                var plus = p, minus = p
                plus[i] += h
                minus[i] -= h
                let lp = loss.evaluate(predictions: plus, targets: t, count: count, gradient: nil, gradientScale: 0)
                let lm = loss.evaluate(predictions: minus, targets: t, count: count, gradient: nil, gradientScale: 0)
                let numeric = (lp - lm) / Double(plus[i] - minus[i]) * Double(scale)
                XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 1e-3 * max(1, abs(numeric)), "\(loss.name) [\(i)]")
            }
        }
    }

    func testKerasValuesOfLosses() {
        // mse([1, 2], [0, 0]) = 2.5 ; bce(p = 0.8, t = 1) = -log(0.8)
        XCTAssertEqual(Loss.meanSquaredError.evaluate(predictions: [1, 2], targets: [0, 0], count: 2, gradient: nil,
                                                      gradientScale: 0) / 2, 2.5, accuracy: 1e-12)
        XCTAssertEqual(Loss.binaryCrossEntropy.evaluate(predictions: [0.8], targets: [1], count: 1, gradient: nil,
                                                        gradientScale: 0), -log(Double(Float(0.8))), accuracy: 1e-7)
    }
}
