extension CUDAKernelSource {
    /// im2col and its adjoint col2im for strided Keras-'same' 1-D convolutions, channels-last.
    ///
    /// For a Conv1D with input [batch, length, channels], kernel size k, stride s and left padding padLeft:
    /// `cols[b * outLength + o, j * channels + c] = x[b, o * s + j - padLeft, c]` (zero outside), so the layer is
    /// the GEMM cols [batch * outLength, k * channels] x W [k * channels, out]. col2im is the exact adjoint
    /// (a gather, no atomics, deterministic): the input gradient of Conv1D, and the forward pass of
    /// Conv1DTranspose (its output of length `length` is the col2im of x W^T with its own 'same' padding).
    public static let convolution = #"""
    // cols[b*outLength + o, j*channels + c] = x[b, o*stride + j - padLeft, c], zero outside [0, length).
    RE_KERNEL void re_im2col(const float* x, float* cols, int batch, int length, int channels,
                             int outLength, int kernelSize, int stride, int padLeft) {
        long long total = (long long)batch * outLength * kernelSize * channels;
        RE_GRID_STRIDE(index, total) {
            int c = (int)(index % channels);
            long long rest = index / channels;
            int j = (int)(rest % kernelSize);
            rest /= kernelSize;
            int o = (int)(rest % outLength);
            long long b = rest / outLength;
            int i = o * stride + j - padLeft;
            cols[index] = (i >= 0 && i < length) ? x[(b * length + i) * channels + c] : 0.0f;
        }
    }

    // x[b, i, c] = sum of cols[b*outLength + o, j*channels + c] over o*stride + j - padLeft == i (adjoint of im2col).
    RE_KERNEL void re_col2im(const float* cols, float* x, int batch, int length, int channels,
                             int outLength, int kernelSize, int stride, int padLeft) {
        long long total = (long long)batch * length * channels;
        RE_GRID_STRIDE(index, total) {
            int c = (int)(index % channels);
            long long rest = index / channels;
            int i = (int)(rest % length);
            long long b = rest / length;
            int q = i + padLeft;
            int first = q - kernelSize + 1;
            first = first <= 0 ? 0 : (first + stride - 1) / stride;
            int last = q / stride;
            if (last > outLength - 1) last = outLength - 1;
            float sum = 0.0f;
            for (int o = first; o <= last; ++o) {
                int j = q - o * stride;
                sum += cols[((b * outLength + o) * kernelSize + j) * channels + c];
            }
            x[index] = sum;
        }
    }
    """#
}
