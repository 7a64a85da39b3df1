import NeuralCore
import XCTest

/// The register-blocked convolution kernels (`NeuralKernels`) and the OpenBLAS fallback
/// (`CPUBackend(vectorKernels: false)`) against a direct Double-precision loop, over layouts the paper's model
/// does not have: channel counts that are and are not multiples of 8 and 16, strides 1-4, kernels longer than the
/// input, valid padding, output padding, lengths that leave partial row blocks, and batches of 1.
///
/// Every check runs forward, the input gradient, the kernel gradient and the bias gradient of L = sum(r * y).
/// Float32 sums of at most a few hundred products of O(1) values: tolerance 1e-4 relative to the sum of |terms|.
final class VectorKernelTests: XCTestCase {
    /// One convolution layout: Conv1D maps long -> short, Conv1DTranspose short -> long.
    private struct Layout: CustomStringConvertible {
        var length: Int, inChannels: Int, filters: Int, kernel: Int, stride: Int
        var padding: Padding = .same
        var outputPadding: Int? = nil
        var activation: Activation = .linear
        var batch = 3

        var description: String {
            "L\(length) in\(inChannels) f\(filters) k\(kernel) s\(stride) \(padding) op\(outputPadding.map(String.init) ?? "-") \(activation) b\(batch)"
        }
    }

    private static let backends: [(String, CPUBackend)] = [
        ("vector", CPUBackend(threads: 1)), ("sgemm", CPUBackend(threads: 1, vectorKernels: false)),
    ]

    /// The values of one forward and backward pass.
    private struct Pass {
        var output: [Float], inputGradient: [Float], kernelGradient: [Float], biasGradient: [Float]
    }

