extension CUDAKernelSource {
    /// MSE, softmax, binary and categorical cross-entropy: each loss kernel writes the gradient element-wise and
    /// one partial sum per block (finish with `re_finish_sum`, one block of RE_REDUCE_THREADS threads).
    public static let losses = #"""
    // d = pred - target; grad[i] = gradScale * d (gradScale = 2 / n for Keras's mean); partial[block] = sum d^2.
    // grad may be null (evaluation only). Launch with RE_REDUCE_THREADS threads per block.
    RE_KERNEL void re_mse(const float* pred, const float* target, float* grad, float* partial, long long n,
                          float gradScale) {
        float sum = 0.0f;
        RE_GRID_STRIDE(index, n) {
            float d = pred[index] - target[index];
            if (grad) grad[index] = gradScale * d;
            sum += d * d;
        }
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) partial[blockIdx.x] = sum;
    }

    // probs[r, :] = softmax(logits[r, :]) over `classes`, one thread per row (max subtracted first).
    RE_KERNEL void re_softmax(const float* logits, float* probs, int rows, int classes) {
        RE_GRID_STRIDE(r, rows) {
            const float* z = logits + r * classes;
            float* p = probs + r * classes;
            float peak = z[0];
            for (int k = 1; k < classes; ++k) peak = z[k] > peak ? z[k] : peak;
            float total = 0.0f;
            for (int k = 0; k < classes; ++k) { p[k] = expf(z[k] - peak); total += p[k]; }
            for (int k = 0; k < classes; ++k) p[k] /= total;
        }
    }

    // gradLogits[r, k] = p[r, k] * (gradProbs[r, k] - sum_j p[r, j] gradProbs[r, j]) (softmax's Jacobian-vector).
    RE_KERNEL void re_softmax_backward(const float* probs, const float* gradProbs, float* gradLogits,
                                       int rows, int classes) {
        RE_GRID_STRIDE(r, rows) {
            const float* p = probs + r * classes;
            const float* g = gradProbs + r * classes;
            float dot = 0.0f;
            for (int k = 0; k < classes; ++k) dot += p[k] * g[k];
            for (int k = 0; k < classes; ++k) gradLogits[r * classes + k] = p[k] * (g[k] - dot);
        }
    }

    // Keras binary cross-entropy on probabilities: p = clip(probs, eps, 1 - eps),
    // loss_i = -(y log p + (1 - y) log(1 - p)); grad_i = gradScale * (p - y) / (p (1 - p)), 0 unless eps < probs < 1 - eps
    // (gradScale = 1 / n for the mean). partial[block] = sum of loss_i. grad may be null.
    RE_KERNEL void re_binary_cross_entropy(const float* probs, const float* labels, float* grad, float* partial,
                                           long long n, float epsilon, float gradScale) {
        float sum = 0.0f;
        RE_GRID_STRIDE(index, n) {
            float raw = probs[index], y = labels[index];
            float p = raw < epsilon ? epsilon : (raw > 1.0f - epsilon ? 1.0f - epsilon : raw);
            sum += -(y * logf(p) + (1.0f - y) * logf(1.0f - p));
            if (grad) {
                bool inside = raw > epsilon && raw < 1.0f - epsilon;
                grad[index] = inside ? gradScale * (p - y) / (p * (1.0f - p)) : 0.0f;
            }
        }
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) partial[blockIdx.x] = sum;
    }

    // Softmax + categorical cross-entropy fused: probs = softmax(logits), loss_r = -sum_k y log p,
    // gradLogits = gradScale * (p - y) (gradScale = 1 / rows). One thread per row; partial[block] = sum of loss_r.
    RE_KERNEL void re_softmax_cross_entropy(const float* logits, const float* labels, float* probs,
                                            float* gradLogits, float* partial, int rows, int classes,
                                            float gradScale) {
        float sum = 0.0f;
        RE_GRID_STRIDE(r, rows) {
            const float* z = logits + r * classes;
            const float* y = labels + r * classes;
            float peak = z[0];
            for (int k = 1; k < classes; ++k) peak = z[k] > peak ? z[k] : peak;
            float total = 0.0f;
            for (int k = 0; k < classes; ++k) total += expf(z[k] - peak);
            float logTotal = logf(total);
            for (int k = 0; k < classes; ++k) {
                float logP = z[k] - peak - logTotal;
                float p = expf(logP);
                probs[r * classes + k] = p;
                sum -= y[k] * logP;
                if (gradLogits) gradLogits[r * classes + k] = gradScale * (p - y[k]);
            }
        }
        sum = re_block_sum(sum);
        if (threadIdx.x == 0) partial[blockIdx.x] = sum;
    }
    """#

    /// Adam in Keras's form over one flat parameter buffer (every tensor of a model in one launch).
    public static let adam = #"""
    // Keras Adam: m += (g - m)(1 - beta1); v += (g^2 - v)(1 - beta2); w -= alpha * m / (sqrt(v) + epsilon), with
    // alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t) computed by the host for step t and read from device memory
    // (so a captured CUDA graph uses each step's alpha). Keras's default epsilon is 1e-7.
    RE_KERNEL void re_adam(float* w, const float* g, float* m, float* v, long long n, const float* alpha,
                           float beta1, float beta2, float epsilon) {
        float a = alpha[0];
        RE_GRID_STRIDE(index, n) {
            float gi = g[index];
            float mi = m[index] + (gi - m[index]) * (1.0f - beta1);
            float vi = v[index] + (gi * gi - v[index]) * (1.0f - beta2);
            m[index] = mi;
            v[index] = vi;
            w[index] -= mi * a / (sqrtf(vi) + epsilon);
        }
    }
    """#
}
