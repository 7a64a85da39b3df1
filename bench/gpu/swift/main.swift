// rapideels-gpu-bench: the paper autoencoder trained and run by NeuralCore on the device that `--device` names,
// on spectra read from a raw little-endian Float32 file. Prints `key: value` lines that bench/gpu.sh collects.
//
//   rapideels-gpu-bench --data x.f32 --samples 127600 --epochs 500 --batch 512 --device cuda
import Foundation
import NeuralCore

func argument(_ name: String, _ fallback: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}

/// The paper autoencoder (240 channels, latent 5) from NeuralCore's one layer table, initialised from seed 1.
func paperLayers() throws -> [Layer] {
    PaperArchitecture.autoencoderLayers(seed: 1)
}

func run() throws {
    let samples = Int(argument("samples", "127600"))!, epochs = Int(argument("epochs", "500"))!
    let batch = Int(argument("batch", "512"))!, inferenceCount = Int(argument("inference", "1048576"))!
    let device = try ComputeDevice(parsing: argument("device", "cuda"))
    let data = try Data(contentsOf: URL(fileURLWithPath: argument("data", "bench/gpu/out/x.f32")))
    var x = [Float](repeating: 0, count: samples * 240)
    guard data.count >= x.count * 4 else {
        throw CUDAError.invalidArgument("the data file holds \(data.count / 960) spectra; \(samples) needed")
    }
    _ = x.withUnsafeMutableBytes { data.copyBytes(to: $0, count: $0.count) }
    let backend = try device.makeBackend()
    print("device: \(backend.name)")
    let net = try Sequential(try paperLayers(), backend: backend)
    print("parameters: \(net.parameterCount)")

    // Warm-up: compiles nothing new (NVRTC ran when the context was made) but captures the step graphs.
    _ = try net.fit(inputs: Array(x.prefix(batch * 2 * 240)), targets: Array(x.prefix(batch * 2 * 240)),
                    count: batch * 2, options: TrainingOptions(epochs: 1, batchSize: batch, seed: 9))
    let started = Date()
    let history = try net.fit(inputs: x, targets: x, count: samples,
                              options: TrainingOptions(epochs: epochs, batchSize: batch, seed: 1))
    let seconds = Date().timeIntervalSince(started)
    print("train_seconds: \(seconds)")
    print("train_samples_per_second: \(Double(samples * epochs) / seconds)")
    print("loss_first_epoch: \(history.loss.first ?? .nan)")
    print("loss_last_epoch: \(history.loss.last ?? .nan)")

    // Inference, host arrays in and out (what `denoise` does).
    var big = [Float](repeating: 0, count: inferenceCount * 240)
    for index in big.indices { big[index] = x[index % x.count] }
    _ = try net.predict(Array(big.prefix(240 * 4096)), count: 4096)
    var times: [Double] = []
    for _ in 0..<3 {
        let t0 = Date()
        _ = try net.predict(big, count: inferenceCount)
        times.append(Date().timeIntervalSince(t0))
    }
    print("inference_host_spectra_per_second: \(Double(inferenceCount) / times.sorted()[1])")

    // Inference on device-resident spectra with the fused kernel (the kernel's own throughput).
    if let gpu = (backend as? CUDABackend)?.device {
        let flat = try FusedAutoencoderLayout.pack { name in net.parameters.first { $0.name == name }?.values }
        let fused = try CUDAFusedAutoencoder(device: gpu, packedWeights: flat)
        let input = try gpu.upload(big), output = try gpu.allocate(big.count)
        try fused.run(device: input.address, count: inferenceCount, decoded: output.address)
        try gpu.synchronize()
        var deviceTimes: [Double] = []
        for _ in 0..<5 {
            let t0 = Date()
            try fused.run(device: input.address, count: inferenceCount, decoded: output.address)
            try gpu.synchronize()
            deviceTimes.append(Date().timeIntervalSince(t0))
        }
        print("fused_weights_in_shared: \(fused.weightsInShared), spectra_per_pass: \(fused.spectraPerPass)")
        print("inference_device_spectra_per_second: \(Double(inferenceCount) / deviceTimes.sorted()[2])")
    }
}

do {
    try run()
} catch {
    print("error: \(error)")
    exit(1)
}
