/// Forward and backward of each layer kind on the device: the same GEMMs as the CPU layers (cuBLAS, row-major
/// via operand swap) around the im2col/col2im, bias/activation, dropout and softmax kernels.
extension CUDAEngine {
    func parameterAddress(_ layer: Int, _ parameter: Int) -> UInt64 {
        var offset = parameterOffsets[layer]
        for earlier in layers[layer].parameters.prefix(parameter) { offset += earlier.count }
        return weights.address(at: offset)
    }

    func gradientAddress(_ layer: Int, _ parameter: Int) -> UInt64 {
        parameterAddress(layer, parameter) - weights.address + gradients.address
    }

    func dropoutStream(_ index: Int, _ layer: Dropout) -> UInt32 {
        UInt32(truncatingIfNeeded: index) &+ UInt32(truncatingIfNeeded: layer.salt &* 0x9E37_79B9) << 8
    }

    func biasActivation(_ output: UInt64, layer: Int, rows: Int, channels: Int, activation: Activation) throws {
        try gpu.launch("re_bias_activation", grid: grid(rows * channels), block: 256, .pointer(output),
                       .pointer(parameterAddress(layer, 1)), .int64(Int64(rows)), .int32(Int32(channels)),
                       .int32(activation == .relu ? 1 : 0))
    }

    func windows(_ kernel: String, from source: UInt64, to target: UInt64, batch: Int, geometry g: WindowGeometry)
        throws {
        let n = kernel == "re_im2col" ? batch * g.shortLength * g.rowWidth : batch * g.longLength * g.channels
        try gpu.launch(kernel, grid: grid(n), block: 256, .pointer(source), .pointer(target), .int32(Int32(batch)),
                       .int32(Int32(g.longLength)), .int32(Int32(g.channels)), .int32(Int32(g.shortLength)),
                       .int32(Int32(g.kernel)), .int32(Int32(g.stride)), .int32(Int32(g.padLeft)))
    }

    /// Layer `index` forward: activations[index] -> activations[index + 1].
    func forward(_ index: Int, batch: Int, activations: [UInt64], space: CUDAWorkspace, training: Bool) throws {
        let x = activations[index], y = activations[index + 1]
        switch layers[index] {
        case let conv as Conv1D:
            let g = conv.geometry, rows = batch * g.shortLength, filters = conv.outputShape[1]
            let cols = space.saved[index]!.address
            try windows("re_im2col", from: x, to: cols, batch: batch, geometry: g)
            try gpu.gemmRowMajor(m: rows, n: filters, k: g.rowWidth, a: cols, b: parameterAddress(index, 0), c: y)
            try biasActivation(y, layer: index, rows: rows, channels: filters, activation: conv.activation)
        case let deconv as Conv1DTranspose:
            let g = deconv.geometry, rows = batch * g.shortLength, inChannels = deconv.inputShape[1]
            try gpu.gemmRowMajor(m: rows, n: g.rowWidth, k: inChannels, a: x, b: parameterAddress(index, 0),
                                  transposeB: true, c: space.scratch.address)
            try windows("re_col2im", from: space.scratch.address, to: y, batch: batch, geometry: g)
            try biasActivation(y, layer: index, rows: batch * g.longLength, channels: g.channels,
                               activation: deconv.activation)
        case let dense as Dense:
            let units = dense.outputShape[0]
            try gpu.gemmRowMajor(m: batch, n: units, k: dense.inputShape[0], a: x, b: parameterAddress(index, 0),
                                  c: y)
            try biasActivation(y, layer: index, rows: batch, channels: units, activation: dense.activation)
        case let dropout as Dropout:
            guard training, dropout.rate > 0 else { return }   // the buffer is passed on
            let n = batch * dropout.inputSize
            try gpu.launch("re_dropout", grid: grid((n + 3) / 4), block: 256, .pointer(x), .pointer(y),
                           .int64(Int64(n)), .float(dropout.rate), .pointer(space.stepValues.address + 4),
                           .uint32(dropoutStream(index, dropout)))
        case is Reshape:
            return
        case let relu as ReLU:
            let n = batch * relu.inputSize
            try gpu.launch("re_relu", grid: grid(n), block: 256, .pointer(x), .pointer(y), .int64(Int64(n)))
        case let softmax as Softmax:
            let classes = softmax.inputShape.last ?? 1, rows = batch * softmax.inputSize / classes
            try gpu.launch("re_softmax", grid: grid(rows), block: 256, .pointer(x), .pointer(y), .int32(Int32(rows)),
                           .int32(Int32(classes)))
        default:
            throw CUDAError.invalidArgument("layer \(layers[index].name) has no CUDA kernels")
        }
    }

