/// Adam with Keras's update: alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m)(1 - beta1);
/// v += (g^2 - v)(1 - beta2); w -= alpha * m / (sqrt(v) + epsilon).
///
///     let adam = try Adam(parameterCount: 44_678)       // lr 1e-3, betas 0.9 / 0.999, epsilon 1e-7
public final class Adam {
    /// Learning rate.
    public let learningRate: Float
    /// First-moment decay.
    public let beta1: Float
    /// Second-moment decay.
    public let beta2: Float
    /// Added to sqrt(v).
    public let epsilon: Float
    /// Steps taken so far.
    public private(set) var iterations: Int = 0
    private var firstMoment: [Float]
    private var secondMoment: [Float]

    /// Creates the optimizer for a flat parameter vector of `parameterCount` values.
    /// - Throws: `NeuralError.invalidArgument` for a non-positive learning rate or betas outside [0, 1).
    public init(parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw NeuralError.invalidArgument("learning rate \(learningRate) must be positive")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon >= 0 else {
            throw NeuralError.invalidArgument("Adam betas must be in [0, 1) and epsilon >= 0")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = Array(repeating: 0, count: parameterCount)
        secondMoment = Array(repeating: 0, count: parameterCount)
    }

    /// The moments and step count, for a training checkpoint.
    public var state: (iterations: Int, firstMoment: [Float], secondMoment: [Float]) {
        (iterations, firstMoment, secondMoment)
    }

    /// Restores `state` (from a checkpoint of an optimizer over as many parameters).
    /// - Throws: `NeuralError.shapeMismatch` when the moments do not match the parameter count.
    public func restore(iterations: Int, firstMoment m: [Float], secondMoment v: [Float]) throws {
        guard m.count == firstMoment.count, v.count == secondMoment.count, iterations >= 0 else {
            throw NeuralError.shapeMismatch("Adam state for \(m.count) parameters; this optimizer has \(firstMoment.count)")
        }
        self.iterations = iterations
        firstMoment = m
        secondMoment = v
    }

    /// Starts a step: advances the step counter and returns this step's alpha.
    public func beginStep() -> Float {
        iterations += 1
        let t = Double(iterations)
        let correction = (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t))
        return Float(Double(learningRate) * correction)
    }

    /// Updates `count` weights at flat offset `offset` from their gradients (call after `beginStep`).
    public func update(_ weights: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int,
                       offset: Int, alpha: Float) {
        let b1 = 1 - beta1, b2 = 1 - beta2, eps = epsilon
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                let m = m.baseAddress! + offset, v = v.baseAddress! + offset
                for index in 0..<count {
                    let g = gradients[index]
                    m[index] += (g - m[index]) * b1
                    v[index] += (g * g - v[index]) * b2
                    weights[index] -= m[index] * alpha / (v[index].squareRoot() + eps)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
