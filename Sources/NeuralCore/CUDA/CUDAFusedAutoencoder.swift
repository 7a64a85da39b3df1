/// The paper autoencoder's inference as the single fused kernel `re_fused_autoencoder`.
///
/// Chooses how many spectra each block keeps in flight and whether the 44,678 weights fit in shared memory
/// (227 KiB per block on sm_90: yes; 163 KiB on sm_80: no, they are then read through the cache).
///
///     let model = try CUDAFusedAutoencoder(context: gpu, packedWeights: FusedAutoencoderLayout.pack { ... })
///     try model.run(x, count: n, decoded: y)          // host arrays [n, 240]
public final class CUDAFusedAutoencoder {
    /// Floats of shared memory per spectrum in flight (RE_FUSED_PER_SPECTRUM).
    public static let floatsPerSpectrum = 2 * 1920 + 320 + 8
    /// Threads per block.
    public static let threads = 512
    private let context: CUDAContext
    /// The packed weights on the device.
    public let weights: CUDABuffer
    /// True when the weights are copied into shared memory.
    public let weightsInShared: Bool
    /// Spectra each block processes per pass.
    public let spectraPerPass: Int
    /// Dynamic shared memory per block, in bytes.
    public let sharedBytes: Int

    /// Uploads weights in `FusedAutoencoderLayout` order and configures the kernel for this device.
    public init(context: CUDAContext, packedWeights: [Float]) throws {
        guard packedWeights.count == FusedAutoencoderLayout.parameterCount else {
            throw CUDAError.invalidArgument(
                "fused autoencoder needs \(FusedAutoencoderLayout.parameterCount) weights, got \(packedWeights.count)")
        }
        self.context = context
        weights = try context.upload(packedWeights)
        let limit = context.maxSharedMemoryPerBlock
        let weightBytes = 4 * FusedAutoencoderLayout.parameterCount, perSpectrum = 4 * Self.floatsPerSpectrum
        weightsInShared = weightBytes + perSpectrum <= limit
        let room = limit - (weightsInShared ? weightBytes : 0)
        spectraPerPass = max(1, min(8, room / perSpectrum))
        sharedBytes = (weightsInShared ? weightBytes : 0) + spectraPerPass * perSpectrum
        try context.allowSharedMemory("re_fused_autoencoder", bytes: sharedBytes)
    }

    /// Runs the kernel on device buffers: x [count, 240] -> decoded [count, 240], latent [count, 5] (optional).
    public func run(device x: UInt64, count: Int, decoded: UInt64, latent: UInt64 = 0) throws {
        let blocks = min(context.multiprocessorCount, (count + spectraPerPass - 1) / spectraPerPass)
        try context.launch(
            "re_fused_autoencoder", grid: blocks, block: Self.threads, sharedBytes: sharedBytes,
            .pointer(weights.address), .pointer(0), .pointer(x), .pointer(decoded), .pointer(latent), .pointer(0),
            .int32(Int32(count)), .int32(Int32(spectraPerPass)), .int32(weightsInShared ? 1 : 0))
    }

    /// Runs on host arrays in chunks of up to 2^18 spectra: inputs [count, 240] -> decoded [count, 240].
    public func run(_ inputs: UnsafePointer<Float>, count: Int, decoded: UnsafeMutablePointer<Float>) throws {
        let chunk = min(count, 1 << 18), length = 240
        let x = try context.allocate(chunk * length), y = try context.allocate(chunk * length)
        let driver = context.driver
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            try driver.check(driver.cuMemcpyHtoDAsync(x.address, inputs + start * length, n * length * 4,
                                                      context.stream), "cuMemcpyHtoDAsync(spectra)")
            try run(device: x.address, count: n, decoded: y.address)
            try driver.check(driver.cuMemcpyDtoHAsync(decoded + start * length, y.address, n * length * 4,
                                                      context.stream), "cuMemcpyDtoHAsync(decoded)")
            try context.synchronize()
            start += n
        }
    }
}
