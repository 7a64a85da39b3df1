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

// AEC_VECTOR=0 runs every convolution through im2col + OpenBLAS sgemm (the fallback) for comparison.
let vectorKernels = ProcessInfo.processInfo.environment["AEC_VECTOR"] != "0"
let model = PaperAutoencoder(seed: 1, backend: CPUBackend(threads: threads, chunkSize: chunk, blasThreads: 1,
                                                          vectorKernels: vectorKernels))
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

// AEC_PROFILE=1: cost per layer (CPU seconds per 1000 spectra) of inference (forward) and of a training pass
// (forward + backward with parameter and input gradients), each layer run alone on one chunk held in cache, as
// the engine runs it.
if ProcessInfo.processInfo.environment["AEC_PROFILE"] == "1" {
    let backend = CPUBackend(threads: 1, chunkSize: chunk, blasThreads: 1, vectorKernels: vectorKernels)
    for layer in model.network.layers {
        func buffer(_ floats: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(floats, 1))
            pointer.initialize(repeating: 0.5, count: max(floats, 1))
            return pointer
        }
        let input = buffer(chunk * layer.inputSize), output = buffer(chunk * layer.outputSize)
        let saved = buffer(chunk * layer.savedFloatsPerSample), scratch = buffer(chunk * layer.scratchFloatsPerSample)
        let outputGradient = buffer(chunk * layer.outputSize), inputGradient = buffer(chunk * layer.inputSize)
        let parameterGradients = buffer(layer.parameterCount)
        let repeats = max(1, count / chunk)
        func cost(training: Bool) -> Double {
            let buffers = LayerBuffers(batch: chunk, input: input, output: output, saved: saved, scratch: scratch,
                                       training: training, randomStream: 0)
            var costs: [Double] = []
            for _ in 0..<5 {
                let cpu = cpuSeconds()
                for _ in 0..<repeats {
                    layer.forward(buffers, backend: backend)
                    if training {
                        outputGradient.update(repeating: 0.5, count: chunk * layer.outputSize)
                        layer.backward(buffers, outputGradient: outputGradient, inputGradient: inputGradient,
                                       parameterGradients: parameterGradients, backend: backend)
                    }
                }
                costs.append((cpuSeconds() - cpu) / Double(repeats * chunk) * 1000)
            }
            return median(costs)
        }
        let inference = cost(training: false), training = cost(training: true)
        for pointer in [input, output, saved, scratch, outputGradient, inputGradient, parameterGradients] {
            pointer.deallocate()
        }
        let name = layer.name.padding(toLength: 20, withPad: " ", startingAt: 0)
        print("profile \(name) forward \(String(format: "%.5f", inference)) training \(String(format: "%.5f", training)) cpu-s per 1000")
    }
}
