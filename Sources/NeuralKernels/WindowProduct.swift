/// Register-blocked products of overlapping window rows with a small weight matrix: the inner loop of the
/// CPU convolutions, with no im2col copy and no GEMM packing (each window row is read where it lies).
///
/// This module is compiled with AVX2 and FMA enabled on x86-64 (Package.swift); call it only where
/// `NeuralCore` has checked that the processor has them (`CPUFeatures`).
///
///     // c[r][j] += Σ_x a[r * 2 + x] * b[x][j]: rows of a 'same' stride-2 convolution of one channel
///     WindowProduct.accumulate(rows: 120, columns: 8, depth: 7, a: padded, rowStride: 2, b: kernel,
///                              c: output, ldc: 8)
public enum WindowProduct: EightLanes {

    /// c[r * ldc + j] = act(start + Σ_{x < depth} a[r * rowStride + x] * b[x * columns + j]) for r < rows,
    /// j < columns, where start is bias[j] when `bias` is given, else c's current value; act is ReLU when `relu`.
    /// Rows of `a` may overlap (rowStride < depth). `columns` must be a multiple of 8.
    public static func accumulate(rows: Int, columns: Int, depth: Int, a: UnsafePointer<Float>, rowStride: Int,
                                  b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                  bias: UnsafePointer<Float>? = nil, relu: Bool = false) {
        precondition(columns % 8 == 0, "WindowProduct: columns \(columns) is not a multiple of 8")
        var column = 0
        while column < columns {
            let wide = columns - column >= 16
            var row = 0
            while row < rows {
                let valid = Swift.min(6, rows - row)
                let rowA = a + row * rowStride, rowC = c + row * ldc + column
                let start = bias.map { $0 + column }
                if wide {
                    block6x16(valid: valid, depth: depth, a: rowA, rowStride: rowStride, depthStride: 1, b: b + column,
                              ldb: columns, c: rowC, ldc: ldc, bias: start, relu: relu)
                } else {
                    block6x8(valid: valid, depth: depth, a: rowA, rowStride: rowStride, depthStride: 1, b: b + column,
                             ldb: columns, c: rowC, ldc: ldc, bias: start, relu: relu)
                }
                row += 6
            }
            column += wide ? 16 : 8
        }
    }

    /// c[r * ldc + j] += Σ_{n < samples} Σ_{x < depth} a[n * aSampleStride + x * depthStride + r] *
    /// b[n * bSampleStride + x * ldb + j] for r < rows, j < columns: a sum of outer products, the kernel gradient
    /// of a convolution read straight from the (padded) windows of every sample, without an im2col copy; the
    /// accumulators stay in registers over all samples. `columns` must be a multiple of 8.
    ///
    ///     // dW[w][f] += Σ_o x[o * stride * channels + w] * dy[o][f]  (w = tap * channels + channel)
    ///     WindowProduct.accumulateOuter(rows: 7 * 8, columns: 16, depth: 60, a: padded, depthStride: 16,
    ///                                   b: dy, ldb: 16, c: dW, ldc: 16)
    public static func accumulateOuter(rows: Int, columns: Int, depth: Int, a: UnsafePointer<Float>, depthStride: Int,
                                       b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                       samples: Int = 1, aSampleStride: Int = 0, bSampleStride: Int = 0) {
        precondition(columns % 8 == 0, "WindowProduct: columns \(columns) is not a multiple of 8")
        var column = 0
        while column < columns {
            let wide = columns - column >= 16
            var row = 0
            while row < rows {
                let valid = Swift.min(6, rows - row)
                if wide {
                    block6x16(valid: valid, depth: depth, a: a + row, rowStride: 1, depthStride: depthStride,
                              b: b + column, ldb: ldb, c: c + row * ldc + column, ldc: ldc, bias: nil, relu: false,
                              samples: samples, aSampleStride: aSampleStride, bSampleStride: bSampleStride)
                } else {
                    block6x8(valid: valid, depth: depth, a: a + row, rowStride: 1, depthStride: depthStride,
                             b: b + column, ldb: ldb, c: c + row * ldc + column, ldc: ldc, bias: nil, relu: false,
                             samples: samples, aSampleStride: aSampleStride, bSampleStride: bSampleStride)
                }
                row += 6
            }
            column += wide ? 16 : 8
        }
    }

