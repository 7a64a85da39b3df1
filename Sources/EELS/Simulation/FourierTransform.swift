import Foundation

/// An in-place iterative radix-2 complex FFT of a fixed power-of-two length, used by the simulator to convolve
/// spectra with the plural-scattering kernel (internal; not a general-purpose FFT).
///
///     let fft = FourierTransform(length: 8)
///     var re = [1.0, 0, 0, 0, 0, 0, 0, 0], im = [Double](repeating: 0, count: 8)
///     fft.forward(&re, &im)   // all ones: the transform of a delta
struct FourierTransform: Sendable {
    let length: Int
    private let cosTable: [Double]
    private let sinTable: [Double]
    private let bitReversed: [Int]

    /// A transform of `length` points; `length` must be a power of two (checked by the caller's construction).
    init(length: Int) {
        precondition(length > 1 && length & (length - 1) == 0, "FourierTransform: length must be a power of two")
        self.length = length
        cosTable = (0..<length / 2).map { cos(-2 * Double.pi * Double($0) / Double(length)) }
        sinTable = (0..<length / 2).map { sin(-2 * Double.pi * Double($0) / Double(length)) }
        let bits = length.trailingZeroBitCount
        bitReversed = (0..<length).map { index in
            var reversed = 0
            var value = index
            for _ in 0..<bits {
                reversed = (reversed << 1) | (value & 1)
                value >>= 1
            }
            return reversed
        }
    }

    /// The smallest power of two that is at least `n`.
    static func paddedLength(atLeast n: Int) -> Int {
        var size = 2
        while size < n { size <<= 1 }
        return size
    }

    /// X[k] = sum_n x[n] exp(-2 pi i k n / N), in place.
    func forward(_ re: inout [Double], _ im: inout [Double]) { transform(&re, &im, inverse: false) }

    /// x[n] = (1/N) sum_k X[k] exp(+2 pi i k n / N), in place (normalised so inverse(forward(x)) == x).
    func inverse(_ re: inout [Double], _ im: inout [Double]) {
        transform(&re, &im, inverse: true)
        let scale = 1 / Double(length)
        for i in 0..<length {
            re[i] *= scale
            im[i] *= scale
        }
    }

    private func transform(_ re: inout [Double], _ im: inout [Double], inverse: Bool) {
        precondition(re.count == length && im.count == length)
        for i in 0..<length {
            let j = bitReversed[i]
            if j > i {
                re.swapAt(i, j)
                im.swapAt(i, j)
            }
        }
        let sign: Double = inverse ? -1 : 1
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { m in
                var half = 1
                while half < length {
                    let step = length / (2 * half)
                    var start = 0
                    while start < length {
                        for k in 0..<half {
                            let wr = cosTable[k * step]
                            let wi = sign * sinTable[k * step]
                            let a = start + k
                            let b = a + half
                            let tr = wr * r[b] - wi * m[b]
                            let ti = wr * m[b] + wi * r[b]
                            r[b] = r[a] - tr
                            m[b] = m[a] - ti
                            r[a] += tr
                            m[a] += ti
                        }
                        start += 2 * half
                    }
                    half *= 2
                }
            }
        }
    }
}