    private func run(_ layer: Layer, kernel: Parameter, bias: Parameter, input: [Float], r: [Float], batch: Int,
                     backend: CPUBackend) -> Pass {
        func make(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: .nan, count: max(n, 1))  // NaN: reading unwritten scratch shows up
            return p
        }
        let x = make(batch * layer.inputSize), y = make(batch * layer.outputSize)
        let saved = make(batch * layer.savedFloatsPerSample), scratch = make(batch * layer.scratchFloatsPerSample)
        defer { for p in [x, y, saved, scratch] { p.deallocate() } }
        x.update(from: input, count: input.count)
        let buffers = LayerBuffers(batch: batch, input: x, output: y, saved: saved, scratch: scratch, training: true,
                                   randomStream: 1)
        layer.forward(buffers, backend: backend)
        let output = Array(UnsafeBufferPointer(start: y, count: batch * layer.outputSize))
        var dy = r, dx = [Float](repeating: 0, count: input.count)
        var dp = [Float](repeating: 0, count: kernel.count + bias.count)
        dy.withUnsafeMutableBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { dx in
                dp.withUnsafeMutableBufferPointer { dp in
                    layer.backward(buffers, outputGradient: dy.baseAddress!, inputGradient: dx.baseAddress!,
                                   parameterGradients: dp.baseAddress!, backend: backend)
                }
            }
        }
        return Pass(output: output, inputGradient: dx, kernelGradient: Array(dp[..<kernel.count]),
                    biasGradient: Array(dp[kernel.count...]))
    }

    /// Long position read by short position o through tap j, for a window layout.
    private struct Windows {
        let long: Int, short: Int, kernel: Int, stride: Int, padLeft: Int
        func position(_ o: Int, _ j: Int) -> Int? {
            let p = o * stride - padLeft + j
            return (0..<long).contains(p) ? p : nil
        }
    }

    private func assertClose(_ actual: [Float], _ expected: [Double], _ magnitude: [Double], _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        var worst = 0.0, worstIndex = 0
        for i in expected.indices where i < actual.count {
            let error = abs(Double(actual[i]) - expected[i]) / max(1, magnitude[i])
            if !(error <= worst) { worst = error; worstIndex = i }
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "\(what): element \(worstIndex) is \(actual[worstIndex]), expected "
                                 + "\(expected[worstIndex])", file: file, line: line)
    }

    private func random(_ count: Int, _ rng: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in Float(rng.nextNormal()) }
    }

    /// Conv1D: y[n][o][f] = act(bias[f] + Σ x[n][p(o, j)][c] W[j][c][f]).
    private func checkConv1D(_ layout: Layout, file: StaticString = #filePath, line: UInt = #line) throws {
        let layer = try Conv1D(name: "conv", inputShape: [layout.length, layout.inChannels], filters: layout.filters,
                               kernelSize: layout.kernel, stride: layout.stride, padding: layout.padding,
                               activation: layout.activation)
        let short: Int, padLeft: Int
        switch layout.padding {
        case .same:
            short = (layout.length + layout.stride - 1) / layout.stride
            padLeft = max((short - 1) * layout.stride + layout.kernel - layout.length, 0) / 2
        case .valid:
            short = (layout.length - layout.kernel) / layout.stride + 1
            padLeft = 0
        }
        XCTAssertEqual(layer.outputShape, [short, layout.filters], "\(layout)", file: file, line: line)
        let windows = Windows(long: layout.length, short: short, kernel: layout.kernel, stride: layout.stride,
                              padLeft: padLeft)
        var rng = SeededRandom(seed: UInt64(layout.length * 131 + layout.kernel * 17 + layout.filters))
        let (n, cIn, f, k) = (layout.batch, layout.inChannels, layout.filters, layout.kernel)
        let x = random(n * layout.length * cIn, &rng), w = random(k * cIn * f, &rng), b = random(f, &rng)
        let r = random(n * short * f, &rng)
        layer.kernel.values = w
        layer.bias.values = b
        // The reference, in Double.
        var y = [Double](repeating: 0, count: n * short * f), yMagnitude = y
        for s in 0..<n { for o in 0..<short { for c in 0..<f {
            var sum = Double(b[c]), magnitude = abs(Double(b[c]))
            for j in 0..<k { if let p = windows.position(o, j) { for ci in 0..<cIn {
                let term = Double(x[(s * layout.length + p) * cIn + ci]) * Double(w[(j * cIn + ci) * f + c])
                sum += term; magnitude += abs(term)
            } } }
            let index = (s * short + o) * f + c
            y[index] = layout.activation == .relu ? max(0, sum) : sum
            yMagnitude[index] = magnitude
        } } }
        // dL/dy after the activation: r where y > 0 for ReLU.
        let g = r.indices.map { layout.activation == .relu && y[$0] <= 0 ? 0 : Double(r[$0]) }
        var dx = [Double](repeating: 0, count: x.count), dxMagnitude = dx
        var dw = [Double](repeating: 0, count: w.count), dwMagnitude = dw
        var db = [Double](repeating: 0, count: f), dbMagnitude = db
        for s in 0..<n { for o in 0..<short { for c in 0..<f {
            let grad = g[(s * short + o) * f + c]
            db[c] += grad; dbMagnitude[c] += abs(grad)
            for j in 0..<k { if let p = windows.position(o, j) { for ci in 0..<cIn {
                let xi = (s * layout.length + p) * cIn + ci, wi = (j * cIn + ci) * f + c
                dx[xi] += grad * Double(w[wi]); dxMagnitude[xi] += abs(grad * Double(w[wi]))
                dw[wi] += grad * Double(x[xi]); dwMagnitude[wi] += abs(grad * Double(x[xi]))
            } } }
        } } }
        for (name, backend) in Self.backends {
            let pass = run(layer, kernel: layer.kernel, bias: layer.bias, input: x, r: r, batch: n, backend: backend)
            assertClose(pass.output, y, yMagnitude, "Conv1D \(layout) \(name): forward", file: file, line: line)
            assertClose(pass.inputGradient, dx, dxMagnitude, "Conv1D \(layout) \(name): dx", file: file, line: line)
            assertClose(pass.kernelGradient, dw, dwMagnitude, "Conv1D \(layout) \(name): dW", file: file, line: line)
            assertClose(pass.biasGradient, db, dbMagnitude, "Conv1D \(layout) \(name): db", file: file, line: line)
        }
    }

    /// Conv1DTranspose: y[n][p(o, j)][a] += x[n][o][b] W[j][a][b], then act(bias + y).
    private func checkTranspose(_ layout: Layout, file: StaticString = #filePath, line: UInt = #line) throws {
        let layer = try Conv1DTranspose(name: "deconv", inputShape: [layout.length, layout.inChannels],
                                        filters: layout.filters, kernelSize: layout.kernel, stride: layout.stride,
                                        outputPadding: layout.outputPadding, activation: layout.activation)
        let long = layout.outputPadding.map { (layout.length - 1) * layout.stride + layout.kernel
                                              - 2 * (layout.kernel / 2) + $0 } ?? layout.length * layout.stride
        XCTAssertEqual(layer.outputShape, [long, layout.filters], "\(layout)", file: file, line: line)
        let padLeft = max((layout.length - 1) * layout.stride + layout.kernel - long, 0) / 2
        let windows = Windows(long: long, short: layout.length, kernel: layout.kernel, stride: layout.stride,
                              padLeft: padLeft)
        var rng = SeededRandom(seed: UInt64(layout.length * 97 + layout.kernel * 13 + layout.filters))
        let (n, cIn, f, k, short) = (layout.batch, layout.inChannels, layout.filters, layout.kernel, layout.length)
        let x = random(n * short * cIn, &rng), w = random(k * f * cIn, &rng), b = random(f, &rng)
        let r = random(n * long * f, &rng)
        layer.kernel.values = w
        layer.bias.values = b
        var y = [Double](repeating: 0, count: n * long * f), yMagnitude = y
        for s in 0..<n {
            for t in 0..<long { for a in 0..<f { y[(s * long + t) * f + a] = Double(b[a]); yMagnitude[(s * long + t) * f + a] = abs(Double(b[a])) } }
            for o in 0..<short { for j in 0..<k { if let t = windows.position(o, j) { for a in 0..<f { for bi in 0..<cIn {
                let term = Double(x[(s * short + o) * cIn + bi]) * Double(w[(j * f + a) * cIn + bi])
                y[(s * long + t) * f + a] += term; yMagnitude[(s * long + t) * f + a] += abs(term)
            } } } } }
        }
        if layout.activation == .relu { y = y.map { max(0, $0) } }
        let g = r.indices.map { layout.activation == .relu && y[$0] <= 0 ? 0 : Double(r[$0]) }
        var dx = [Double](repeating: 0, count: x.count), dxMagnitude = dx
        var dw = [Double](repeating: 0, count: w.count), dwMagnitude = dw
        var db = [Double](repeating: 0, count: f), dbMagnitude = db
        for s in 0..<n {
            for t in 0..<long { for a in 0..<f { db[a] += g[(s * long + t) * f + a]; dbMagnitude[a] += abs(g[(s * long + t) * f + a]) } }
            for o in 0..<short { for j in 0..<k { if let t = windows.position(o, j) { for a in 0..<f { for bi in 0..<cIn {
                let grad = g[(s * long + t) * f + a], xi = (s * short + o) * cIn + bi, wi = (j * f + a) * cIn + bi
                dx[xi] += grad * Double(w[wi]); dxMagnitude[xi] += abs(grad * Double(w[wi]))
                dw[wi] += grad * Double(x[xi]); dwMagnitude[wi] += abs(grad * Double(x[xi]))
            } } } } }
        }
        for (name, backend) in Self.backends {
            let pass = run(layer, kernel: layer.kernel, bias: layer.bias, input: x, r: r, batch: n, backend: backend)
            assertClose(pass.output, y, yMagnitude, "Conv1DTranspose \(layout) \(name): forward", file: file, line: line)
            assertClose(pass.inputGradient, dx, dxMagnitude, "Conv1DTranspose \(layout) \(name): dx", file: file,
                        line: line)
            assertClose(pass.kernelGradient, dw, dwMagnitude, "Conv1DTranspose \(layout) \(name): dW", file: file,
                        line: line)
            assertClose(pass.biasGradient, db, dbMagnitude, "Conv1DTranspose \(layout) \(name): db", file: file,
                        line: line)
        }
    }

    func testConv1DLayoutsTheVectorKernelsTake() throws {
        // filters a multiple of 8: the 6x16 and 6x8 register blocks, partial row blocks, strides 1-4.
        for (filters, kernel, stride, length) in [(8, 7, 2, 240), (16, 7, 2, 120), (16, 5, 2, 60), (32, 5, 2, 30),
                                                  (64, 3, 2, 15), (24, 3, 1, 13), (40, 4, 3, 17), (8, 9, 4, 23),
                                                  (48, 2, 2, 7), (8, 1, 1, 5)] {
            for inChannels in [1, 3, 8] {
                try checkConv1D(Layout(length: length, inChannels: inChannels, filters: filters, kernel: kernel,
                                       stride: stride))
            }
        }
    }

    func testConv1DEdgeLayouts() throws {
        // A kernel longer than the input, a one-position input, valid padding, batches of 1, ReLU.
        try checkConv1D(Layout(length: 3, inChannels: 2, filters: 16, kernel: 7, stride: 2))
        try checkConv1D(Layout(length: 1, inChannels: 4, filters: 8, kernel: 5, stride: 1, batch: 1))
        try checkConv1D(Layout(length: 20, inChannels: 8, filters: 16, kernel: 5, stride: 3, padding: .valid))
        try checkConv1D(Layout(length: 9, inChannels: 2, filters: 8, kernel: 9, stride: 2, padding: .valid, batch: 1))
        try checkConv1D(Layout(length: 31, inChannels: 16, filters: 32, kernel: 5, stride: 2, activation: .relu))
        // filters not a multiple of 8: the fallback inside the vector backend.
        try checkConv1D(Layout(length: 19, inChannels: 3, filters: 5, kernel: 3, stride: 2))
        try checkConv1D(Layout(length: 12, inChannels: 8, filters: 1, kernel: 4, stride: 1, activation: .relu))
    }

    func testConv1DTransposeLayoutsTheVectorKernelsTake() throws {
        // The paper's decoder, then other strides, kernels and channel counts (filters 1 and multiples of 8 take
        // the phase-by-phase kernels).
        for (length, inChannels, filters, kernel, stride, outputPadding) in
            [(8, 64, 64, 3, 2, 0), (15, 64, 32, 5, 2, nil), (30, 32, 16, 5, 2, nil), (60, 16, 16, 7, 2, nil),
             (120, 16, 8, 7, 2, nil), (240, 8, 1, 7, 1, nil), (9, 3, 8, 4, 3, 2), (7, 5, 24, 7, 4, 1),
             (11, 8, 16, 2, 2, nil), (6, 2, 8, 9, 3, nil), (13, 4, 1, 5, 2, 1), (5, 16, 1, 3, 3, nil)] as
            [(Int, Int, Int, Int, Int, Int?)] {
            try checkTranspose(Layout(length: length, inChannels: inChannels, filters: filters, kernel: kernel,
                                      stride: stride, outputPadding: outputPadding))
        }
    }

    func testConv1DTransposeEdgeLayouts() throws {
        // Phases that no tap reaches (kernel < stride), one input position, batches of 1, ReLU, filters not a
        // multiple of 8.
        try checkTranspose(Layout(length: 6, inChannels: 3, filters: 8, kernel: 2, stride: 4))
        try checkTranspose(Layout(length: 5, inChannels: 2, filters: 1, kernel: 1, stride: 3, activation: .relu))
        try checkTranspose(Layout(length: 1, inChannels: 4, filters: 16, kernel: 5, stride: 2, batch: 1))
        try checkTranspose(Layout(length: 10, inChannels: 8, filters: 16, kernel: 5, stride: 2, activation: .relu))
        try checkTranspose(Layout(length: 10, inChannels: 8, filters: 1, kernel: 7, stride: 1, activation: .relu))
        try checkTranspose(Layout(length: 9, inChannels: 3, filters: 6, kernel: 5, stride: 2, outputPadding: 0))
    }

    /// The whole paper autoencoder layout through the engine (chunks over two threads), on both paths: the same
    /// predictions and, after a few training steps, the same weights.
    func testEngineAgreesOnBothPaths() throws {
        func network(_ backend: CPUBackend) throws -> Sequential {
            let encoder = [try Conv1D(name: "c1", inputShape: [48, 1], filters: 8, kernelSize: 7, stride: 2),
                           try Conv1D(name: "c2", inputShape: [24, 8], filters: 16, kernelSize: 5, stride: 2)]
            let decoder = [try Conv1DTranspose(name: "t1", inputShape: [12, 16], filters: 8, kernelSize: 5, stride: 2),
                           try Conv1DTranspose(name: "t2", inputShape: [24, 8], filters: 8, kernelSize: 7, stride: 2),
                           try Conv1DTranspose(name: "out", inputShape: [48, 8], filters: 1, kernelSize: 7, stride: 1,
                                               activation: .linear)]
            var rng = SeededRandom(seed: 11)
            for layer in encoder { layer.initialize(using: &rng) }
            for layer in decoder { layer.initialize(using: &rng) }
            let net = try Sequential(encoder + decoder as [Layer], backend: backend)
            return net
        }
        var rng = SeededRandom(seed: 5)
        let count = 37
        let x = random(count * 48, &rng), target = x.map { max(0, $0) }
        let vector = try network(CPUBackend(threads: 2, chunkSize: 5))
        let sgemm = try network(CPUBackend(threads: 2, chunkSize: 5, vectorKernels: false))
        let a = try vector.predict(x, count: count), b = try sgemm.predict(x, count: count)
        assertClose(a, b.map(Double.init), b.map { max(1, abs(Double($0))) }, "predict")
        let options = TrainingOptions(epochs: 3, batchSize: 8, seed: 4)
        try vector.fit(inputs: x, targets: target, count: count, options: options)
        try sgemm.fit(inputs: x, targets: target, count: count, options: options)
        for (p, q) in zip(vector.parameters, sgemm.parameters) {
            assertClose(p.values, q.values.map(Double.init), q.values.map { _ in 1 }, "after training: \(p.name)")
        }
    }
}
