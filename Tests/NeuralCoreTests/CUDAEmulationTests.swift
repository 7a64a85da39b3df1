import Foundation
import NeuralCore
import TestSupport
import XCTest

/// The CUDA kernels and the CUDA engine, run by `CUDAEmulator` (the kernel sources compiled as C++ for the CPU):
/// the kernels' math against known answers, TensorFlow's reference outputs and the CPU backend.
/// `CUDAGPUTests` below runs the same tests on a real GPU when one is present.
class CUDAEmulationTests: XCTestCase {
    /// The device the tests run on.
    func makeDevice() throws -> KernelDevice { try CUDAEmulator.make() }

    // MARK: - Kernels

    func testPhiloxMatchesRandom123KnownAnswers() throws {
        let emu = try makeDevice()
        let cases: [([UInt32], [UInt32], [UInt32])] = [
            ([0, 0, 0, 0], [0, 0], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
            ([.max, .max, .max, .max], [.max, .max], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
            ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0],
             [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
        ]
        for (counter, key, expected) in cases {
            let out = try emu.allocate(4)
            try emu.launch("re_philox_fill", grid: 1, block: 32, .pointer(out.address), .int32(1),
                           .uint32(counter[0]), .uint32(counter[1]), .uint32(counter[2]), .uint32(counter[3]),
                           .uint32(key[0]), .uint32(key[1]))
            XCTAssertEqual(try out.values().map(\.bitPattern), expected, "philox4x32-10 of \(counter), \(key)")
        }
    }

    func testDropoutDropsAboutRateScalesTheRestAndRepeatsForASeed() throws {
        let emu = try makeDevice()
        let n = 40_000, rate: Float = 0.2
        let x = try emu.upload([Float](repeating: 1, count: n))
        let seed = try emu.upload([Float(bitPattern: 12345), Float(bitPattern: 678)])
        func mask(stream: UInt32) throws -> [Float] {
            let y = try emu.allocate(n)
            try emu.launch("re_dropout", grid: 16, block: 256, .pointer(x.address), .pointer(y.address),
                           .int64(Int64(n)), .float(rate), .pointer(seed.address), .uint32(stream))
            return try y.values()
        }
        let first = try mask(stream: 3)
        let kept = first.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / Double(n), 0.8, accuracy: 0.01)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1.25) < 1e-6 }, "kept values are scaled by 1 / (1 - rate)")
        XCTAssertEqual(try mask(stream: 3), first, "the same seed and stream give the same mask")
        XCTAssertNotEqual(try mask(stream: 4), first, "another stream gives another mask")
    }

    func testReductionsAndAdamAgainstDirectSums() throws {
        let emu = try makeDevice()
        let rows = 1000, columns = 3
        let values = (0..<(rows * columns)).map { Float(($0 * 37) % 101) / 50 - 1 }
        let matrix = try emu.upload(values)
        let sums = try emu.upload([10, 20, 30])
        try emu.launch("re_column_sum", grid: columns, block: 256, .pointer(matrix.address), .pointer(sums.address),
                       .int64(Int64(rows)), .int32(Int32(columns)), .float(1))
        let expected = (0..<columns).map { c in (0..<rows).reduce(Float(10 * (c + 1))) { $0 + values[$1 * columns + c] } }
        let got = try sums.values()
        for c in 0..<columns { XCTAssertEqual(got[c], expected[c], accuracy: 1e-3, "column \(c)") }

        let partials = try emu.allocate(8), total = try emu.allocate(1)
        try emu.launch("re_sum_partials", grid: 8, block: 256, .pointer(matrix.address), .pointer(partials.address),
                       .int64(Int64(values.count)))
        try emu.launch("re_finish_sum", grid: 1, block: 256, .pointer(partials.address), .int32(8),
                       .pointer(total.address), .float(0.5), .int32(0))
        XCTAssertEqual(try total.values()[0], values.reduce(0, +) * 0.5, accuracy: 1e-3)

        // Two Adam steps against the CPU optimizer on the same gradients.
        let weights: [Float] = [0.5, -0.25, 2], gradients: [Float] = [0.1, -3, 0]
        let adam = try Adam(parameterCount: 3)
        var cpu = weights
        let w = try emu.upload(weights), g = try emu.upload(gradients)
        let m = try emu.upload([0, 0, 0]), v = try emu.upload([0, 0, 0]), alpha = try emu.allocate(1)
        for _ in 0..<2 {
            let a = adam.beginStep()
            gradients.withUnsafeBufferPointer { adam.update(&cpu, gradients: $0.baseAddress!, count: 3, offset: 0, alpha: a) }
            try alpha.copy(from: [a])
            try emu.launch("re_adam", grid: 1, block: 256, .pointer(w.address), .pointer(g.address), .pointer(m.address),
                           .pointer(v.address), .int64(3), .pointer(alpha.address), .float(0.9), .float(0.999),
                           .float(1e-7))
        }
        XCTAssertEqual(try w.values(), cpu)
    }

    // MARK: - The paper model against TensorFlow

    func testFusedKernelReproducesTensorFlowOnThePaperWeights() throws {
        let emu = try makeDevice()
        let (weights, reference) = try Self.paperFiles()
        let flat = try FusedAutoencoderLayout.pack { weights[$0]?.values }
        let model = try CUDAFusedAutoencoder(device: emu, packedWeights: flat)
        XCTAssertEqual(model.weightsInShared, emu.maxSharedMemoryPerBlock >= 4 * (44_678 + 4_168))
        let input = reference["input"]!.values, count = input.count / 240
        let x = try emu.upload(input)
        let decoded = try emu.allocate(count * 240), latent = try emu.allocate(count * 5)
        let classifier = try emu.upload(weights["classifier.kernel"]!.values + weights["classifier.bias"]!.values)
        let probabilities = try emu.allocate(count * 2)
        try model.run(device: x.address, count: count, decoded: decoded.address, latent: latent.address,
                      classifier: classifier.address, probabilities: probabilities.address)
        try Self.assertClose(try decoded.values(), reference["decoded"]!.values, "decoded")
        try Self.assertClose(try latent.values(), reference["latent"]!.values, "latent")
        try Self.assertClose(try probabilities.values(), reference["probabilities"]!.values, "probabilities")
    }

    func testLayeredCUDAEngineReproducesTensorFlowOnThePaperWeights() throws {
        let emu = try makeDevice()
        let (_, reference) = try Self.paperFiles()
        let backend = CUDABackend(device: emu)
        backend.usesFusedInference = false
        let net = try Sequential(Self.paperLayers(), backend: backend)
        try net.load(from: try SharedData.url("reference/paper-model/rapideels-paper-weights.safetensors"))
        let input = reference["input"]!.values, count = input.count / 240
        try Self.assertClose(try net.predict(input, count: count), reference["decoded"]!.values, "decoded")
        try Self.assertClose(try net.predict(input, count: count, layers: 0..<11), reference["latent"]!.values,
                             "latent")
        XCTAssertEqual(backend.fallbackReasons, [], "everything ran on the emulated device")
    }

    // MARK: - Training against the CPU backend

    func testTrainingStepsMatchTheCPUBackend() throws {
        let emu = try makeDevice()
        func network(_ backend: ComputeBackend) throws -> Sequential {
            let layers: [Layer] = [
                try Conv1D(name: "c0", inputShape: [12, 2], filters: 3, kernelSize: 3, stride: 2),
                try Dropout(name: "d0", shape: [6, 3], rate: 0),
                try Conv1D(name: "c1", inputShape: [6, 3], filters: 4, kernelSize: 2, stride: 2, activation: .linear),
                ReLU(name: "r", shape: [3, 4]),
                try Reshape(name: "flat", from: [3, 4], to: [12]),
                try Dense(name: "z", inputSize: 12, units: 3, activation: .relu),
                try Dense(name: "up", inputSize: 3, units: 12),
                try Reshape(name: "shape", from: [12], to: [3, 4]),
                try Conv1DTranspose(name: "t0", inputShape: [3, 4], filters: 3, kernelSize: 3, stride: 2,
                                    outputPadding: 0),
                try Conv1DTranspose(name: "t1", inputShape: [5, 3], filters: 2, kernelSize: 5, stride: 2,
                                    outputPadding: 1, activation: .linear),
            ]
            var rng = SeededRandom(seed: 7)
            for layer in layers {
                for parameter in layer.parameters {
                    rng.fillGlorotUniform(parameter.buffer, fanIn: 8, fanOut: 8)
                }
            }
            return try Sequential(layers, backend: backend)
        }
        let backend = CUDABackend(device: emu)
        let cpu = try network(CPUBackend(threads: 1)), gpu = try network(backend)
        XCTAssertEqual(cpu.outputShape, [10, 2])
        var rng = SeededRandom(seed: 3)
        let count = 40
        let x = (0..<(count * 24)).map { _ in rng.nextUniform() * 2 - 1 }
        let y = (0..<(count * 20)).map { _ in rng.nextUniform() }
        try Self.assertClose(try gpu.predict(x, count: count), try cpu.predict(x, count: count), "forward",
                             relative: 1e-4)
        let options = TrainingOptions(epochs: 3, batchSize: 16, seed: 5)
        let cpuHistory = try cpu.fit(inputs: x, targets: y, count: count, options: options)
        let gpuHistory = try gpu.fit(inputs: x, targets: y, count: count, options: options)
        for (a, b) in zip(gpuHistory.loss, cpuHistory.loss) { XCTAssertEqual(a, b, accuracy: 1e-4 * abs(b)) }
        XCTAssertLessThan(gpuHistory.loss.last!, gpuHistory.loss.first!, "training lowers the loss")
        for (ours, theirs) in zip(gpu.snapshot(), cpu.snapshot()) {
            try Self.assertClose(ours, theirs, "weights after 9 Adam steps", relative: 1e-4)
        }
        XCTAssertEqual(backend.fallbackReasons, [], "everything ran on the emulated device")
    }

    func testSoftmaxBinaryCrossEntropyStepsMatchTheCPUBackend() throws {
        let emu = try makeDevice()
        func network(_ backend: ComputeBackend) throws -> Sequential {
            let dense = try Dense(name: "head", inputSize: 5, units: 2)
            var rng = SeededRandom(seed: 11)
            rng.fillGlorotUniform(dense.kernel.buffer, fanIn: 5, fanOut: 2)
            return try Sequential([dense, Softmax(name: "softmax", shape: [2])], backend: backend)
        }
        let backend = CUDABackend(device: emu)
        let cpu = try network(CPUBackend(threads: 1)), gpu = try network(backend)
        var rng = SeededRandom(seed: 4)
        let count = 30
        let x = (0..<(count * 5)).map { _ in rng.nextUniform() * 4 - 2 }
        let y = (0..<count).flatMap { index -> [Float] in index % 3 == 0 ? [1, 0] : [0, 1] }
        let options = TrainingOptions(epochs: 4, batchSize: 8, seed: 2, loss: .binaryCrossEntropy)
        let cpuHistory = try cpu.fit(inputs: x, targets: y, count: count, options: options)
        let gpuHistory = try gpu.fit(inputs: x, targets: y, count: count, options: options)
        for (a, b) in zip(gpuHistory.loss, cpuHistory.loss) { XCTAssertEqual(a, b, accuracy: 1e-4 * abs(b)) }
        for (ours, theirs) in zip(gpu.snapshot(), cpu.snapshot()) {
            try Self.assertClose(ours, theirs, "weights", relative: 1e-4)
        }
        XCTAssertEqual(backend.fallbackReasons, [], "everything ran on the emulated device")
    }

    // MARK: - Helpers

    static func paperFiles() throws -> (weights: [String: NamedTensor], reference: [String: NamedTensor]) {
        let weights = try SafeTensors.read(SharedData.url("reference/paper-model/rapideels-paper-weights.safetensors"))
        let reference = try SafeTensors.read(
            SharedData.url("reference/paper-model/rapideels-paper-reference.safetensors"))
        return (weights.tensors, reference.tensors)
    }

    /// The paper autoencoder's 25 layers (../shared/reference/paper-model/README.md), from the one table that
    /// RapidEELS builds them from.
    static func paperLayers() throws -> [Layer] {
        PaperArchitecture.encoderLayers() + PaperArchitecture.decoderLayers()
    }

    /// Fails naming the first element that differs by more than 1e-4 absolute (or `relative` of the larger value).
    static func assertClose(_ ours: [Float], _ theirs: [Float], _ what: String, relative: Float? = nil,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(ours.count, theirs.count, "\(what): element counts", file: file, line: line)
        for (index, (a, b)) in zip(ours, theirs).enumerated() {
            let tolerance = relative.map { max($0 * max(abs(a), abs(b)), 1e-6) } ?? 1e-4
            if !(abs(a - b) <= tolerance) {
                XCTFail("\(what)[\(index)]: \(a) vs \(b) (tolerance \(tolerance))", file: file, line: line)
                return
            }
        }
    }
}

