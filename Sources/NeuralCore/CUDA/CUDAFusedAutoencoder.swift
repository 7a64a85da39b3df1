/// The paper autoencoder's inference as the single fused kernel `re_fused_autoencoder`.
///
/// Chooses how many spectra each block keeps in flight and whether the 44,678 weights fit in shared memory
/// (227 KiB per block on sm_90: yes; 163 KiB on sm_80: no, they are then read through the cache).
///
///     let model = try CUDAFusedAutoencoder(device: gpu, packedWeights: FusedAutoencoderLayout.pack { ... })
///     try model.run(x, count: n, decoded: y)          // host arrays [n, 240]
public final class CUDAFusedAutoencoder {
    /// Floats of shared memory per spectrum in flight (RE_FUSED_PER_SPECTRUM).
    public static let floatsPerSpectrum = 2 * 1920 + 320 + 8
    /// Threads per block.
    public static let threads = 512
    private let device: KernelDevice
    /// The packed weights on the device.
    public let weights: CUDABuffer
    /// True when the weights are copied into shared memory.
    public let weightsInShared: Bool
    /// Spectra each block processes per pass.
    public let spectraPerPass: Int
    /// Dynamic shared memory per block, in bytes.
    public let sharedBytes: Int

    /// Uploads weights in `FusedAutoencoderLayout` order and configures the kernel for this device.
    public init(device: KernelDevice, packedWeights: [Float]) throws {
        guard packedWeights.count == FusedAutoencoderLayout.parameterCount else {
            throw CUDAError.invalidArgument(
                "fused autoencoder needs \(FusedAutoencoderLayout.parameterCount) weights, got \(packedWeights.count)")
        }
        self.device = device
        weights = try device.upload(packedWeights)
        let limit = device.maxSharedMemoryPerBlock
        let weightBytes = 4 * FusedAutoencoderLayout.parameterCount, perSpectrum = 4 * Self.floatsPerSpectrum
        weightsInShared = weightBytes + perSpectrum <= limit
        let room = limit - (weightsInShared ? weightBytes : 0)
        spectraPerPass = max(1, min(8, room / perSpectrum))
        sharedBytes = (weightsInShared ? weightBytes : 0) + spectraPerPass * perSpectrum
        try device.allowSharedMemory("re_fused_autoencoder", bytes: sharedBytes)
    }

    /// Runs the kernel on device buffers: x [count, 240] -> decoded [count, 240]; optionally latent [count, 5], and
    /// probabilities [count, 2] = softmax(latent C + c) from `classifier` (C [5, 2] then c [2], 12 floats).
    public func run(device x: UInt64, count: Int, decoded: UInt64, latent: UInt64 = 0, classifier: UInt64 = 0,
                    probabilities: UInt64 = 0) throws {
        let blocks = min(device.multiprocessorCount, (count + spectraPerPass - 1) / spectraPerPass)
        try device.launch(
            "re_fused_autoencoder", grid: blocks, block: Self.threads, sharedBytes: sharedBytes,
            .pointer(weights.address), .pointer(classifier), .pointer(x), .pointer(decoded), .pointer(latent),
            .pointer(probabilities),
            .int32(Int32(count)), .int32(Int32(spectraPerPass)), .int32(weightsInShared ? 1 : 0))
    }

    /// Runs on host arrays in chunks of up to 2^18 spectra: inputs [count, 240] -> decoded [count, 240].
    public func run(_ inputs: UnsafePointer<Float>, count: Int, decoded: UnsafeMutablePointer<Float>) throws {
        let chunk = min(count, 1 << 18), length = 240
        let x = try device.allocate(chunk * length), y = try device.allocate(chunk * length)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            try device.copyToDevice(x.address, from: inputs + start * length, bytes: n * length * 4)
            try run(device: x.address, count: n, decoded: y.address)
            try device.copyToHost(decoded + start * length, from: y.address, bytes: n * length * 4)
            try device.synchronize()
            start += n
        }
    }
}
