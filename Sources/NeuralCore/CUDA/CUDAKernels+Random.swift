extension CUDAKernelSource {
    /// Dropout driven by Philox4x32-10 (Salmon et al., SC'11), a counter-based RNG: the mask for element i is a
    /// pure function of (seed, stream, i), so the backward pass recomputes it instead of storing it, and results do
    /// not depend on the launch configuration.
    public static let random = #"""
    struct re_words { unsigned int x, y, z, w; };

    RE_DEVICE unsigned int re_mulhi(unsigned int a, unsigned int b) {
        return (unsigned int)(((unsigned long long)a * (unsigned long long)b) >> 32);
    }

    // Philox4x32 with 10 rounds: 4 random 32-bit words for counter c and key (k0, k1).
    RE_DEVICE re_words re_philox(re_words c, unsigned int k0, unsigned int k1) {
        for (int round = 0; round < 10; ++round) {
            if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
            unsigned int hi0 = re_mulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
            unsigned int hi1 = re_mulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
            re_words next;
            next.x = hi1 ^ c.y ^ k0; next.y = lo1; next.z = hi0 ^ c.w ^ k1; next.w = lo0;
            c = next;
        }
        return c;
    }

    // out[i] = ctr/key Philox words, for known-answer tests: out[4g..4g+3] = philox({g + c0, c1, c2, c3}, k0, k1).
    RE_KERNEL void re_philox_fill(unsigned int* out, int groups, unsigned int c0, unsigned int c1,
                                  unsigned int c2, unsigned int c3, unsigned int k0, unsigned int k1) {
        RE_GRID_STRIDE(g, groups) {
            re_words c; c.x = c0 + (unsigned int)g; c.y = c1; c.z = c2; c.w = c3;
            re_words r = re_philox(c, k0, k1);
            out[4 * g] = r.x; out[4 * g + 1] = r.y; out[4 * g + 2] = r.z; out[4 * g + 3] = r.w;
        }
    }

    // Inverted dropout: y[i] = keep(i) ? x[i] / (1 - rate) : 0, with keep(i) = u(i) >= rate and u(i) in [0, 1) from
    // word i % 4 of philox({i / 4 low, i / 4 high, stream, 0}, seed[0], seed[1]). The seed is read from device memory
    // so that a captured CUDA graph draws new masks on every replay. The backward pass is the same call on the
    // gradient with the same seed and stream. In place (x == y) is allowed.
    RE_KERNEL void re_dropout(const float* x, float* y, long long n, float rate, const unsigned int* seed,
                              unsigned int stream) {
        float scale = 1.0f / (1.0f - rate);
        unsigned int seed0 = seed[0], seed1 = seed[1];
        RE_GRID_STRIDE(g, (n + 3) / 4) {
            re_words c;
            c.x = (unsigned int)g; c.y = (unsigned int)(g >> 32); c.z = stream; c.w = 0u;
            re_words r = re_philox(c, seed0, seed1);
            unsigned int words[4] = { r.x, r.y, r.z, r.w };
            for (int k = 0; k < 4; ++k) {
                long long i = 4 * g + k;
                if (i >= n) break;
                float u = (float)(words[k] >> 8) * (1.0f / 16777216.0f);
                y[i] = u >= rate ? x[i] * scale : 0.0f;
            }
        }
    }
    """#
}
