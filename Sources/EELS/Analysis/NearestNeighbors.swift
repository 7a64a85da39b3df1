import COpenBLAS
import Dispatch
import Foundation

/// Exact k nearest neighbours of every row of a `[n x d]` matrix by blocked BLAS distances.
///
/// Squared Euclidean distances come from |x|^2 + |y|^2 - 2 x.y with `sgemm` over blocks of rows (the data are
/// centred first, which keeps the expansion accurate in Float32); each row keeps its k smallest in a max-heap.
///
///     let knn = try NearestNeighbors(matrix, n: 25_520, d: 240, k: 90)
///     knn.indices[0 * 90 + 0]     // the nearest neighbour of row 0 (never row 0 itself)
public struct NearestNeighbors: Sendable {
    /// Neighbours per row.
    public let k: Int
    /// `[n x k]` row-major neighbour indices, nearest first.
    public let indices: [Int32]
    /// `[n x k]` squared Euclidean distances, ascending per row.
    public let squaredDistances: [Float]

    /// - Throws: `EELSError.shape` when `matrix.count != n * d`; `EELSError.value` unless 1 <= k < n.
    public init(_ matrix: [Float], n: Int, d: Int, k: Int, isCancelled: (() -> Bool)? = nil) throws {
        guard n >= 2, d >= 1, matrix.count == n * d else {
            throw EELSError.shape("nearest neighbours: \(matrix.count) values do not make \(n) x \(d) (n >= 2)")
        }
        guard k >= 1, k < n else { throw EELSError.value("nearest neighbours: k must be in 1..<\(n), got \(k)") }
        self.k = k
        var x = matrix
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { mean[c] += Double(x[i * d + c]) } }
        for i in 0..<n { for c in 0..<d { x[i * d + c] -= Float(mean[c] / Double(n)) } }
        var norms = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var s: Float = 0
            for c in 0..<d { s += x[i * d + c] * x[i * d + c] }
            norms[i] = s
        }
        var outIndex = [Int32](repeating: 0, count: n * k)
        var outDistance = [Float](repeating: 0, count: n * k)
        let block = 256
        var dots = [Float](repeating: 0, count: block * n)
        for start in stride(from: 0, to: n, by: block) {
            if let isCancelled, isCancelled() { throw CancellationError() }
            let rows = min(block, n - start)
            x.withUnsafeBufferPointer { xp in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(n), Int32(d), -2,
                            xp.baseAddress! + start * d, Int32(d), xp.baseAddress!, Int32(d), 0, &dots, Int32(n))
            }
            dots.withUnsafeBufferPointer { dp in
                norms.withUnsafeBufferPointer { np in
                    outIndex.withUnsafeMutableBufferPointer { oi in
                        outDistance.withUnsafeMutableBufferPointer { od in
                            let (dpp, npp, oip, odp) = (dp.baseAddress!, np.baseAddress!, oi.baseAddress!,
                                                        od.baseAddress!)
                            let chunks = 8
                            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                                var heap = NeighborHeap(capacity: k)
                                for r in stride(from: chunk, to: rows, by: chunks) {
                                    let i = start + r
                                    heap.clear()
                                    let row = dpp + r * n
                                    let ni = npp[i]
                                    for j in 0..<n where j != i {
                                        let dist = max(row[j] + ni + npp[j], 0)
                                        if heap.count < k || dist < heap.top { heap.push(dist, Int32(j)) }
                                    }
                                    heap.sortedAscending(into: odp + i * k, oip + i * k)
                                }
                            }
                        }
                    }
                }
            }
        }
        indices = outIndex
        squaredDistances = outDistance
    }
}

/// A bounded max-heap of (distance, index) keeping the k smallest distances.
struct NeighborHeap {
    let capacity: Int
    var distances: [Float]
    var indices: [Int32]
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        distances = [Float](repeating: 0, count: capacity)
        indices = [Int32](repeating: 0, count: capacity)
    }

    mutating func clear() { count = 0 }

    var top: Float { distances[0] }

    mutating func push(_ d: Float, _ index: Int32) {
        if count < capacity {
            var i = count
            count += 1
            while i > 0 {
                let parent = (i - 1) / 2
                if distances[parent] >= d { break }
                distances[i] = distances[parent]; indices[i] = indices[parent]
                i = parent
            }
            distances[i] = d; indices[i] = index
        } else {
            siftDown(d, index)
        }
    }

    /// Replaces the largest element with (d, index).
    private mutating func siftDown(_ d: Float, _ index: Int32) {
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= count { break }
            var c = l
            if l + 1 < count && distances[l + 1] > distances[l] { c = l + 1 }
            if distances[c] <= d { break }
            distances[i] = distances[c]; indices[i] = indices[c]
            i = c
        }
        distances[i] = d; indices[i] = index
    }

    /// Empties the heap into ascending order.
    mutating func sortedAscending(into d: UnsafeMutablePointer<Float>, _ idx: UnsafeMutablePointer<Int32>) {
        while count > 0 {
            let last = count - 1
            d[last] = distances[0]; idx[last] = indices[0]
            let (md, mi) = (distances[last], indices[last])
            count -= 1
            if count > 0 { siftDown(md, mi) }
        }
    }
}
