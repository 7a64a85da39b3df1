import Foundation

/// How well a low-dimensional embedding keeps the neighbourhoods of the data (exact, O(n^2): for checks and
/// tests on up to a few thousand points).
public enum EmbeddingQuality {
    /// The mean fraction of each point's k nearest neighbours in the data that are also among its k nearest in
    /// the embedding (1 = every neighbourhood kept).
    ///
    ///     let q = try EmbeddingQuality.knnPreservation(data: x, d: 20, embedding: r.embedding, k: 10)
    public static func knnPreservation(data: [Float], d: Int, embedding: [Double], k: Int) throws -> Double {
        let (high, low) = try neighbourSets(data: data, d: d, embedding: embedding, k: k)
        var kept = 0
        for i in high.indices { kept += Set(high[i].prefix(k)).intersection(low[i].prefix(k)).count }
        return Double(kept) / Double(high.count * k)
    }

    /// Trustworthiness (Venna and Kaski; scikit-learn's `trustworthiness`): 1 minus a penalty for embedding
    /// neighbours that are far in the data, weighted by their data rank beyond k. 1 = perfect.
    public static func trustworthiness(data: [Float], d: Int, embedding: [Double], k: Int) throws -> Double {
        let n = embedding.count / 2
        guard k < n / 2 else { throw EELSError.value("trustworthiness: k must be < n / 2, got \(k) for \(n)") }
        let (high, low) = try neighbourSets(data: data, d: d, embedding: embedding, k: n - 1)
        var penalty = 0.0
        for i in 0..<n {
            var rank = [Int](repeating: 0, count: n)
            for (r, j) in high[i].enumerated() { rank[j] = r + 1 }
            for j in low[i].prefix(k) where rank[j] > k { penalty += Double(rank[j] - k) }
        }
        return 1 - 2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)) * penalty
    }

    /// Neighbour lists (nearest first, self excluded) in the data and the embedding.
    private static func neighbourSets(data: [Float], d: Int, embedding: [Double], k: Int) throws
        -> ([[Int]], [[Int]]) {
        let n = embedding.count / 2
        guard n >= 2, embedding.count == 2 * n, data.count == n * d else {
            throw EELSError.shape("embedding quality: \(data.count) data values and \(embedding.count) "
                + "coordinates do not describe the same points (\(d) features, 2-D)")
        }
        guard k >= 1, k < n else { throw EELSError.value("embedding quality: k must be in 1..<\(n), got \(k)") }
        func order(_ dist: (Int, Int) -> Double) -> [[Int]] {
            (0..<n).map { (i: Int) -> [Int] in
                var pairs: [(index: Int, distance: Double)] = []
                pairs.reserveCapacity(n - 1)
                for j in 0..<n where j != i { pairs.append((j, dist(i, j))) }
                pairs.sort { (a, b) -> Bool in a.distance < b.distance || (a.distance == b.distance && a.index < b.index) }
                return pairs.prefix(k).map { $0.index }
            }
        }
        let high = order { i, j in
            var s = 0.0
            for c in 0..<d { let t = Double(data[i * d + c]) - Double(data[j * d + c]); s += t * t }
            return s
        }
        let low = order { i, j in
            let dx = embedding[2 * i] - embedding[2 * j], dy = embedding[2 * i + 1] - embedding[2 * j + 1]
            return dx * dx + dy * dy
        }
        return (high, low)
    }
}