    /// c[r * ldc] = start + Σ_{x < depth} a[r * rowStride + x] * b[x] for r < rows (one output column), start
    /// being `bias` when given, else c's current value.
    public static func accumulateColumn(rows: Int, depth: Int, a: UnsafePointer<Float>, rowStride: Int,
                                        b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                        bias: Float? = nil) {
        if rowStride == 8, depth % 8 == 0 {
            column8(rows: rows, depth: depth, a: a, b: b, c: c, ldc: ldc, bias: bias)
            return
        }
        var row = 0
        while row < rows {
            let valid = Swift.min(4, rows - row)
            let a0 = a + row * rowStride
            let a1 = a0 + Swift.min(1, valid - 1) * rowStride, a2 = a0 + Swift.min(2, valid - 1) * rowStride
            let a3 = a0 + Swift.min(3, valid - 1) * rowStride
            var s0 = Lanes(repeating: 0), s1 = s0, s2 = s0, s3 = s0
            var x = 0
            while x + 8 <= depth {
                let w = load(b + x)
                s0 = s0.addingProduct(load(a0 + x), w); s1 = s1.addingProduct(load(a1 + x), w)
                s2 = s2.addingProduct(load(a2 + x), w); s3 = s3.addingProduct(load(a3 + x), w)
                x += 8
            }
            var sums = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
            while x < depth {
                sums[0] += a0[x] * b[x]; sums[1] += a1[x] * b[x]; sums[2] += a2[x] * b[x]; sums[3] += a3[x] * b[x]
                x += 1
            }
            for i in 0..<valid {
                let target = c + (row + i) * ldc
                target.pointee = (bias ?? target.pointee) + sums[i]
            }
            row += 4
        }
    }

