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
        }
        return total
    }
}
