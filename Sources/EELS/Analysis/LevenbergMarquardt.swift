import Foundation

/// A least-squares problem for `LevenbergMarquardt`: residuals and their analytic Jacobian.
protocol LeastSquaresProblem {
    /// The number of residuals (data points).
    var residualCount: Int { get }
    /// The number of parameters.
    var parameterCount: Int { get }
    /// Writes residuals (model - data) into `r` and, when `jacobian` is non-nil, d r_i / d p_j into it
    /// (`[residualCount x parameterCount]`, row-major).
    func evaluate(_ p: UnsafePointer<Double>, residuals r: UnsafeMutablePointer<Double>,
                  jacobian: UnsafeMutablePointer<Double>?)
}

/// The outcome of a Levenberg-Marquardt minimisation.
struct LeastSquaresSolution {
    var parameters: [Double]
    /// d x d covariance: inv(J^T J) scaled by the reduced chi-square (as lmfit and curve_fit); nil when singular.
    var covariance: [Double]?
    var chiSquare: Double
    var iterations: Int
    var converged: Bool
    var message: String
}

/// Levenberg-Marquardt with Marquardt's diagonal scaling and box bounds by projection.
///
/// Steps solve (J^T J + lambda diag(J^T J)) delta = -J^T r by Cholesky; a trial point is clipped to the bounds and
/// kept when it lowers chi-square. Convergence follows MINPACK's tests: the relative chi-square reduction or the
/// relative step falls below `tolerance` (1.49e-8, as scipy's curve_fit).
struct LevenbergMarquardt {
    var maxIterations = 200
    var tolerance = 1.49012e-8

    func solve<P: LeastSquaresProblem>(_ problem: P, start: [Double], lower: [Double], upper: [Double])
        -> LeastSquaresSolution {
        let n = problem.residualCount, m = problem.parameterCount
        var p = zip(start, zip(lower, upper)).map { min(max($0, $1.0), $1.1) }
        var trial = p
        var r = [Double](repeating: 0, count: n), rTrial = r
        var jac = [Double](repeating: 0, count: n * m)
        var jtj = [Double](repeating: 0, count: m * m), a = jtj
        var g = [Double](repeating: 0, count: m), delta = g
        var lambda = 1e-3
        var converged = false, message = "reached the iteration limit"
        var iterations = 0
        problem.evaluate(p, residuals: &r, jacobian: &jac)
        var chi2 = sumOfSquares(r)
        guard chi2.isFinite else {
            return LeastSquaresSolution(parameters: p, covariance: nil, chiSquare: chi2, iterations: 0,
                                        converged: false, message: "the model or data is not finite at the start")
        }
        var needNormal = true
        outer: while iterations < maxIterations {
            iterations += 1
            if needNormal {
                normalEquations(jac, r, n: n, m: m, jtj: &jtj, g: &g)
                needNormal = false
            }
            // Inner loop: raise lambda until a step lowers chi-square.
            while true {
                for i in 0..<m * m { a[i] = jtj[i] }
                for j in 0..<m { a[j * m + j] += lambda * max(jtj[j * m + j], 1e-30) }
                for j in 0..<m { delta[j] = -g[j] }
                if choleskySolve(&a, &delta, m: m) {
                    for j in 0..<m { trial[j] = min(max(p[j] + delta[j], lower[j]), upper[j]) }
                    problem.evaluate(trial, residuals: &rTrial, jacobian: nil)
                    let chi2Trial = sumOfSquares(rTrial)
                    if chi2Trial.isFinite && chi2Trial <= chi2 {
                        var stepSmall = true
                        for j in 0..<m where abs(trial[j] - p[j]) > tolerance * (abs(p[j]) + tolerance) {
                            stepSmall = false
                        }
                        let reduction = chi2 - chi2Trial
                        swap(&p, &trial)
                        swap(&r, &rTrial)
                        chi2 = chi2Trial
                        problem.evaluate(p, residuals: &r, jacobian: &jac)
                        needNormal = true
                        lambda = max(lambda / 10, 1e-12)
                        if reduction <= tolerance * chi2 + 1e-300 {
                            converged = true; message = "chi-square converged"; break outer
                        }
                        if stepSmall { converged = true; message = "parameters converged"; break outer }
                        break
                    }
                }
                lambda *= 10
                if lambda > 1e16 {
                    // No step lowers chi-square: a (local) minimum up to round-off.
                    converged = true; message = "no further decrease"; break outer
                }
            }
        }
        // Covariance from the final Jacobian.
        normalEquations(jac, r, n: n, m: m, jtj: &jtj, g: &g)
        var cov: [Double]? = nil
        if n > m, let inv = choleskyInverse(jtj, m: m) {
            let scale = chi2 / Double(n - m)
            cov = inv.map { $0 * scale }
        }
        return LeastSquaresSolution(parameters: p, covariance: cov, chiSquare: chi2, iterations: iterations,
                                    converged: converged, message: message)
    }

