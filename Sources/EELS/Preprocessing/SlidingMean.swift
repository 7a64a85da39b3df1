import Foundation

/// The mean over a sliding window of pixels centred on each pixel (a box filter; windows are cut short at the
/// image's edges and average what they hold), for every one of `depth` values per pixel.
///
///     // 10 x 638 pixels x 240 channels, each pixel replaced by the mean of its 3 x 9 neighbourhood
///     let smooth = try slidingMean(si.data, rows: 10, columns: 638, depth: 240, window: (3, 9))
/// - Throws: `EELSError.value` for a window that is not positive and odd, or values of another size.
public func slidingMean(_ values: [Float], rows: Int, columns: Int, depth: Int,
                        window: (rows: Int, columns: Int)) throws -> [Float] {
    guard window.rows >= 1, window.columns >= 1, window.rows % 2 == 1, window.columns % 2 == 1 else {
        throw EELSError.value("the window \(window.rows) x \(window.columns) must be odd and positive in both "
            + "directions, so it is centred on its pixel")
    }
    guard rows >= 1, columns >= 1, depth >= 1, values.count == rows * columns * depth else {
        throw EELSError.value("\(values.count) values are not \(rows) x \(columns) pixels x \(depth)")
    }
    // Separable: along columns, then along rows, with running sums in Double.
    func pass(_ input: [Float], lines: Int, length: Int, stride: Int, lineStride: Int, half: Int) -> [Float] {
        var output = input
        var sums = [Double](repeating: 0, count: depth)
        for line in 0..<lines {
            let base = line * lineStride
            for d in 0..<depth { sums[d] = 0 }
            var lo = 0, hi = -1   // the window [lo, hi] held in sums
            for i in 0..<length {
                let wantLo = Swift.max(0, i - half), wantHi = Swift.min(length - 1, i + half)
                while hi < wantHi {
                    hi += 1
                    let at = base + hi * stride
                    for d in 0..<depth { sums[d] += Double(input[at + d]) }
                }
                while lo < wantLo {
                    let at = base + lo * stride
                    for d in 0..<depth { sums[d] -= Double(input[at + d]) }
                    lo += 1
                }
                let n = Double(hi - lo + 1), at = base + i * stride
                for d in 0..<depth { output[at + d] = Float(sums[d] / n) }
            }
        }
        return output
    }
    let alongColumns = window.columns == 1 ? values
        : pass(values, lines: rows, length: columns, stride: depth, lineStride: columns * depth, half: window.columns / 2)
    return window.rows == 1 ? alongColumns
        : pass(alongColumns, lines: columns, length: rows, stride: columns * depth, lineStride: depth, half: window.rows / 2)
}