    /// `accumulateColumn` for rows 8 floats apart (eight channels): blocks of eight rows share each window
    /// vector, and the eight dot products are summed across lanes together.
    static func column8(rows: Int, depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                        c: UnsafeMutablePointer<Float>, ldc: Int, bias: Float?) {
        var row = 0
        while row < rows {
            let valid = Swift.min(8, rows - row), last = valid - 1
            let a0 = a + row * 8
            var s0 = Lanes(repeating: 0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0
            var x = 0
            while x < depth {
                let w = load(b + x), base = a0 + x
                s0 = s0.addingProduct(load(base), w)
                s1 = s1.addingProduct(load(base + Swift.min(1, last) * 8), w)
                s2 = s2.addingProduct(load(base + Swift.min(2, last) * 8), w)
                s3 = s3.addingProduct(load(base + Swift.min(3, last) * 8), w)
                s4 = s4.addingProduct(load(base + Swift.min(4, last) * 8), w)
                s5 = s5.addingProduct(load(base + Swift.min(5, last) * 8), w)
                s6 = s6.addingProduct(load(base + Swift.min(6, last) * 8), w)
                s7 = s7.addingProduct(load(base + Swift.min(7, last) * 8), w)
                x += 8
            }
            let sums = laneSums(s0, s1, s2, s3, s4, s5, s6, s7)
            for i in 0..<valid {
                let target = c + (row + i) * ldc
                target.pointee = (bias ?? target.pointee) + sums[i]
            }
            row += 8
        }
    }

    /// Lane i of the result is the sum of the lanes of s_i.
    @inline(__always)
    static func laneSums(_ s0: Lanes, _ s1: Lanes, _ s2: Lanes, _ s3: Lanes, _ s4: Lanes, _ s5: Lanes, _ s6: Lanes,
                         _ s7: Lanes) -> Lanes {
        @inline(__always)
        func fold(_ x: Lanes, _ y: Lanes) -> Lanes {
            Lanes(lowHalf: x.evenHalf, highHalf: y.evenHalf) + Lanes(lowHalf: x.oddHalf, highHalf: y.oddHalf)
        }
        return fold(fold(fold(s0, s1), fold(s2, s3)), fold(fold(s4, s5), fold(s6, s7)))
    }

    /// The starting value of accumulator row `row` (of `valid`), columns at `offset`.
    @inline(__always)
    static func initial(_ c: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>?, row: Int, valid: Int,
                        ldc: Int, offset: Int) -> Lanes {
        if let bias { return load(bias + offset) }
        return row < valid ? load(c + row * ldc + offset) : Lanes(repeating: 0)
    }

    /// Stores accumulator row `row` if it is one of the `valid` rows.
    @inline(__always)
    static func finish(_ value: Lanes, _ c: UnsafeMutablePointer<Float>, row: Int, valid: Int, ldc: Int, offset: Int,
                       relu: Bool) {
        guard row < valid else { return }
        var value = value
        if relu { value.replace(with: 0, where: value .< Lanes(repeating: 0)) }
        store(value, c + row * ldc + offset)
    }

    /// Up to six rows x 16 columns: 12 accumulators stay in registers over the whole depth (rows past `valid`
    /// repeat the last valid row and are not stored).
    @inline(__always)
    static func block6x16(valid: Int, depth: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
                          b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                          bias: UnsafePointer<Float>?, relu: Bool, samples: Int = 1, aSampleStride: Int = 0,
                          bSampleStride: Int = 0) {
        let last = valid - 1
        let a0 = a, a1 = a + Swift.min(1, last) * rowStride, a2 = a + Swift.min(2, last) * rowStride
        let a3 = a + Swift.min(3, last) * rowStride, a4 = a + Swift.min(4, last) * rowStride
        let a5 = a + Swift.min(5, last) * rowStride
        var c00 = initial(c, bias, row: 0, valid: valid, ldc: ldc, offset: 0)
        var c01 = initial(c, bias, row: 0, valid: valid, ldc: ldc, offset: 8)
        var c10 = initial(c, bias, row: 1, valid: valid, ldc: ldc, offset: 0)
        var c11 = initial(c, bias, row: 1, valid: valid, ldc: ldc, offset: 8)
        var c20 = initial(c, bias, row: 2, valid: valid, ldc: ldc, offset: 0)
        var c21 = initial(c, bias, row: 2, valid: valid, ldc: ldc, offset: 8)
        var c30 = initial(c, bias, row: 3, valid: valid, ldc: ldc, offset: 0)
        var c31 = initial(c, bias, row: 3, valid: valid, ldc: ldc, offset: 8)
        var c40 = initial(c, bias, row: 4, valid: valid, ldc: ldc, offset: 0)
        var c41 = initial(c, bias, row: 4, valid: valid, ldc: ldc, offset: 8)
        var c50 = initial(c, bias, row: 5, valid: valid, ldc: ldc, offset: 0)
        var c51 = initial(c, bias, row: 5, valid: valid, ldc: ldc, offset: 8)
        var sampleA = 0, sampleB = b
        for _ in 0..<samples {
        var weights = sampleB
        for x in 0..<depth {
            let b0 = load(weights), b1 = load(weights + 8)
            var s = Lanes(repeating: a0[sampleA + x * depthStride])
            c00 = c00.addingProduct(s, b0); c01 = c01.addingProduct(s, b1)
            s = Lanes(repeating: a1[sampleA + x * depthStride])
            c10 = c10.addingProduct(s, b0); c11 = c11.addingProduct(s, b1)
            s = Lanes(repeating: a2[sampleA + x * depthStride])
            c20 = c20.addingProduct(s, b0); c21 = c21.addingProduct(s, b1)
            s = Lanes(repeating: a3[sampleA + x * depthStride])
            c30 = c30.addingProduct(s, b0); c31 = c31.addingProduct(s, b1)
            s = Lanes(repeating: a4[sampleA + x * depthStride])
            c40 = c40.addingProduct(s, b0); c41 = c41.addingProduct(s, b1)
            s = Lanes(repeating: a5[sampleA + x * depthStride])
            c50 = c50.addingProduct(s, b0); c51 = c51.addingProduct(s, b1)
            weights += ldb
        }
        sampleA += aSampleStride
        sampleB += bSampleStride
        }
        finish(c00, c, row: 0, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c01, c, row: 0, valid: valid, ldc: ldc, offset: 8, relu: relu)
        finish(c10, c, row: 1, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c11, c, row: 1, valid: valid, ldc: ldc, offset: 8, relu: relu)
        finish(c20, c, row: 2, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c21, c, row: 2, valid: valid, ldc: ldc, offset: 8, relu: relu)
        finish(c30, c, row: 3, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c31, c, row: 3, valid: valid, ldc: ldc, offset: 8, relu: relu)
        finish(c40, c, row: 4, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c41, c, row: 4, valid: valid, ldc: ldc, offset: 8, relu: relu)
        finish(c50, c, row: 5, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c51, c, row: 5, valid: valid, ldc: ldc, offset: 8, relu: relu)
    }

    /// Up to six rows x 8 columns.
    @inline(__always)
    static func block6x8(valid: Int, depth: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                         bias: UnsafePointer<Float>?, relu: Bool, samples: Int = 1, aSampleStride: Int = 0,
                         bSampleStride: Int = 0) {
        let last = valid - 1
        let a0 = a, a1 = a + Swift.min(1, last) * rowStride, a2 = a + Swift.min(2, last) * rowStride
        let a3 = a + Swift.min(3, last) * rowStride, a4 = a + Swift.min(4, last) * rowStride
        let a5 = a + Swift.min(5, last) * rowStride
        var c0 = initial(c, bias, row: 0, valid: valid, ldc: ldc, offset: 0)
        var c1 = initial(c, bias, row: 1, valid: valid, ldc: ldc, offset: 0)
        var c2 = initial(c, bias, row: 2, valid: valid, ldc: ldc, offset: 0)
        var c3 = initial(c, bias, row: 3, valid: valid, ldc: ldc, offset: 0)
        var c4 = initial(c, bias, row: 4, valid: valid, ldc: ldc, offset: 0)
        var c5 = initial(c, bias, row: 5, valid: valid, ldc: ldc, offset: 0)
        var sampleA = 0, sampleB = b
        for _ in 0..<samples {
        var weights = sampleB
        for x in 0..<depth {
            let w = load(weights)
            c0 = c0.addingProduct(Lanes(repeating: a0[sampleA + x * depthStride]), w)
            c1 = c1.addingProduct(Lanes(repeating: a1[sampleA + x * depthStride]), w)
            c2 = c2.addingProduct(Lanes(repeating: a2[sampleA + x * depthStride]), w)
            c3 = c3.addingProduct(Lanes(repeating: a3[sampleA + x * depthStride]), w)
            c4 = c4.addingProduct(Lanes(repeating: a4[sampleA + x * depthStride]), w)
            c5 = c5.addingProduct(Lanes(repeating: a5[sampleA + x * depthStride]), w)
            weights += ldb
        }
        sampleA += aSampleStride
        sampleB += bSampleStride
        }
        finish(c0, c, row: 0, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c1, c, row: 1, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c2, c, row: 2, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c3, c, row: 3, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c4, c, row: 4, valid: valid, ldc: ldc, offset: 0, relu: relu)
        finish(c5, c, row: 5, valid: valid, ldc: ldc, offset: 0, relu: relu)
    }
}
