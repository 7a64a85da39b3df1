// Ours for bench/aec_keras.py: the paper's autoencoder on the same random data as Keras.
// Usage: aec-bench DATA.f32 COUNT THREADS EPOCHS [CHUNK]
// DATA.f32: COUNT x 240 little-endian float32 inputs followed by COUNT x 240 targets.
// Prints "train_samples_per_s X" (median over epochs after one warm-up epoch) and "infer_spectra_per_s Y".
import Foundation
import NeuralCore
import RapidEELS

let arguments = CommandLine.arguments
guard arguments.count >= 5, let count = Int(arguments[2]), let threads = Int(arguments[3]),
      let epochs = Int(arguments[4]) else {
    FileHandle.standardError.write("usage: aec-bench DATA.f32 COUNT THREADS EPOCHS [CHUNK]\n".data(using: .utf8)!)
    exit(2)
}
let chunk = arguments.count > 5 ? Int(arguments[5]) ?? 16 : 16
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[1]))
let size = count * 240
guard data.count == 2 * size * 4 else {
    FileHandle.standardError.write("expected \(2 * size * 4) bytes, found \(data.count)\n".data(using: .utf8)!)
    exit(2)
}
var values = [Float](repeating: 0, count: 2 * size)
values.withUnsafeMutableBytes { _ = data.copyBytes(to: $0) }
let inputs = Array(values[0..<size]), targets = Array(values[size...])

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// CPU seconds used by this process (all threads): a load-independent cost measure.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

let model = PaperAutoencoder(seed: 1, backend: CPUBackend(threads: threads, chunkSize: chunk, blasThreads: 1))
var epochTimes: [Double] = [], epochCPU: [Double] = []
for epoch in 0...epochs {
    let start = Date(), cpu = cpuSeconds()
    try model.train(inputs: inputs, targets: targets, epochs: 1, batchSize: 512, seed: UInt64(epoch))
    if epoch > 0 { epochTimes.append(Date().timeIntervalSince(start)); epochCPU.append(cpuSeconds() - cpu) }
}
print("train_samples_per_s \(Double(count) / median(epochTimes))")
print("train_samples_per_cpu_s \(Double(count) / median(epochCPU))")
print("train_final_loss \(model.network.lastHistory?.loss.last ?? .nan)")

var inferTimes: [Double] = [], inferCPU: [Double] = []
_ = try model.predict(inputs: inputs)
for _ in 0..<max(3, epochs) {
    let start = Date(), cpu = cpuSeconds()
    _ = try model.predict(inputs: inputs)
    inferTimes.append(Date().timeIntervalSince(start))
    inferCPU.append(cpuSeconds() - cpu)
}
print("infer_spectra_per_s \(Double(count) / median(inferTimes))")
print("infer_spectra_per_cpu_s \(Double(count) / median(inferCPU))")

// AEC_PROFILE=1: inference time per layer (CPU seconds per 1000 spectra), to see where time goes.
if ProcessInfo.processInfo.environment["AEC_PROFILE"] == "1" {
    let layers = model.network.layers
    for index in layers.indices {
        let layer = layers[index]
        let input = [Float](repeating: 0.5, count: count * layer.inputSize)
        _ = try model.network.predict(input, count: count, layers: index..<(index + 1))
        var costs: [Double] = []
        for _ in 0..<3 {
            let cpu = cpuSeconds()
            _ = try model.network.predict(input, count: count, layers: index..<(index + 1))
            costs.append((cpuSeconds() - cpu) / Double(count) * 1000)
        }
        let name = layer.name.padding(toLength: 20, withPad: " ", startingAt: 0)
        print("profile \(name) \(String(format: "%.4f", median(costs))) cpu-s per 1000")
    }
}
