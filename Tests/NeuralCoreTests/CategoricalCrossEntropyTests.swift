import Foundation
import NeuralCore
import XCTest

/// Categorical cross-entropy: Keras's value (mean over samples of -Σ t log p) and a gradient that matches finite
/// differences, through a softmax too.
final class CategoricalCrossEntropyTests: XCTestCase {
    func testValueIsKerasCategoricalCrossEntropy() {
        // Two samples of 3 classes: p(true) = 0.7 and 0.2 -> (-log 0.7 - log 0.2) / 2.
        let p: [Float] = [0.7, 0.2, 0.1, 0.5, 0.3, 0.2], t: [Float] = [1, 0, 0, 0, 0, 1]
        let sum = Loss.categoricalCrossEntropy.evaluate(predictions: p, targets: t, count: 6, gradient: nil,
                                                        gradientScale: 0)
        XCTAssertEqual(sum / 6, (-log(0.7) - log(0.2)) / 2, accuracy: 1e-6, "the caller's mean over elements")
    }

    func testGradientMatchesFiniteDifferences() {
        var rng = SeededRandom(seed: 9)
        let count = 24, classes = 4
        let p = (0..<count).map { _ in 0.05 + 0.9 * rng.nextUniform() }
        let t = (0..<count).map { Float($0 % classes == ($0 / classes) % classes ? 1 : 0) }
        var gradient = [Float](repeating: 0, count: count)
        let scale: Float = 1 / Float(count)
        _ = Loss.categoricalCrossEntropy.evaluate(predictions: p, targets: t, count: count, gradient: &gradient,
                                                  gradientScale: scale)
        for i in 0..<count {
            let h: Float = 1e-3
            var plus = p, minus = p
            plus[i] += h
            minus[i] -= h
            let lp = Loss.categoricalCrossEntropy.evaluate(predictions: plus, targets: t, count: count, gradient: nil,
                                                           gradientScale: 0)
            let lm = Loss.categoricalCrossEntropy.evaluate(predictions: minus, targets: t, count: count, gradient: nil,
                                                           gradientScale: 0)
            let numeric = (lp - lm) / Double(plus[i] - minus[i]) * Double(scale)
            XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 1e-3 * max(1, abs(numeric)), "[\(i)]")
        }
    }

    func testASoftmaxHeadLearnsThreeClasses() throws {
        // Three separable clusters in 2-D; Dense 3 + softmax trained with categorical cross-entropy.
        var rng = SeededRandom(seed: 2)
        var x: [Float] = [], y: [Float] = []
        let centres: [(Float, Float)] = [(2, 0), (-1, 2), (-1, -2)]
        for i in 0..<300 {
            let c = i % 3
            x += [centres[c].0 + 0.5 * Float(rng.nextNormal()), centres[c].1 + 0.5 * Float(rng.nextNormal())]
            y += (0..<3).map { $0 == c ? 1 : 0 }
        }
        let net = try Sequential([try Dense(name: "head", inputSize: 2, units: 3), Softmax(name: "sm", shape: [3])])
        let before = try net.evaluate(inputs: x, targets: y, count: 300, loss: .categoricalCrossEntropy)
        let history = try net.fit(inputs: x, targets: y, count: 300,
                                  options: TrainingOptions(epochs: 60, batchSize: 32, seed: 1,
                                                           loss: .categoricalCrossEntropy, learningRate: 1e-2))
        let after = try net.evaluate(inputs: x, targets: y, count: 300, loss: .categoricalCrossEntropy)
        XCTAssertLessThan(after, before / 4, "\(before) -> \(after)")
        XCTAssertEqual(history.loss.count, 60)
        let p = try net.predict(x, count: 300)
        let correct = (0..<300).filter { i in (0..<3).max { p[i * 3 + $0] < p[i * 3 + $1] }! == i % 3 }.count
        XCTAssertGreaterThan(correct, 280)
    }
}
