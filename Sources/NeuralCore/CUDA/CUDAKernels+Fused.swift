extension CUDAKernelSource {
    /// The whole paper autoencoder's inference in one kernel (`re_fused_autoencoder`), one block per SM, each block
    /// streaming spectra through all 13 layers with activations in shared memory.
    ///
    /// The 44,678 weights (174.5 KiB) go into shared memory too when the device allows that much per block
    /// (opt-in via CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: 227 KiB on sm_90; only 163 KiB on sm_80, so
    /// there they are read from global memory through the cache). Weights come in the fused layout that
    /// `FusedAutoencoderLayout.pack` writes. Shared memory needed: 4 * (44,678 * weightsInShared
    /// + spectraPerPass * RE_FUSED_PER_SPECTRUM) bytes.
    public static let fusedAutoencoder = #"""
    #define RE_FUSED_PARAMETERS 44678
    #define RE_FUSED_BUFFER 1920
    #define RE_FUSED_SCRATCH 320
    #define RE_FUSED_PER_SPECTRUM (2 * RE_FUSED_BUFFER + RE_FUSED_SCRATCH + 8)

    // Left padding of a Keras 'same' convolution that maps inLength to outLength with kernel k and stride s.
    RE_DEVICE int re_same_pad(int inLength, int outLength, int k, int s) {
        int total = (outLength - 1) * s + k - inLength;
        return total > 0 ? total / 2 : 0;
    }

    // Conv1D 'same' on `spectra` maps in shared memory:
    // out[q][o, co] = bias[co] + sum_j sum_ci in[q][o*s + j - pad, ci] * W[j, ci, co], then ReLU when relu != 0.
    RE_DEVICE void re_fused_conv(const float* in, float* out, int length, int cin, int outLength, int cout,
                                 int k, int s, const float* W, const float* bias, int relu, int spectra) {
        int pad = re_same_pad(length, outLength, k, s);
        int perSpectrum = outLength * cout;
        for (int index = threadIdx.x; index < spectra * perSpectrum; index += blockDim.x) {
            int q = index / perSpectrum, rest = index - q * perSpectrum;
            int o = rest / cout, co = rest - o * cout;
            const float* x = in + q * RE_FUSED_PER_SPECTRUM;
            float acc = bias[co];
            for (int j = 0; j < k; ++j) {
                int i = o * s + j - pad;
                if (i < 0 || i >= length) continue;
                const float* xi = x + i * cin;
                const float* wj = W + j * cin * cout + co;
                for (int ci = 0; ci < cin; ++ci) acc += xi[ci] * wj[ci * cout];
            }
            out[q * RE_FUSED_PER_SPECTRUM + rest] = (relu && !(acc > 0.0f)) ? 0.0f : acc;
        }
        __syncthreads();
    }

    // Conv1DTranspose 'same' (the adjoint of a 'same' Conv1D from outLength to length):
    // out[q][o, co] = bias[co] + sum over i*s + j - pad == o of sum_ci in[q][i, ci] * W[j, ci, co].
    RE_DEVICE void re_fused_conv_transpose(const float* in, float* out, int length, int cin, int outLength,
                                           int cout, int k, int s, const float* W, const float* bias, int relu,
                                           int spectra) {
        int pad = re_same_pad(outLength, length, k, s);
        int perSpectrum = outLength * cout;
        for (int index = threadIdx.x; index < spectra * perSpectrum; index += blockDim.x) {
            int q = index / perSpectrum, rest = index - q * perSpectrum;
            int o = rest / cout, co = rest - o * cout;
            const float* x = in + q * RE_FUSED_PER_SPECTRUM;
            int shifted = o + pad;
            int first = shifted - k + 1;
            first = first <= 0 ? 0 : (first + s - 1) / s;
            int last = shifted / s;
            if (last > length - 1) last = length - 1;
            float acc = bias[co];
            for (int i = first; i <= last; ++i) {
                int j = shifted - i * s;
                const float* xi = x + i * cin;
                const float* wj = W + j * cin * cout + co;
                for (int ci = 0; ci < cin; ++ci) acc += xi[ci] * wj[ci * cout];
            }
            out[q * RE_FUSED_PER_SPECTRUM + rest] = (relu && !(acc > 0.0f)) ? 0.0f : acc;
        }
        __syncthreads();
    }

    // z[q][u] = relu(bias[u] + sum_p in[q][p] W[p, u]) for the 512 -> 5 latent Dense: 64 partial sums of 8 inputs
    // per unit in scratch, then one thread per unit adds them.
    RE_DEVICE void re_fused_latent(const float* in, float* scratch, float* z, const float* W, const float* bias,
                                   int spectra) {
        const int units = 5, chunks = 64, chunk = 8;
        for (int index = threadIdx.x; index < spectra * units * chunks; index += blockDim.x) {
            int q = index / (units * chunks), rest = index - q * units * chunks;
            int u = rest / chunks, c = rest - u * chunks;
            const float* x = in + q * RE_FUSED_PER_SPECTRUM + c * chunk;
            float acc = 0.0f;
            for (int p = 0; p < chunk; ++p) acc += x[p] * W[(c * chunk + p) * units + u];
            scratch[q * RE_FUSED_PER_SPECTRUM + rest] = acc;
        }
        __syncthreads();
        for (int index = threadIdx.x; index < spectra * units; index += blockDim.x) {
            int q = index / units, u = index - q * units;
            float acc = bias[u];
            for (int c = 0; c < chunks; ++c) acc += scratch[q * RE_FUSED_PER_SPECTRUM + u * chunks + c];
            z[q * RE_FUSED_PER_SPECTRUM + u] = acc > 0.0f ? acc : 0.0f;
        }
        __syncthreads();
    }

    // The paper autoencoder, inference: x [count, 240] -> decoded [count, 240], latent [count, 5] (may be null),
    // probabilities [count, 2] = softmax(latent * C[5, 2] + c[2]) when classifier (12 floats) is not null.
    // Launch with dynamic shared memory 4 * (RE_FUSED_PARAMETERS * weightsInShared
    // + spectraPerPass * RE_FUSED_PER_SPECTRUM) bytes.
    RE_KERNEL void re_fused_autoencoder(const float* weights, const float* classifier, const float* x,
                                        float* decoded, float* latent, float* probabilities, int count,
                                        int spectraPerPass, int weightsInShared) {
        RE_DYNAMIC_SHARED(float, shared);
        const float* W = weights;
        float* work = shared;
        if (weightsInShared) {
            for (int i = threadIdx.x; i < RE_FUSED_PARAMETERS; i += blockDim.x) shared[i] = weights[i];
            W = shared;
            work = shared + RE_FUSED_PARAMETERS;
            __syncthreads();
        }
        const float* p = W;
        const float* k0 = p; p += 7 * 1 * 8;    const float* b0 = p; p += 8;
        const float* k1 = p; p += 7 * 8 * 16;   const float* b1 = p; p += 16;
        const float* k2 = p; p += 5 * 16 * 16;  const float* b2 = p; p += 16;
        const float* k3 = p; p += 5 * 16 * 32;  const float* b3 = p; p += 32;
        const float* k4 = p; p += 3 * 32 * 64;  const float* b4 = p; p += 64;
        const float* kl = p; p += 512 * 5;      const float* bl = p; p += 5;
        const float* kd = p; p += 5 * 512;      const float* bd = p; p += 512;
        const float* t0 = p; p += 3 * 64 * 64;  const float* c0 = p; p += 64;
        const float* t1 = p; p += 5 * 64 * 32;  const float* c1 = p; p += 32;
        const float* t2 = p; p += 5 * 32 * 16;  const float* c2 = p; p += 16;
        const float* t3 = p; p += 7 * 16 * 16;  const float* c3 = p; p += 16;
        const float* t4 = p; p += 7 * 16 * 8;   const float* c4 = p; p += 8;
        const float* t5 = p; p += 7 * 8 * 1;    const float* c5 = p;
        float* A = work;
        float* B = work + RE_FUSED_BUFFER;
        float* scratch = work + 2 * RE_FUSED_BUFFER;
        float* z = scratch + RE_FUSED_SCRATCH;
        const int S = spectraPerPass;
        for (long long base = (long long)blockIdx.x * S; base < count; base += (long long)gridDim.x * S) {
            int n = (long long)count - base < S ? (int)(count - base) : S;
            for (int i = threadIdx.x; i < n * 240; i += blockDim.x) {
                int q = i / 240;
                A[q * RE_FUSED_PER_SPECTRUM + i - q * 240] = x[base * 240 + i];
            }
            __syncthreads();
            re_fused_conv(A, B, 240, 1, 120, 8, 7, 2, k0, b0, 1, n);
            re_fused_conv(B, A, 120, 8, 60, 16, 7, 2, k1, b1, 1, n);
            re_fused_conv(A, B, 60, 16, 30, 16, 5, 2, k2, b2, 1, n);
            re_fused_conv(B, A, 30, 16, 15, 32, 5, 2, k3, b3, 1, n);
            re_fused_conv(A, B, 15, 32, 8, 64, 3, 2, k4, b4, 1, n);
            re_fused_latent(B, scratch, z, kl, bl, n);
            for (int q = threadIdx.x; q < n; q += blockDim.x) {
                const float* zq = z + q * RE_FUSED_PER_SPECTRUM;
                if (latent) for (int u = 0; u < 5; ++u) latent[(base + q) * 5 + u] = zq[u];
                if (classifier && probabilities) {
                    float l0 = classifier[10], l1 = classifier[11];
                    for (int u = 0; u < 5; ++u) { l0 += zq[u] * classifier[2 * u]; l1 += zq[u] * classifier[2 * u + 1]; }
                    float peak = l0 > l1 ? l0 : l1;
                    float e0 = expf(l0 - peak), e1 = expf(l1 - peak);
                    probabilities[(base + q) * 2] = e0 / (e0 + e1);
                    probabilities[(base + q) * 2 + 1] = e1 / (e0 + e1);
                }
            }
            re_fused_conv(z, A, 1, 5, 1, 512, 1, 1, kd, bd, 0, n);
            re_fused_conv_transpose(A, B, 8, 64, 15, 64, 3, 2, t0, c0, 1, n);
            re_fused_conv_transpose(B, A, 15, 64, 30, 32, 5, 2, t1, c1, 1, n);
            re_fused_conv_transpose(A, B, 30, 32, 60, 16, 5, 2, t2, c2, 1, n);
            re_fused_conv_transpose(B, A, 60, 16, 120, 16, 7, 2, t3, c3, 1, n);
            re_fused_conv_transpose(A, B, 120, 16, 240, 8, 7, 2, t4, c4, 1, n);
            re_fused_conv_transpose(B, A, 240, 8, 240, 1, 7, 1, t5, c5, 0, n);
            for (int i = threadIdx.x; i < n * 240; i += blockDim.x) {
                int q = i / 240;
                decoded[base * 240 + i] = A[q * RE_FUSED_PER_SPECTRUM + i - q * 240];
            }
            __syncthreads();
        }
    }
    """#
}
