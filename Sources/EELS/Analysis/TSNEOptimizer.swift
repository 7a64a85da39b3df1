import Dispatch
import Foundation

/// Gradient descent on the t-SNE objective with momentum and per-coordinate gains (openTSNE's update rule).
///
/// The gradient is openTSNE's (without the constant factor 4): exaggeration * sum_j p_ij q_ij (y_i - y_j) -
/// sum_j q_ij^2 (y_i - y_j) / Z with q_ij = 1 / (1 + |y_i - y_j|^2).
struct TSNEOptimizer {
    let p: SparseAffinities
    let n: Int
    let tree: BarnesHutTree
    var update: [Double]
    var gains: [Double]
    var gradient: [Double]
    var repulsion: [Double]
    var lastZ = 1.0

    init(p: SparseAffinities, n: Int, theta: Double) {
        self.p = p
        self.n = n
        tree = BarnesHutTree(n: n, theta: theta)
        update = [Double](repeating: 0, count: 2 * n)
        gains = [Double](repeating: 1, count: 2 * n)
        gradient = update
        repulsion = update
    }

    /// One iteration; returns KL(P || Q) of the current embedding (before the step) when `computeKL`.
    mutating func step(_ y: inout [Double], exaggeration: Double, momentum: Double, learningRate: Double,
                       maxStepNorm: Double?, computeKL: Bool) -> Double? {
        let z = y.withUnsafeBufferPointer { yp in
            repulsion.withUnsafeMutableBufferPointer { tree.repulsion(yp.baseAddress!, into: $0.baseAddress!) }
        }
        lastZ = z
        let kl = computeKL ? klDivergence(y, z: z) : nil
        attraction(y, exaggeration: exaggeration)
        let invZ = 1 / z
        for t in 0..<2 * n {
            let g = gradient[t] - repulsion[t] * invZ
            // Gains grow where the step direction keeps flipping, shrink where it persists (openTSNE).
            if sign(update[t]) != sign(g) {
                gains[t] += 0.2
            } else {
                gains[t] = gains[t] * 0.8 + 0.01
            }
            update[t] = momentum * update[t] - learningRate * gains[t] * g
        }
        if let maxStepNorm {
            for i in 0..<n {
                let norm = (update[2 * i] * update[2 * i] + update[2 * i + 1] * update[2 * i + 1]).squareRoot()
                if norm > maxStepNorm {
                    update[2 * i] *= maxStepNorm / norm; update[2 * i + 1] *= maxStepNorm / norm
                }
            }
        }
        for t in 0..<2 * n { y[t] += update[t] }
        return kl
    }

    private func sign(_ v: Double) -> Int { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// gradient[i] = exaggeration * sum_j p_ij q_ij (y_i - y_j), parallel over rows.
    mutating func attraction(_ y: [Double], exaggeration: Double) {
        let n = self.n
        let chunks = max(ProcessInfo.processInfo.activeProcessorCount, 1) * 4
        p.rowStart.withUnsafeBufferPointer { rs in p.columns.withUnsafeBufferPointer { cs in
        p.values.withUnsafeBufferPointer { vs in y.withUnsafeBufferPointer { yp in
        gradient.withUnsafeMutableBufferPointer { gp in
            let (rsp, csp, vsp, ypp, gpp) = (rs.baseAddress!, cs.baseAddress!, vs.baseAddress!, yp.baseAddress!,
                                             gp.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
                    let xi = ypp[2 * i], yi = ypp[2 * i + 1]
                    var ax = 0.0, ay = 0.0
                    for e in rsp[i]..<rsp[i + 1] {
                        let j = Int(csp[e])
                        let dx = xi - ypp[2 * j], dy = yi - ypp[2 * j + 1]
                        let w = vsp[e] / (1 + dx * dx + dy * dy)
                        ax += w * dx; ay += w * dy
                    }
                    gpp[2 * i] = exaggeration * ax; gpp[2 * i + 1] = exaggeration * ay
                }
            }
        }}}}}
    }

    /// KL(P || Q) = sum p_ij log(p_ij Z (1 + d_ij^2)) over the sparse P; Z from Barnes-Hut when not given.
    mutating func klDivergence(_ y: [Double], z given: Double? = nil) -> Double {
        let z = given ?? y.withUnsafeBufferPointer { yp in
            repulsion.withUnsafeMutableBufferPointer { tree.repulsion(yp.baseAddress!, into: $0.baseAddress!) }
        }
        let logZ = log(z)
        var kl = 0.0
        for i in 0..<n {
            for e in p.rowStart[i]..<p.rowStart[i + 1] {
                let j = Int(p.columns[e]), pij = p.values[e]
                guard pij > 0 else { continue }
                let dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1]
                kl += pij * (log(pij) + logZ + log1p(dx * dx + dy * dy))
            }
        }
        return kl
    }
}