    private func sumOfSquares(_ r: [Double]) -> Double {
        var s = 0.0
        for v in r { s += v * v }
        return s
    }

    private func normalEquations(_ jac: [Double], _ r: [Double], n: Int, m: Int,
                                 jtj: inout [Double], g: inout [Double]) {
        for i in 0..<m * m { jtj[i] = 0 }
        for j in 0..<m { g[j] = 0 }
        jac.withUnsafeBufferPointer { J in
            for i in 0..<n {
                let row = i * m
                for j in 0..<m {
                    let jij = J[row + j]
                    g[j] += jij * r[i]
                    for k in j..<m { jtj[j * m + k] += jij * J[row + k] }
                }
            }
        }
        for j in 0..<m { for k in 0..<j { jtj[j * m + k] = jtj[k * m + j] } }
    }

    /// Solves a x = b in place for symmetric positive definite a (m x m); false when not positive definite.
    private func choleskySolve(_ a: inout [Double], _ b: inout [Double], m: Int) -> Bool {
        guard choleskyFactor(&a, m: m) else { return false }
        for i in 0..<m {
            var s = b[i]
            for k in 0..<i { s -= a[i * m + k] * b[k] }
            b[i] = s / a[i * m + i]
        }
        for i in stride(from: m - 1, through: 0, by: -1) {
            var s = b[i]
            for k in (i + 1)..<m { s -= a[k * m + i] * b[k] }
            b[i] = s / a[i * m + i]
        }
        return true
    }

    /// Lower Cholesky factor in place (lower triangle); false when not positive definite.
    private func choleskyFactor(_ a: inout [Double], m: Int) -> Bool {
        for j in 0..<m {
            var d = a[j * m + j]
            for k in 0..<j { d -= a[j * m + k] * a[j * m + k] }
            guard d > 0, d.isFinite else { return false }
            let l = d.squareRoot()
            a[j * m + j] = l
            for i in (j + 1)..<m {
                var s = a[i * m + j]
                for k in 0..<j { s -= a[i * m + k] * a[j * m + k] }
                a[i * m + j] = s / l
            }
        }
        return true
    }

    /// The inverse of a symmetric positive definite matrix, or nil when it is singular (relative to its diagonal).
    private func choleskyInverse(_ matrix: [Double], m: Int) -> [Double]? {
        // Scale to unit diagonal so the test for singularity is relative.
        var scale = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let d = matrix[j * m + j]
            guard d > 0, d.isFinite else { return nil }
            scale[j] = 1 / d.squareRoot()
        }
        var a = matrix
        for i in 0..<m { for j in 0..<m { a[i * m + j] *= scale[i] * scale[j] } }
        guard choleskyFactor(&a, m: m) else { return nil }
        for j in 0..<m where a[j * m + j] < 1e-7 { return nil }
        var inv = [Double](repeating: 0, count: m * m)
        var column = [Double](repeating: 0, count: m)
        for c in 0..<m {
            for i in 0..<m { column[i] = i == c ? 1 : 0 }
            for i in 0..<m {
                var s = column[i]
                for k in 0..<i { s -= a[i * m + k] * column[k] }
                column[i] = s / a[i * m + i]
            }
            for i in stride(from: m - 1, through: 0, by: -1) {
                var s = column[i]
                for k in (i + 1)..<m { s -= a[k * m + i] * column[k] }
                column[i] = s / a[i * m + i]
            }
            for i in 0..<m { inv[i * m + c] = column[i] * scale[i] * scale[c] }
        }
        return inv
    }
}
