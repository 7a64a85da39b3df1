import NeuralKernels

/// The forward window product (Conv1D) with the vector kernels: each output row reads its window straight from a
/// zero-padded copy of the sample (windows of a channels-last stride-s layout are contiguous and s * channels
/// apart), so there is no im2col copy and no GEMM packing.
extension WindowGeometry {
    /// Zero long positions needed before and after a sample so that every window lies inside.
    private var forwardPadding: (left: Int, right: Int) {
        (Swift.max(0, padLeft), Swift.max(0, (shortLength - 1) * stride - padLeft + kernel - longLength))
    }

    /// Scratch floats `forwardProduct` needs (one padded sample).
    var forwardScratchFloats: Int {
        let padding = forwardPadding
        return (padding.left + longLength + padding.right) * channels
    }

    /// short [batch, shortLength, columns] = act(bias + Σ_{j,c} long[o * stride - padLeft + j][c] * kernel[j][c][column])
    /// for long [batch, longLength, channels] and kernel [kernel, channels, columns] (act = ReLU when `relu`);
    /// `columns` a multiple of 8, on a processor with the vector kernels. `scratch` holds `forwardScratchFloats`.
    func forwardProduct(_ long: UnsafePointer<Float>, kernel weights: UnsafePointer<Float>, columns: Int,
                        bias: UnsafePointer<Float>, relu: Bool, into short: UnsafeMutablePointer<Float>, batch: Int,
                        scratch: UnsafeMutablePointer<Float>) {
        let padding = forwardPadding, sampleFloats = longLength * channels
        let padded = scratch
        padded.update(repeating: 0, count: padding.left * channels)
        (padded + padding.left * channels + sampleFloats).update(repeating: 0, count: padding.right * channels)
        for sample in 0..<batch {
            (padded + padding.left * channels).update(from: long + sample * sampleFloats, count: sampleFloats)
            WindowProduct.accumulate(rows: shortLength, columns: columns, depth: rowWidth,
                                     a: padded + (padding.left - padLeft) * channels, rowStride: stride * channels,
                                     b: weights, c: short + sample * shortLength * columns, ldc: columns,
                                     bias: bias, relu: relu)
        }
    }
}
