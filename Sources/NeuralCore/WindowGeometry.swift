/// The window layout of a 1-D convolution from a long axis to a short one, channels-last.
///
/// Output position o of the short axis reads long positions `o * stride - padLeft + j`, j in 0..<kernel;
/// positions outside 0..<longLength are zeros. Conv1D uses `gather` (im2col) and the adjoint `scatterAdd`
/// (col2im) for its input gradient; Conv1DTranspose uses them the other way round.
///
///     let g = WindowGeometry(longLength: 240, shortLength: 120, kernel: 7, stride: 2, padLeft: 2, channels: 1)
public struct WindowGeometry: Equatable, Sendable {
    /// Length of the long (un-strided) axis.
    public let longLength: Int
    /// Length of the short (strided) axis.
    public let shortLength: Int
    /// Kernel width.
    public let kernel: Int
    /// Stride.
    public let stride: Int
    /// Zero positions before the first long position.
    public let padLeft: Int
    /// Channels of the long-axis tensor.
    public let channels: Int

    /// Floats in one window row (kernel x channels).
    public var rowWidth: Int { kernel * channels }

    /// Keras 'same' padding: short = ceil(long / stride), total padding max((short-1)*stride + kernel - long, 0),
    /// the smaller half on the left.
    public static func same(longLength: Int, shortLength: Int, kernel: Int, stride: Int, channels: Int)
        -> WindowGeometry {
        let total = Swift.max((shortLength - 1) * stride + kernel - longLength, 0)
        return WindowGeometry(longLength: longLength, shortLength: shortLength, kernel: kernel, stride: stride,
                              padLeft: total / 2, channels: channels)
    }

    /// Valid kernel taps for short position `o`: j in lower..<upper.
    @inline(__always)
    func taps(_ o: Int) -> (lower: Int, upper: Int) {
        let start = o * stride - padLeft
        return (Swift.min(kernel, Swift.max(0, -start)), Swift.min(kernel, longLength - start))
    }

    /// im2col: long [batch, longLength, channels] -> rows [batch * shortLength, kernel * channels].
    func gather(_ long: UnsafePointer<Float>, into rows: UnsafeMutablePointer<Float>, batch: Int) {
        let width = rowWidth
        for sample in 0..<batch {
            let source = long + sample * longLength * channels
            for o in 0..<shortLength {
                let row = rows + (sample * shortLength + o) * width
                let (lower, upper) = taps(o)
                if lower > 0 { row.update(repeating: 0, count: lower * channels) }
                if upper > lower {
                    let start = (o * stride - padLeft + lower) * channels
                    (row + lower * channels).update(from: source + start, count: (upper - lower) * channels)
                }
                let tail = Swift.max(upper, lower)
                if tail < kernel { (row + tail * channels).update(repeating: 0, count: (kernel - tail) * channels) }
            }
        }
    }

    /// col2im: long += scatter of rows [batch * shortLength, kernel * channels] (the adjoint of `gather`).
    func scatterAdd(_ rows: UnsafePointer<Float>, into long: UnsafeMutablePointer<Float>, batch: Int) {
        let width = rowWidth
        for sample in 0..<batch {
            let target = long + sample * longLength * channels
            for o in 0..<shortLength {
                let (lower, upper) = taps(o)
                guard upper > lower else { continue }
                let row = rows + (sample * shortLength + o) * width + lower * channels
                let destination = target + (o * stride - padLeft + lower) * channels
                Vectorized.add(destination, row, count: (upper - lower) * channels)
            }
        }
    }
}
