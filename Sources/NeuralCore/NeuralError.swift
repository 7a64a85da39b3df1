/// Errors from the network core: wrong shapes, mismatched weight files, non-finite numbers, bad settings.
///
///     do { _ = try model.predict(inputs: x, count: 3) }
///     catch let error as NeuralError { print(error) }   // "inputs hold 700 values; expected 3 x 240 = 720"
public enum NeuralError: Error, Equatable, CustomStringConvertible {
    /// A buffer's size or a shape does not match what the layer or model expects.
    case shapeMismatch(String)
    /// Input or target values contain NaN or infinity.
    case nonFiniteInput(String)
    /// The loss became NaN or infinite during training.
    case nonFiniteLoss(epoch: Int, step: Int, loss: Double)
    /// A weight file lacks a tensor, has a tensor of the wrong shape or type, or is malformed.
    case weightFile(String)
    /// An argument is out of its allowed range (batch size, epochs, rates...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let text): return "shape mismatch: \(text)"
        case .nonFiniteInput(let text): return "non-finite input: \(text)"
        case .nonFiniteLoss(let epoch, let step, let loss):
            return "training stopped: the loss became \(loss) at epoch \(epoch), step \(step) "
                + "(try a lower learning rate or check the data's scale)"
        case .weightFile(let text): return "weight file: \(text)"
        case .invalidArgument(let text): return "invalid argument: \(text)"
        }
    }
}

extension NeuralError {
    /// Throws `.nonFiniteInput` naming the first NaN/Inf element of `values`, if any.
    static func checkFinite(_ values: UnsafeBufferPointer<Float>, what: String, perSample: Int) throws {
        for index in 0..<values.count where !values[index].isFinite {
            let sample = perSample > 0 ? index / perSample : 0
            let offset = perSample > 0 ? index % perSample : index
            throw NeuralError.nonFiniteInput(
                "\(what) hold \(values[index]) at sample \(sample), element \(offset); every value must be finite")
        }
    }
}
