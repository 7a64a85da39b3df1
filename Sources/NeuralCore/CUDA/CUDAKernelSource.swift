/// The CUDA C sources of every non-GEMM kernel, compiled at run time by NVRTC into one module.
///
/// Each unit is plain CUDA C++ with `extern "C"` entry points (names start with `re_`), no #include, and only
/// `__syncthreads` + shared memory for cooperation, so that the same text also compiles as C++ for the CPU
/// emulation the tests use (`RAPIDEELS_CPU_EMULATION` defined, see Tests/NeuralCoreTests/CUDAEmulation*.swift).
/// Tensors are row-major, channels-last: [batch, length, channels] Float32.
///
///     let ptx = try NVRTC.load().compile(CUDAKernelSource.module, name: "rapideels.cu", target: .ptx(sm: 90))
public enum CUDAKernelSource {
    /// Macros shared by every unit: the kernel qualifier, dynamic shared memory, grid-stride loops, block sums.
    public static let prelude = #"""
    #ifndef RAPIDEELS_CPU_EMULATION
    #define RE_KERNEL extern "C" __global__
    #define RE_DEVICE __device__ inline
    #define RE_DYNAMIC_SHARED(T, name) extern __shared__ T name[]
    #endif
    // Threads per block of every kernel that reduces (re_block_sum assumes exactly this many).
    #define RE_REDUCE_THREADS 256
    #define RE_GRID_STRIDE(i, n) \
        for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
             i += (long long)blockDim.x * gridDim.x)

    // Sum of v over the block (blockDim.x == RE_REDUCE_THREADS); every thread gets the result.
    RE_DEVICE float re_block_sum(float v) {
        __shared__ float buffer[RE_REDUCE_THREADS];
        buffer[threadIdx.x] = v;
        __syncthreads();
        for (int width = RE_REDUCE_THREADS / 2; width > 0; width >>= 1) {
            if ((int)threadIdx.x < width) buffer[threadIdx.x] += buffer[threadIdx.x + width];
            __syncthreads();
        }
        float total = buffer[0];
        __syncthreads();
        return total;
    }
    """#

    /// The units in module order: (file name, source).
    public static var units: [(name: String, source: String)] {
        [
            ("convolution.cu", convolution), ("elementwise.cu", elementwise), ("random.cu", random),
            ("losses.cu", losses), ("adam.cu", adam), ("fused_autoencoder.cu", fusedAutoencoder),
        ]
    }

    /// Everything in one translation unit: the prelude followed by every unit.
    public static var module: String {
        ([prelude] + units.map { "// ---- \($0.name)\n" + $0.source }).joined(separator: "\n")
    }

    /// The `extern "C"` entry points the module defines, in source order.
    public static var kernelNames: [String] {
        var names: [String] = []
        for line in module.split(separator: "\n") where line.hasPrefix("RE_KERNEL void ") {
            let rest = line.dropFirst("RE_KERNEL void ".count)
            if let open = rest.firstIndex(of: "(") { names.append(String(rest[..<open])) }
        }
        return names
    }
}
