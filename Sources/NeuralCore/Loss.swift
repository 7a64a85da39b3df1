#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A loss averaged over every element of the batch (Keras's mean over the last axis, then over the batch).
///
///     let loss = Loss.meanSquaredError
///     loss.name   // "mse"
public enum Loss: String, Sendable {
    /// mean((prediction - target)^2).
    case meanSquaredError = "mse"
    /// mean(-(t log p + (1 - t) log(1 - p))), p clipped to [1e-7, 1 - 1e-7] as Keras does.
    case binaryCrossEntropy = "binary_crossentropy"
    /// mean over samples of -Σ_classes t log p (Keras's categorical cross-entropy), p clipped to [1e-7, 1].
    /// Targets are one-hot (or any rows summing to 1), so the sample count is the sum of the targets.
    case categoricalCrossEntropy = "categorical_crossentropy"

    /// The name Keras uses.
    public var name: String { rawValue }

    /// Keras's epsilon for clipping probabilities.
    public static let epsilon: Float = 1e-7

    /// Sum of the per-element losses of `count` elements; when `gradient` is non-nil it receives
    /// d(sum * gradientScale)/d(prediction). Pass gradientScale = 1 / (elements in the whole batch) for the mean.
    public func evaluate(predictions: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int,
                         gradient: UnsafeMutablePointer<Float>?, gradientScale: Float) -> Double {
        var total: Double = 0
        switch self {
        case .meanSquaredError:
            for index in 0..<count {
                let difference = predictions[index] - targets[index]
                total += Double(difference * difference)
                gradient?[index] = 2 * difference * gradientScale
            }
        case .binaryCrossEntropy:
            let low = Loss.epsilon, high = 1 - Loss.epsilon
            for index in 0..<count {
                let raw = predictions[index], t = targets[index]
                let p = Swift.min(Swift.max(raw, low), high)
                total -= Double(t) * log(Double(p)) + Double(1 - t) * log(Double(1 - p))
                if let gradient {
                    gradient[index] = (raw > low && raw < high) ? (-(t / p) + (1 - t) / (1 - p)) * gradientScale : 0
                }
            }
        case .categoricalCrossEntropy:
            // The caller divides the sum by `count` elements (and scales gradients by 1 / count); rows of one-hot
            // targets sum to 1, so count / Σt = classes turns that element mean into Keras's mean over samples.
            var samples: Double = 0
            for index in 0..<count { samples += Double(targets[index]) }
            let perSample = samples > 0 ? Double(count) / samples : 1
            let low = Loss.epsilon
            for index in 0..<count {
                let raw = predictions[index], t = targets[index]
                let p = Swift.max(raw, low)
                total -= Double(t) * log(Double(p)) * perSample
                if let gradient {
                    gradient[index] = raw > low ? -(t / p) * gradientScale * Float(perSample) : 0
                }
            }
        }
        return total
    }
}
