import EELS
import XCTest

/// t-SNE on well-separated synthetic clusters: separation, neighbourhood preservation, KL, errors, cancellation.
final class TSNETests: XCTestCase {
    /// `clusters` Gaussian blobs of `per` points in `d` dimensions, centres 10 apart, unit spread.
    func blobs(clusters: Int, per: Int, d: Int, seed: UInt64) -> (x: [Float], labels: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<clusters).map { _ in (0..<d).map { _ in 10 * rng.nextGaussian() } }
        var x: [Float] = [], labels: [Int] = []
        for c in 0..<clusters {
            for _ in 0..<per {
                x += (0..<d).map { Float(centres[c][$0] + rng.nextGaussian()) }
                labels.append(c)
            }
        }
        return (x, labels)
    }

    func testSeparatesClustersAndKeepsNeighbourhoods() throws {
        let (x, labels) = blobs(clusters: 5, per: 80, d: 20, seed: 5)
        let n = labels.count
        var seen = 0, lastKL: Double? = nil
        let r = try tsne(x, n: n, d: 20, perplexity: 20, seed: 1, progress: { p in
            seen = p.iteration
            XCTAssertEqual(p.totalIterations, 1000)
            lastKL = p.kl ?? lastKL
        })
        XCTAssertEqual(seen, 1000)
        XCTAssertNotNil(lastKL)
        XCTAssertEqual(r.embedding.count, 2 * n)
        // Every point's nearest embedded neighbour belongs to its own cluster.
        var sameLabel = 0
        for i in 0..<n {
            var best = -1, bestD = Double.infinity
            for j in 0..<n where j != i {
                let dx = r.embedding[2 * i] - r.embedding[2 * j], dy = r.embedding[2 * i + 1] - r.embedding[2 * j + 1]
                if dx * dx + dy * dy < bestD { bestD = dx * dx + dy * dy; best = j }
            }
            if labels[best] == labels[i] { sameLabel += 1 }
        }
        XCTAssertEqual(Double(sameLabel) / Double(n), 1, accuracy: 0.005)
        // Cluster centroids are far apart relative to the clusters' spread.
        var cx = [Double](repeating: 0, count: 5), cy = cx, spread = cx
        for i in 0..<n { cx[labels[i]] += r.embedding[2 * i] / 80; cy[labels[i]] += r.embedding[2 * i + 1] / 80 }
        for i in 0..<n {
            let dx = r.embedding[2 * i] - cx[labels[i]], dy = r.embedding[2 * i + 1] - cy[labels[i]]
            spread[labels[i]] = max(spread[labels[i]], (dx * dx + dy * dy).squareRoot())
        }
        for a in 0..<5 {
            for b in (a + 1)..<5 {
                let dist = ((cx[a] - cx[b]) * (cx[a] - cx[b]) + (cy[a] - cy[b]) * (cy[a] - cy[b])).squareRoot()
                XCTAssertGreaterThan(dist, spread[a] + spread[b], "clusters \(a) and \(b) overlap")
            }
        }
        let trust = try EmbeddingQuality.trustworthiness(data: x, d: 20, embedding: r.embedding, k: 10)
        let kept = try EmbeddingQuality.knnPreservation(data: x, d: 20, embedding: r.embedding, k: 10)
        XCTAssertGreaterThan(trust, 0.9, "trustworthiness \(trust)")
        XCTAssertGreaterThan(kept, 0.3, "10-NN preservation \(kept)")
        XCTAssertTrue(r.kl > 0 && r.kl < 2, "KL \(r.kl)")
        // A random embedding keeps far fewer neighbours: the measure can fail.
        var rng = SeededGenerator(seed: 2)
        let random = (0..<2 * n).map { _ in rng.nextGaussian() }
        XCTAssertLessThan(try EmbeddingQuality.knnPreservation(data: x, d: 20, embedding: random, k: 10), 0.1)
    }

    func testSameSeedSameEmbedding() throws {
        let (x, labels) = blobs(clusters: 3, per: 30, d: 5, seed: 8)
        var options = TSNEOptions()
        options.iterations = 100
        options.initialization = .random
        let a = try tsne(x, n: labels.count, d: 5, perplexity: 10, seed: 4, options: options)
        let b = try tsne(x, n: labels.count, d: 5, perplexity: 10, seed: 4, options: options)
        XCTAssertEqual(a.embedding, b.embedding)
    }

    func testCancellationAndBadInputs() {
        let (x, labels) = blobs(clusters: 2, per: 20, d: 3, seed: 1)
        var calls = 0
        XCTAssertThrowsError(try tsne(x, n: labels.count, d: 3, perplexity: 5, isCancelled: {
            calls += 1
            return calls > 10
        })) { XCTAssertTrue($0 is CancellationError) }
        XCTAssertThrowsError(try tsne(x, n: labels.count, d: 3, perplexity: 30)) {
            XCTAssertTrue("\($0)".contains("perplexity"), "\($0)")
        }
        XCTAssertThrowsError(try tsne(x, n: 7, d: 3)) { XCTAssertTrue("\($0)".contains("7 x 3"), "\($0)") }
    }

    func testNearestNeighboursAreExact() throws {
        let (x, _) = blobs(clusters: 2, per: 50, d: 7, seed: 3)
        let knn = try NearestNeighbors(x, n: 100, d: 7, k: 5)
        for i in [0, 17, 99] {
            let brute = (0..<100).filter { $0 != i }.map { j -> (Int, Double) in
                (j, (0..<7).map { Double(x[i * 7 + $0] - x[j * 7 + $0]) }.map { $0 * $0 }.reduce(0, +))
            }.sorted { $0.1 < $1.1 }
            XCTAssertEqual(knn.indices[(i * 5)..<(i * 5 + 5)].map(Int.init), brute.prefix(5).map { $0.0 })
            XCTAssertEqual(Double(knn.squaredDistances[i * 5]), brute[0].1, accuracy: 1e-3 * brute[0].1 + 1e-4)
        }
    }
}
