import NeuralKernels

/// The transposed product of a window layout, computed phase by phase straight into the long axis (no col2im
/// scatter): Conv1DTranspose's forward pass and Conv1D's input gradient.
///
///     long[t][a] += Σ short[o][b] * kernel[j][a][b]   over t = o * stride - padLeft + j
///
/// Long positions t = stride * m + p (phase p) are reached only by taps j ≡ p + padLeft (mod stride); for them
/// the short positions m + firstShort + q (q = 0..<taps, j = lastTap - stride * q) are consecutive, so each phase
/// is an ordinary convolution with stride 1 over overlapping, contiguous windows (`WindowProduct`), whose output
/// rows are `stride` positions apart. Kernel layout [kernel, longChannels, shortChannels].
extension WindowGeometry {
    /// The taps of one phase of the transposed product.
    struct TransposedPhase {
        /// Long positions t ≡ phase (mod stride).
        let phase: Int
        /// Number of kernel taps that reach this phase (0 when none does).
        let taps: Int
        /// The largest of those taps (tap q is lastTap - stride * q).
        let lastTap: Int
        /// Short position read by tap 0 for m = 0 (may be negative: zeros).
        let firstShort: Int
    }

    /// The phases 0..<stride and their taps.
    var transposedPhases: [TransposedPhase] {
        (0..<stride).map { phase in
            let residue = (phase + padLeft) % stride
            guard residue < kernel else { return TransposedPhase(phase: phase, taps: 0, lastTap: 0, firstShort: 0) }
            let lastTap = residue + stride * ((kernel - 1 - residue) / stride)
            return TransposedPhase(phase: phase, taps: (lastTap - residue) / stride + 1, lastTap: lastTap,
                                   firstShort: (phase + padLeft - lastTap) / stride)
        }
    }

    /// Rows of phase `phase`: long positions t = stride * m + phase below longLength.
    func phaseRows(_ phase: TransposedPhase) -> Int { (longLength - phase.phase + stride - 1) / stride }

    /// Zero short positions needed before and after a sample so that every window of every phase lies inside.
    private var transposedPadding: (left: Int, right: Int) {
        var left = 0, right = 0
        for phase in transposedPhases where phase.taps > 0 {
            left = Swift.max(left, -phase.firstShort)
            right = Swift.max(right, phaseRows(phase) - 1 + phase.firstShort + phase.taps - shortLength)
        }
        return (left, right)
    }

    /// Whether `transposedProduct` runs for this layout: one long channel (dot products), or long channels a
    /// multiple of 8 with the vector kernels available.
    func supportsTransposedProduct(vectorKernels: Bool) -> Bool {
        channels == 1 || (vectorKernels && channels % 8 == 0)
    }

    /// Scratch floats `transposedProduct` needs (independent of the batch).
    func transposedScratchFloats(shortChannels: Int) -> Int {
        let padding = transposedPadding
        let packed = Swift.max(kernel, interleavedWindow.taps * stride) * shortChannels * channels + stride * channels
        return packed + (padding.left + shortLength + padding.right) * shortChannels
    }

    /// The short positions that all phases of one long block t = stride * m ..< stride * (m + 1) read:
    /// m + first ..< m + first + taps.
    var interleavedWindow: (first: Int, taps: Int) {
        let phases = transposedPhases.filter { $0.taps > 0 }
        guard let first = phases.map(\.firstShort).min(),
              let end = phases.map({ $0.firstShort + $0.taps }).max() else { return (0, 0) }
        return (first, end - first)
    }

    /// Whether the phases run together, as one product with stride * channels columns: each block of `stride`
    /// long positions is `stride * channels` contiguous floats, so 8 long channels at stride 2 fill the 16-column
    /// register blocks instead of the 8-column ones (which wait on the FMA latency), at the cost of the zero
    /// taps that the union window adds (deconv4 of the paper: 4 taps for phases of 4 and 3).
    func interleavesPhases(vectorKernels: Bool) -> Bool {
        vectorKernels && stride > 1 && channels % 16 == 8 && (stride * channels) % 16 == 0
            && longLength % stride == 0 && transposedPhases.allSatisfy { $0.taps > 0 }
            && interleavedWindow.taps * stride <= kernel + stride
    }