    /// Layer `index` backward. Reads `gradient` (d loss / d output, may be overwritten), adds the parameter
    /// gradients, and writes d loss / d input either in place (returns false) or into `inputGradient` (returns
    /// true: the caller swaps the two buffers).
    func backward(_ index: Int, batch: Int, activations: [UInt64], space: CUDAWorkspace, gradient: UInt64,
                  inputGradient: UInt64, needsInput: Bool) throws -> Bool {
        let x = activations[index], y = activations[index + 1]
        switch layers[index] {
        case let conv as Conv1D:
            let g = conv.geometry, rows = batch * g.shortLength, filters = conv.outputShape[1]
            try reluBackward(conv.activation, output: y, gradient: gradient, count: rows * filters)
            let cols = space.saved[index]!.address
            try gpu.gemmRowMajor(m: g.rowWidth, n: filters, k: rows, a: cols, transposeA: true, b: gradient,
                                  c: gradientAddress(index, 0), beta: 1)
            try columnSum(gradient, rows: rows, columns: filters, into: gradientAddress(index, 1))
            guard needsInput else { return false }
            try gpu.gemmRowMajor(m: rows, n: g.rowWidth, k: filters, a: gradient, b: parameterAddress(index, 0),
                                  transposeB: true, c: space.scratch.address)
            try windows("re_col2im", from: space.scratch.address, to: inputGradient, batch: batch, geometry: g)
            return true
        case let deconv as Conv1DTranspose:
            let g = deconv.geometry, rows = batch * g.shortLength, inChannels = deconv.inputShape[1]
            try reluBackward(deconv.activation, output: y, gradient: gradient, count: batch * deconv.outputSize)
            try columnSum(gradient, rows: batch * g.longLength, columns: g.channels, into: gradientAddress(index, 1))
            try windows("re_im2col", from: gradient, to: space.scratch.address, batch: batch, geometry: g)
            try gpu.gemmRowMajor(m: g.rowWidth, n: inChannels, k: rows, a: space.scratch.address, transposeA: true,
                                  b: x, c: gradientAddress(index, 0), beta: 1)
            guard needsInput else { return false }
            try gpu.gemmRowMajor(m: rows, n: inChannels, k: g.rowWidth, a: space.scratch.address,
                                  b: parameterAddress(index, 0), c: inputGradient)
            return true
        case let dense as Dense:
            let units = dense.outputShape[0], features = dense.inputShape[0]
            try reluBackward(dense.activation, output: y, gradient: gradient, count: batch * units)
            try gpu.gemmRowMajor(m: features, n: units, k: batch, a: x, transposeA: true, b: gradient,
                                  c: gradientAddress(index, 0), beta: 1)
            try columnSum(gradient, rows: batch, columns: units, into: gradientAddress(index, 1))
            guard needsInput else { return false }
            try gpu.gemmRowMajor(m: batch, n: features, k: units, a: gradient, b: parameterAddress(index, 0),
                                  transposeB: true, c: inputGradient)
            return true
        case let dropout as Dropout:
            guard needsInput, dropout.rate > 0 else { return false }
            let n = batch * dropout.inputSize
            try gpu.launch("re_dropout", grid: grid((n + 3) / 4), block: 256, .pointer(gradient), .pointer(gradient),
                           .int64(Int64(n)), .float(dropout.rate), .pointer(space.stepValues.address + 4),
                           .uint32(dropoutStream(index, dropout)))
            return false
        case is Reshape:
            return false
        case let relu as ReLU:
            try reluBackward(.relu, output: y, gradient: gradient, count: batch * relu.inputSize)
            return false
        case let softmax as Softmax:
            guard needsInput else { return false }
            let classes = softmax.inputShape.last ?? 1, rows = batch * softmax.inputSize / classes
            try gpu.launch("re_softmax_backward", grid: grid(rows), block: 256, .pointer(y), .pointer(gradient),
                           .pointer(inputGradient), .int32(Int32(rows)), .int32(Int32(classes)))
            return true
        default:
            throw CUDAError.invalidArgument("layer \(layers[index].name) has no CUDA kernels")
        }
    }

    func reluBackward(_ activation: Activation, output: UInt64, gradient: UInt64, count: Int) throws {
        guard activation == .relu else { return }
        try gpu.launch("re_relu_backward", grid: grid(count), block: 256, .pointer(output), .pointer(gradient),
                       .int64(Int64(count)))
    }

    /// target[c] += sum over rows of matrix[r, c] (bias gradients).
    func columnSum(_ matrix: UInt64, rows: Int, columns: Int, into target: UInt64) throws {
        try gpu.launch("re_column_sum", grid: columns, block: 256, .pointer(matrix), .pointer(target),
                       .int64(Int64(rows)), .int32(Int32(columns)), .float(1))
    }
}