/// The same tests on the GPU (forward/backward and training against the CPU backend within 1e-4 relative, the paper
/// weights against TensorFlow within 1e-4, CUDA graphs on); skipped where no CUDA device is usable.
final class CUDAGPUTests: CUDAEmulationTests {
    override func makeDevice() throws -> KernelDevice {
        do {
            return try CUDAContext.shared()
        } catch {
            throw XCTSkip("no usable CUDA GPU, so the kernels were not run on one: \(error)")
        }
    }

    // Linux's test discovery lists only the methods a class declares itself.
    override func testPhiloxMatchesRandom123KnownAnswers() throws { try super.testPhiloxMatchesRandom123KnownAnswers() }
    override func testDropoutDropsAboutRateScalesTheRestAndRepeatsForASeed() throws { try super.testDropoutDropsAboutRateScalesTheRestAndRepeatsForASeed() }
    override func testReductionsAndAdamAgainstDirectSums() throws { try super.testReductionsAndAdamAgainstDirectSums() }
    override func testFusedKernelReproducesTensorFlowOnThePaperWeights() throws { try super.testFusedKernelReproducesTensorFlowOnThePaperWeights() }
    override func testLayeredCUDAEngineReproducesTensorFlowOnThePaperWeights() throws { try super.testLayeredCUDAEngineReproducesTensorFlowOnThePaperWeights() }
    override func testTrainingStepsMatchTheCPUBackend() throws { try super.testTrainingStepsMatchTheCPUBackend() }
    override func testSoftmaxBinaryCrossEntropyStepsMatchTheCPUBackend() throws { try super.testSoftmaxBinaryCrossEntropyStepsMatchTheCPUBackend() }
}
