import NeuralKernels

/// Explicitly vectorised element-wise loops (8 lanes), for pointers the optimiser cannot prove disjoint.
///
///     Vectorized.add(destination, source, count: 64)     // destination += source
enum Vectorized: EightLanes {
    /// destination[i] += source[i].
    @inline(__always)
    static func add(_ destination: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, count: Int) {
        var index = 0
        while index + 8 <= count {
            store(load(destination + index) + load(source + index), destination + index)
            index += 8
        }
        while index < count { destination[index] += source[index]; index += 1 }
    }

    /// values[i] = max(values[i], 0).
    @inline(__always)
    static func relu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        let zero = Lanes(repeating: 0)
        while index + 8 <= count {
            var v = load(values + index)
            v.replace(with: 0, where: v .< zero)
            store(v, values + index)
            index += 8
        }
        while index < count { values[index] = Swift.max(values[index], 0); index += 1 }
    }

    /// gradient[i] = output[i] > 0 ? gradient[i] : 0.
    @inline(__always)
    static func reluMask(_ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        var index = 0
        let zero = Lanes(repeating: 0)
        while index + 8 <= count {
            var g = load(gradient + index)
            g.replace(with: 0, where: load(output + index) .<= zero)
            store(g, gradient + index)
            index += 8
        }
        while index < count { if !(output[index] > 0) { gradient[index] = 0 }; index += 1 }
    }

    /// out[i] = a[i] * b[i].
    @inline(__always)
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                         count: Int) {
        var index = 0
        while index + 8 <= count {
            store(load(a + index) * load(b + index), out + index)
            index += 8
        }
        while index < count { out[index] = a[index] * b[index]; index += 1 }
    }

    /// Σ a[i] * b[i] (two accumulators of 8 lanes, then a scalar tail).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var index = 0
        var first = Lanes(repeating: 0), second = Lanes(repeating: 0)
        while index + 16 <= count {
            first += load(a + index) * load(b + index)
            second += load(a + index + 8) * load(b + index + 8)
            index += 16
        }
        if index + 8 <= count {
            first += load(a + index) * load(b + index)
            index += 8
        }
        var sum = (first + second).sum()
        while index < count { sum += a[index] * b[index]; index += 1 }
        return sum
    }
}
