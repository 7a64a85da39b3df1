import Dispatch
import Foundation

/// Where a t-SNE run is: reported every iteration to the `progress` closure of `tsne`.
public struct TSNEProgress: Sendable {
    /// 1-based iteration over both phases, out of `totalIterations`.
    public let iteration: Int
    public let totalIterations: Int
    /// True during early exaggeration.
    public let exaggerated: Bool
    /// The KL divergence at the last evaluation (every 50 iterations and at the end), nil before the first.
    public let kl: Double?
}

/// A 2-D t-SNE embedding and its final KL divergence.
///
///     let r = try tsne(matrix, n: 25_520, d: 240, perplexity: 30, seed: 1)
///     r.embedding[2 * i], r.embedding[2 * i + 1]   // point i
public struct TSNEResult: Sendable {
    /// `[n x 2]` row-major coordinates.
    public let embedding: [Double]
    /// KL(P || Q), exact over the sparse P with the Barnes-Hut estimate of the normalisation Z.
    public let kl: Double
    public let n: Int
    public let iterations: Int
}

/// How t-SNE starts: PCA of the data scaled to standard deviation 1e-4 (openTSNE's default) or seeded Gaussian.
public enum TSNEInitialization: String, Sendable {
    case pca, random
}

/// Options of t-SNE beyond the common ones (defaults follow openTSNE / scikit-learn).
public struct TSNEOptions: Sendable {
    /// Barnes-Hut opening angle: a cell of width w at distance d is summarised when w / d < theta.
    public var theta = 0.5
    public var earlyExaggeration = 12.0
    public var earlyExaggerationIterations = 250
    /// Iterations after early exaggeration.
    public var iterations = 750
    public var initialMomentum = 0.5
    public var finalMomentum = 0.8
    /// nil: automatic, n / exaggeration in each phase (openTSNE; Belkina et al. 2019).
    public var learningRate: Double?
    /// Updates longer than this per point are clipped (openTSNE's max_step_norm).
    public var maxStepNorm: Double? = 5
    public var initialization = TSNEInitialization.pca

    public init() {}
}

/// t-SNE of `n` points of `d` features (`[n x d]` row-major, Float32) to 2-D.
///
/// Exact 3 x perplexity nearest neighbours by blocked BLAS distances, perplexity calibrated by binary search,
/// symmetric sparse P, Barnes-Hut repulsion (theta 0.5), early exaggeration 12 for 250 iterations with momentum
/// 0.5, then 750 iterations with momentum 0.8, gains as in openTSNE, learning rate n / exaggeration.
///
///     let r = try tsne(matrix, n: 25_520, d: 240, perplexity: 30, seed: 1,
///                      progress: { print($0.iteration) }, isCancelled: { interrupted })
///
/// - Throws: `EELSError.shape` / `.value` for a bad matrix, fewer than 4 points or perplexity outside
///   1 ... (n - 1) / 3; `CancellationError` when `isCancelled` returns true (checked every iteration).
public func tsne(_ matrix: [Float], n: Int, d: Int, perplexity: Double = 30, seed: UInt64 = 0,
                 options: TSNEOptions = TSNEOptions(), progress: ((TSNEProgress) -> Void)? = nil,
                 isCancelled: (() -> Bool)? = nil) throws -> TSNEResult {
    guard n >= 4, d >= 1, matrix.count == n * d else {
        throw EELSError.shape("t-SNE: \(matrix.count) values do not make \(n) x \(d) (need n >= 4)")
    }
    guard perplexity >= 1, 3 * perplexity <= Double(n - 1) else {
        throw EELSError.value("t-SNE: perplexity must be in 1...\((n - 1) / 3) for \(n) points, got \(perplexity)")
    }
    guard matrix.allSatisfy({ $0.isFinite }) else { throw EELSError.value("t-SNE: the data contain NaN or inf") }
    guard options.theta > 0, options.theta <= 1 else {
        throw EELSError.value("t-SNE: theta must be in (0, 1], got \(options.theta)")
    }
    let k = min(Int((3 * perplexity).rounded(.down)), n - 1)
    let knn = try NearestNeighbors(matrix, n: n, d: d, k: k, isCancelled: isCancelled)
    let p = SparseAffinities(neighbors: knn, n: n, perplexity: perplexity)
    var y = try initialEmbedding(matrix, n: n, d: d, options.initialization, seed: seed)
    var optimizer = TSNEOptimizer(p: p, n: n, theta: options.theta)
    let total = options.earlyExaggerationIterations + options.iterations
    var lastKL: Double? = nil
    var done = 0
    for phase in 0..<2 {
        let exaggerated = phase == 0
        let exaggeration = exaggerated ? options.earlyExaggeration : 1
        let momentum = exaggerated ? options.initialMomentum : options.finalMomentum
        let rate = options.learningRate ?? max(Double(n) / exaggeration, 1)
        let iterations = exaggerated ? options.earlyExaggerationIterations : options.iterations
        for _ in 0..<iterations {
            if let isCancelled, isCancelled() { throw CancellationError() }
            done += 1
            let wantKL = done % 50 == 0 || done == total
            let kl = optimizer.step(&y, exaggeration: exaggeration, momentum: momentum, learningRate: rate,
                                    maxStepNorm: options.maxStepNorm, computeKL: wantKL)
            if let kl { lastKL = kl }
            progress?(TSNEProgress(iteration: done, totalIterations: total, exaggerated: exaggerated, kl: lastKL))
        }
    }
    let kl = optimizer.klDivergence(y)
    return TSNEResult(embedding: y, kl: kl, n: n, iterations: total)
}

/// PCA initialisation scaled so the first coordinate has standard deviation 1e-4, or seeded N(0, 1e-4^2).
private func initialEmbedding(_ x: [Float], n: Int, d: Int, _ kind: TSNEInitialization, seed: UInt64) throws
    -> [Double] {
    var y = [Double](repeating: 0, count: 2 * n)
    switch kind {
    case .pca where d >= 2:
        let r = try PCA(components: 2).fit(x, rows: n, cols: d)
        for i in 0..<2 * n { y[i] = Double(r.scores[i]) }
        var mean = 0.0, sq = 0.0
        for i in 0..<n { mean += y[2 * i] }
        mean /= Double(n)
        for i in 0..<n { sq += (y[2 * i] - mean) * (y[2 * i] - mean) }
        let std = (sq / Double(n)).squareRoot()
        if std > 0 {
            for i in 0..<2 * n { y[i] *= 1e-4 / std }
            return y
        }
        fallthrough
    default:
        var rng = SeededGenerator(seed: seed)
        for i in 0..<2 * n { y[i] = 1e-4 * rng.nextGaussian() }
    }
    return y
}
