extension CUDAKernelSource {
    /// Bias, ReLU and their gradients, column sums (bias gradients), two-pass sums, batch gathers, axpby.
    public static let elementwise = #"""
    // y[r, c] += bias[c] over y [rows, channels]; then max(y, 0) when relu != 0.
    RE_KERNEL void re_bias_activation(float* y, const float* bias, long long rows, int channels, int relu) {
        RE_GRID_STRIDE(index, rows * channels) {
            float v = y[index] + bias[index % channels];
            y[index] = (relu && !(v > 0.0f)) ? 0.0f : v;
        }
    }

    // grad[i] = y[i] > 0 ? grad[i] : 0, where y is the ReLU's output (in place on grad).
    RE_KERNEL void re_relu_backward(const float* y, float* grad, long long n) {
        RE_GRID_STRIDE(index, n) {
            if (!(y[index] > 0.0f)) grad[index] = 0.0f;
        }
    }

    // out[c] = beta * out[c] + sum over r of x[r, c]; one block of RE_REDUCE_THREADS per column c (bias gradients).
    RE_KERNEL void re_column_sum(const float* x, float* out, long long rows, int columns, float beta) {
        int c = blockIdx.x;
        float sum = 0.0f;
        for (long long r = threadIdx.x; r < rows; r += blockDim.x) sum += x[r * columns + c];
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) out[c] = (beta == 0.0f ? 0.0f : beta * out[c]) + sum;
    }

    // partial[blockIdx.x] = sum of this block's grid-stride share of x[0..<n] (first pass of a deterministic sum).
    RE_KERNEL void re_sum_partials(const float* x, float* partial, long long n) {
        float sum = 0.0f;
        RE_GRID_STRIDE(index, n) sum += x[index];
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) partial[blockIdx.x] = sum;
    }

    // out[0] = (accumulate ? out[0] : 0) + scale * sum(partial[0..<count]); one block (second pass).
    RE_KERNEL void re_finish_sum(const float* partial, int count, float* out, float scale, int accumulate) {
        float sum = 0.0f;
        for (int i = threadIdx.x; i < count; i += blockDim.x) sum += partial[i];
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) out[0] = (accumulate ? out[0] : 0.0f) + scale * sum;
    }

    // dst[r, :] = src[indices[offset + r], :] for r < rows, rows of rowLength floats (shuffled batches on the device).
    RE_KERNEL void re_gather_rows(const float* src, const int* indices, int offset, float* dst,
                                  int rows, int rowLength) {
        RE_GRID_STRIDE(index, (long long)rows * rowLength) {
            long long r = index / rowLength;
            int k = (int)(index % rowLength);
            dst[index] = src[(long long)indices[offset + r] * rowLength + k];
        }
    }

    // y[i] = alpha * x[i] + beta * y[i].
    RE_KERNEL void re_axpby(const float* x, float* y, long long n, float alpha, float beta) {
        RE_GRID_STRIDE(index, n) y[index] = alpha * x[index] + (beta == 0.0f ? 0.0f : beta * y[index]);
    }

    // y[i] = max(x[i], 0) (a standalone ReLU layer).
    RE_KERNEL void re_relu(const float* x, float* y, long long n) {
        RE_GRID_STRIDE(index, n) y[index] = x[index] > 0.0f ? x[index] : 0.0f;
    }
    """#
}
