import NeuralKernels

/// The window products of the long axis with the vector kernels: each short position reads its window straight
/// from a zero-padded copy of the sample (windows of a channels-last stride-s layout are contiguous and
/// s * channels apart), so there is no im2col copy and no GEMM packing. Conv1D's forward pass and kernel gradient,
/// Conv1DTranspose's input and kernel gradients.
extension WindowGeometry {
    /// Whether a layer with this layout and `shortChannels` on the short axis should run the vector kernels on
    /// `backend`. Measured on the paper's autoencoder (bench/aec_keras_bench, AEC_PROFILE=1): the register
    /// blocks win on long, narrow layers; OpenBLAS's packed sgemm wins on short, wide ones (fewer than 16 short
    /// positions with 64 or more channels: conv4, deconv0 and deconv1), where the 6-row blocks run partly empty.
    func prefersVectorKernels(_ backend: ComputeBackend, shortChannels: Int) -> Bool {
        backend.usesVectorKernels && !(shortLength < 16 && Swift.max(channels, shortChannels) >= 64)
    }

    /// Zero long positions needed before and after a sample so that every window lies inside.
    private var forwardPadding: (left: Int, right: Int) {
        (Swift.max(0, padLeft), Swift.max(0, (shortLength - 1) * stride - padLeft + kernel - longLength))
    }

    /// Scratch floats the products of this file need (one padded sample).
    var forwardScratchFloats: Int {
        let padding = forwardPadding
        return (padding.left + longLength + padding.right) * channels
    }

    /// Calls `body(sample, windows)` for each sample of long [batch, longLength, channels], where `windows` points
    /// at the first window of a zero-padded copy in `scratch`: window o starts at windows + o * stride * channels.
    func forEachPaddedSample(_ long: UnsafePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>,
                                     _ body: (Int, UnsafePointer<Float>) -> Void) {
        let padding = forwardPadding, sampleFloats = longLength * channels
        scratch.update(repeating: 0, count: padding.left * channels)
        (scratch + padding.left * channels + sampleFloats).update(repeating: 0, count: padding.right * channels)
        for sample in 0..<batch {
            (scratch + padding.left * channels).update(from: long + sample * sampleFloats, count: sampleFloats)
            body(sample, scratch + (padding.left - padLeft) * channels)
        }
    }

    /// short [batch, shortLength, columns] = act(bias + Σ_{j,c} long[o * stride - padLeft + j][c] * kernel[j][c][column])
    /// for long [batch, longLength, channels] and kernel [kernel, channels, columns] (act = ReLU when `relu`);
    /// without a bias, short += the product. `columns` a multiple of 8, on a processor with the vector kernels.
    /// `scratch` holds `forwardScratchFloats`.
    func forwardProduct(_ long: UnsafePointer<Float>, kernel weights: UnsafePointer<Float>, columns: Int,
                        bias: UnsafePointer<Float>?, relu: Bool, into short: UnsafeMutablePointer<Float>, batch: Int,
                        scratch: UnsafeMutablePointer<Float>) {
        forEachPaddedSample(long, batch: batch, scratch: scratch) { sample, windows in
            WindowProduct.accumulate(rows: shortLength, columns: columns, depth: rowWidth, a: windows,
                                     rowStride: stride * channels, b: weights,
                                     c: short + sample * shortLength * columns, ldc: columns, bias: bias, relu: relu)
        }
    }

    /// Zero-padded copies of every sample of long [batch, longLength, channels], `forwardScratchFloats` apart in
    /// `scratch` (which holds batch x `forwardScratchFloats`); returns the first window of sample 0: window o of
    /// sample n starts at that + n * forwardScratchFloats + o * stride * channels.
    func padAllSamples(_ long: UnsafePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>)
        -> UnsafePointer<Float> {
        let padding = forwardPadding, sampleFloats = longLength * channels, paddedFloats = forwardScratchFloats
        for sample in 0..<batch {
            let padded = scratch + sample * paddedFloats
            padded.update(repeating: 0, count: padding.left * channels)
            (padded + padding.left * channels).update(from: long + sample * sampleFloats, count: sampleFloats)
            (padded + padding.left * channels + sampleFloats).update(repeating: 0, count: padding.right * channels)
        }
        return UnsafePointer(scratch + (padding.left - padLeft) * channels)
    }

    /// gradient[j][c][column] += Σ_{sample, o} long[o * stride - padLeft + j][c] * short[o][column]: the kernel
    /// gradient [kernel, channels, columns] of the window product, for long [batch, longLength, channels] and
    /// short [batch, shortLength, columns]. `columns` a multiple of 8, on a processor with the vector kernels.
    /// `scratch` holds batch x `forwardScratchFloats`.
    func kernelGradient(_ long: UnsafePointer<Float>, short: UnsafePointer<Float>, columns: Int,
                        into gradient: UnsafeMutablePointer<Float>, batch: Int, scratch: UnsafeMutablePointer<Float>) {
        let windows = padAllSamples(long, batch: batch, scratch: scratch)
        WindowProduct.accumulateOuter(rows: rowWidth, columns: columns, depth: shortLength, a: windows,
                                      depthStride: stride * channels, b: short, ldb: columns, c: gradient,
                                      ldc: columns, samples: batch, aSampleStride: forwardScratchFloats,
                                      bSampleStride: shortLength * columns)
    }
}