    /// The transposed product of short [batch, shortLength, shortChannels] with `kernel` [kernel, channels,
    /// shortChannels] into long [batch, longLength, channels]: long = act(bias + product) when `bias` is given
    /// (act = ReLU when `relu`), else long += product. `scratch` holds `transposedScratchFloats` floats.
    /// Requires `supportsTransposedProduct(vectorKernels:)` with the backend's setting.
    func transposedProduct(_ short: UnsafePointer<Float>, shortChannels: Int, kernel weights: UnsafePointer<Float>,
                           into long: UnsafeMutablePointer<Float>, batch: Int, bias: UnsafePointer<Float>?,
                           relu: Bool, vectorKernels: Bool, scratch: UnsafeMutablePointer<Float>) {
        if interleavesPhases(vectorKernels: vectorKernels) {
            interleavedProduct(short, shortChannels: shortChannels, kernel: weights, into: long, batch: batch,
                               bias: bias, relu: relu, scratch: scratch)
            return
        }
        let allPhases = transposedPhases, phases = allPhases.filter { $0.taps > 0 }
        // The kernels start from the bias only when every long position is written by some phase.
        let fused = vectorKernels && phases.count == allPhases.count && (channels > 1 || !relu)
        if let bias, !fused { Kernels.fillRows(long, rows: batch * longLength, bias: bias, columns: channels) }
        let start = fused ? bias : nil
        // Packed taps of every phase, then one zero-padded sample of `short`.
        var packedOffsets: [Int] = [], packedFloats = 0
        for phase in phases {
            pack(phase, kernel: weights, shortChannels: shortChannels, into: scratch + packedFloats)
            packedOffsets.append(packedFloats)
            packedFloats += phase.taps * shortChannels * channels
        }
        if vectorKernels {
            let padding = transposedPadding, sampleFloats = shortLength * shortChannels
            let padded = scratch + kernel * shortChannels * channels
            padded.update(repeating: 0, count: padding.left * shortChannels)
            (padded + padding.left * shortChannels + sampleFloats)
                .update(repeating: 0, count: padding.right * shortChannels)
            for sample in 0..<batch {
                (padded + padding.left * shortChannels).update(from: short + sample * sampleFloats, count: sampleFloats)
                let target = long + sample * longLength * channels
                for (index, phase) in phases.enumerated() {
                    let rows = padded + (phase.firstShort + padding.left) * shortChannels
                    let depth = phase.taps * shortChannels, taps = scratch + packedOffsets[index]
                    if channels == 1 {
                        WindowProduct.accumulateColumn(rows: phaseRows(phase), depth: depth, a: rows,
                                                       rowStride: shortChannels, b: taps, c: target + phase.phase,
                                                       ldc: stride, bias: start?.pointee)
                    } else {
                        WindowProduct.accumulate(rows: phaseRows(phase), columns: channels, depth: depth, a: rows,
                                                 rowStride: shortChannels, b: taps, c: target + phase.phase * channels,
                                                 ldc: stride * channels, bias: start, relu: fused && relu)
                    }
                }
            }
        } else {
            precondition(channels == 1, "transposedProduct: \(channels) long channels need the vector kernels")
            for (index, phase) in phases.enumerated() {
                addSingleChannelPhase(phase, short: short, shortChannels: shortChannels,
                                      taps: scratch + packedOffsets[index], into: long, batch: batch)
            }
        }
        if bias != nil, relu, !fused { Vectorized.relu(long, count: batch * longLength * channels) }
    }

