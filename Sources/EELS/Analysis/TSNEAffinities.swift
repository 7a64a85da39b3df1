import Dispatch
import Foundation

/// The symmetric sparse input affinities P of t-SNE in compressed-row form (sum of all entries = 1).
struct SparseAffinities {
    let n: Int
    /// Row i's entries are `columns[rowStart[i]..<rowStart[i + 1]]` with `values` alike.
    var rowStart: [Int]
    var columns: [Int32]
    var values: [Double]

    /// Conditional Gaussian affinities calibrated to `perplexity` on each point's neighbours (binary search on the
    /// precision), then symmetrised: P = (P_j|i + P_i|j) / 2n.
    init(neighbors: NearestNeighbors, n: Int, perplexity: Double) {
        let k = neighbors.k
        var conditional = [Double](repeating: 0, count: n * k)
        let target = log(perplexity)
        neighbors.squaredDistances.withUnsafeBufferPointer { dist in
            conditional.withUnsafeMutableBufferPointer { out in
                let (dp, op) = (dist.baseAddress!, out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: 16) { chunk in
                    for i in stride(from: chunk, to: n, by: 16) {
                        Self.calibrate(dp + i * k, k: k, target: target, into: op + i * k)
                    }
                }
            }
        }
        // Symmetrise: count entries per row of P + P^T, fill, then merge duplicate columns.
        var counts = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            counts[i] += k
            for j in 0..<k { counts[Int(neighbors.indices[i * k + j])] += 1 }
        }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { start[i + 1] = start[i] + counts[i] }
        var fill = start
        var cols = [Int32](repeating: 0, count: start[n])
        var vals = [Double](repeating: 0, count: start[n])
        let norm = 1 / (2 * Double(n))
        for i in 0..<n {
            for j in 0..<k {
                let nb = Int(neighbors.indices[i * k + j]), p = conditional[i * k + j] * norm
                cols[fill[i]] = Int32(nb); vals[fill[i]] = p; fill[i] += 1
                cols[fill[nb]] = Int32(i); vals[fill[nb]] = p; fill[nb] += 1
            }
        }
        var mergedStart = [Int](repeating: 0, count: n + 1)
        var mergedCols = [Int32](), mergedVals = [Double]()
        mergedCols.reserveCapacity(start[n]); mergedVals.reserveCapacity(start[n])
        var order = [Int]()
        for i in 0..<n {
            order = Array(start[i]..<start[i + 1])
            order.sort { cols[$0] < cols[$1] }
            var last: Int32 = -1
            for e in order {
                if cols[e] == last {
                    mergedVals[mergedVals.count - 1] += vals[e]
                } else {
                    mergedCols.append(cols[e]); mergedVals.append(vals[e]); last = cols[e]
                }
            }
            mergedStart[i + 1] = mergedCols.count
        }
        self.n = n
        rowStart = mergedStart
        columns = mergedCols
        values = mergedVals
    }

    /// Binary search for the precision beta with entropy log(perplexity) over k squared distances.
    static func calibrate(_ d: UnsafePointer<Float>, k: Int, target: Double, into p: UnsafeMutablePointer<Double>) {
        var beta = 1.0, lo = 0.0, hi = Double.infinity
        let dmin = Double(d[0])
        // Scale so that beta = 1 starts near the right magnitude.
        var meanD = 0.0
        for j in 0..<k { meanD += Double(d[j]) - dmin }
        meanD /= Double(k)
        let scale = meanD > 0 ? 1 / meanD : 1
        for _ in 0..<200 {
            var sum = 0.0, weighted = 0.0
            for j in 0..<k {
                let dj = (Double(d[j]) - dmin) * scale
                let w = exp(-beta * dj)
                p[j] = w
                sum += w
                weighted += w * dj
            }
            let entropy = log(sum) + beta * weighted / sum
            let diff = entropy - target
            if abs(diff) < 1e-8 { break }
            if diff > 0 {
                lo = beta
                beta = hi.isInfinite ? beta * 2 : (beta + hi) / 2
            } else {
                hi = beta
                beta = (beta + lo) / 2
            }
        }
        var sum = 0.0
        for j in 0..<k { sum += p[j] }
        for j in 0..<k { p[j] /= sum }
    }
}