    /// `transposedProduct` with all phases in one product: row m is the block of long positions
    /// stride * m ..< stride * (m + 1), [stride * channels] contiguous floats, from the window of short positions
    /// m + first ..< m + first + taps. Requires `interleavesPhases`.
    private func interleavedProduct(_ short: UnsafePointer<Float>, shortChannels: Int,
                                    kernel weights: UnsafePointer<Float>, into long: UnsafeMutablePointer<Float>,
                                    batch: Int, bias: UnsafePointer<Float>?, relu: Bool,
                                    scratch: UnsafeMutablePointer<Float>) {
        let window = interleavedWindow, columns = stride * channels, depth = window.taps * shortChannels
        // combined[(w * shortChannels + b) * columns + p * channels + a] = kernel[j][a][b] for the tap j that
        // takes short position m + first + w to long position stride * m + p; 0 where no tap does.
        let combined = scratch, tiledBias = scratch + depth * columns
        combined.update(repeating: 0, count: depth * columns)
        for phase in transposedPhases {
            for q in 0..<phase.taps {
                let w = phase.firstShort + q - window.first
                let tap = weights + (phase.lastTap - stride * q) * channels * shortChannels
                for b in 0..<shortChannels {
                    let row = combined + (w * shortChannels + b) * columns + phase.phase * channels
                    for a in 0..<channels { row[a] = tap[a * shortChannels + b] }
                }
            }
        }
        if let bias { for p in 0..<stride { (tiledBias + p * channels).update(from: bias, count: channels) } }
        let padding = transposedPadding, sampleFloats = shortLength * shortChannels
        let padded = tiledBias + columns
        padded.update(repeating: 0, count: padding.left * shortChannels)
        (padded + padding.left * shortChannels + sampleFloats).update(repeating: 0, count: padding.right * shortChannels)
        let rows = longLength / stride
        for sample in 0..<batch {
            (padded + padding.left * shortChannels).update(from: short + sample * sampleFloats, count: sampleFloats)
            WindowProduct.accumulate(rows: rows, columns: columns, depth: depth,
                                     a: padded + (window.first + padding.left) * shortChannels,
                                     rowStride: shortChannels, b: combined, c: long + sample * longLength * channels,
                                     ldc: columns, bias: bias == nil ? nil : UnsafePointer(tiledBias),
                                     relu: bias != nil && relu)
        }
    }

    /// packed[(q * shortChannels + b) * channels + a] = kernel[lastTap - stride * q][a][b].
    private func pack(_ phase: TransposedPhase, kernel weights: UnsafePointer<Float>, shortChannels: Int,
                      into packed: UnsafeMutablePointer<Float>) {
        for q in 0..<phase.taps {
            let tap = weights + (phase.lastTap - stride * q) * channels * shortChannels
            let destination = packed + q * shortChannels * channels
            for b in 0..<shortChannels {
                for a in 0..<channels { destination[b * channels + a] = tap[a * shortChannels + b] }
            }
        }
    }

    /// One long channel: each output is a dot product of a contiguous run of short values with the packed taps
    /// (no gather, no one-column GEMM).
    private func addSingleChannelPhase(_ phase: TransposedPhase, short: UnsafePointer<Float>, shortChannels: Int,
                                       taps: UnsafePointer<Float>, into long: UnsafeMutablePointer<Float>,
                                       batch: Int) {
        for sample in 0..<batch {
            let source = short + sample * shortLength * shortChannels
            let target = long + sample * longLength
            var m = 0
            while stride * m + phase.phase < longLength {
                let first = m + phase.firstShort
                let lower = Swift.max(0, -first), upper = Swift.min(phase.taps, shortLength - first)
                if upper > lower {
                    target[stride * m + phase.phase] += Vectorized.dot(
                        source + (first + lower) * shortChannels, taps + lower * shortChannels,
                        count: (upper - lower) * shortChannels)
                }
                m += 1
            }
        }
    }
}
