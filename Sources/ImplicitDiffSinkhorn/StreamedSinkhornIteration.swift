import Glibc

/// Log-domain Sinkhorn between point clouds with the cost recomputed block by block
/// (``PointCloudKernel``): memory `O((n + m) d)`. Not API
/// (``SinkhornProblem/solveStreaming(options:initialPotentials:)`` runs it).
///
/// Each iteration is two exact passes,
/// ```
/// g~ = T_g(f),  g <- g + omega (g~ - g),     f~ = T_f(g),  f <- f + omega (f~ - f)
/// T_f(g)_i = eps log a_i - eps LSE_j((g_j - C_ij)/eps)      (T_g alike)
/// ```
/// and the marginal errors of the pair `(f, g)` come from the same passes:
/// `(P 1)_i = a_i exp((f_i - T_f(g)_i)/eps)`, `(P' 1)_j = b_j exp((g_j - T_g(f)_j)/eps)`,
/// so the stopping test costs nothing; with `omega = 1` the columns are exact. The
/// over-relaxation `omega = 2 / (1 + sqrt(1 - theta))` (capped at 1.9) is set once the
/// plain rate `theta` is measured, and dropped if the error grows tenfold (as the
/// dense iteration). Self terms (`x = y`, `a = b`) use the symmetric update
/// `f <- (f + T(f)) / 2`, one pass per iteration. Every iteration counts against
/// ``SinkhornOptions/maxIterations``.
///
/// Unbalanced problems (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB``) scale each
/// pass, `T_f(g) <- tau_a T_f(g)` (ott-jax's update), and measure the fixed-point
/// residual of the scaled update against the relaxed conditions: with
/// `s_i = a_i exp(-f_i / rho_a)`, `(P 1)_i = s_i exp((f_i - tau_a T_f(g)_i)/(eps tau_a))`,
/// and the error is `||P 1 - s||_1 / sum(s)` (columns alike); the potentials are
/// reported without a gauge shift.
struct StreamedSinkhornIteration {
    let kernel: PointCloudKernel
    let transposedKernel: PointCloudKernel
    let logA: [Double]
    let logB: [Double]
    let a: [Double]
    let b: [Double]
    let mass: Double
    let options: SinkhornOptions
    let relaxationA: MarginalRelaxation
    let relaxationB: MarginalRelaxation
    var f: [Double]
    var g: [Double]
    var iterations = 0
    var stageCount = 0
    var lastError = Double.infinity

    init(kernel: PointCloudKernel, a: Vector, b: Vector, options: SinkhornOptions, tauA: Double = 1, tauB: Double = 1) {
        relaxationA = MarginalRelaxation(tau: tauA)
        relaxationB = MarginalRelaxation(tau: tauB)
        self.kernel = kernel
        transposedKernel = kernel.transposed
        self.a = a.scalars
        self.b = b.scalars
        logA = a.scalars.map { Glibc.log($0) }
        logB = b.scalars.map { Glibc.log($0) }
        mass = a.sum()
        self.options = options
        f = [Double](repeating: 0, count: kernel.n)
        g = [Double](repeating: 0, count: kernel.m)
    }

    /// The schedule `D, D q, D q^2, ...` down to `epsilon`, from an upper bound `D` of
    /// `max C`, `(max ||x_i|| + max ||y_j||)^2` of the centred clouds.
    func schedule(epsilon: Double) -> [Double] {
        let bound = (kernel.xx.max() ?? 0).squareRoot() + (kernel.yy.max() ?? 0).squareRoot()
        var stages: [Double] = []
        if let q = options.epsilonScalingFactor, q > 0, q < 1 {
            var e = bound * bound
            while e > epsilon, stages.count < 200 {
                stages.append(e)
                e *= q
            }
        }
        stages.append(epsilon)
        return stages
    }

    mutating func checkIterationCap() throws {
        SolverProgress.report("sinkhorn (streamed point clouds)", iteration: iterations, residual: lastError)
        if iterations >= options.maxIterations {
            throw SinkhornError.notConverged(iterations: iterations, marginalError: lastError, tolerance: options.tolerance)
        }
    }

    /// `sum_k w_k |exp((p_k - q_k)/eps) - 1|`: the L1 marginal error of a side whose
    /// potential is `p` when the exact update would give `q`. Relaxed (`tau < 1`):
    /// `sum_k s_k |exp((p_k - q_k)/(eps tau)) - 1|` with `s_k = w_k exp(-p_k / rho)`.
    func marginalError(_ p: [Double], _ q: [Double], weights w: [Double], relaxation: MarginalRelaxation,
                       epsilon: Double) -> Double {
        var s = 0.0
        if relaxation.isExact {
            let inv = 1 / epsilon
            for k in 0..<p.count { s += w[k] * Swift.abs(Glibc.expm1((p[k] - q[k]) * inv)) }
            return s
        }
        let target = relaxation.target(weights: w, potential: p, epsilon: epsilon)
        let inv = 1 / (epsilon * relaxation.tau)
        for k in 0..<p.count { s += target[k] * Swift.abs(Glibc.expm1((p[k] - q[k]) * inv)) }
        return s
    }

    /// The mass the errors are relative to: `sum(a)`, or `sum_i a_i exp(-f_i / rho_a)`
    /// when the source marginal is relaxed.
    func errorScale(epsilon: Double) -> Double {
        relaxationA.isExact ? mass : relaxationA.target(weights: a, potential: f, epsilon: epsilon).reduce(0, +)
    }

    /// `out <- tau out` for a relaxed side (ott-jax's scaled update).
    static func scale(_ out: inout [Double], by relaxation: MarginalRelaxation) {
        if relaxation.isExact { return }
        for k in 0..<out.count { out[k] *= relaxation.tau }
    }

    /// Runs the schedule (alternating, or symmetric for a self term).
    mutating func run(epsilon: Double, symmetric: Bool) throws {
        let stages = schedule(epsilon: epsilon)
        if symmetric { g = f }
        for (k, e) in stages.enumerated() {
            let last = k == stages.count - 1
            let tol = last ? options.tolerance : Swift.max(options.tolerance, options.stageTolerance)
            stageCount += 1
            if symmetric { try symmetricStage(epsilon: e, tolerance: tol) } else { try stage(epsilon: e, tolerance: tol) }
        }
    }

    /// Alternating over-relaxed passes at one `eps` until the marginal error of `(f, g)`
    /// is at most `tolerance`.
    mutating func stage(epsilon e: Double, tolerance: Double) throws {
        var omega = 1.0, relaxationAllowed = options.overRelaxation
        var history: [Double] = [], bestRelaxed = Double.infinity
        var gNew = g, fNew = f
        while true {
            try checkIterationCap()
            transposedKernel.update(columnPotential: f, logWeights: logB, epsilon: e, into: &gNew)
            Self.scale(&gNew, by: relaxationB)
            for j in 0..<g.count { g[j] += omega * (gNew[j] - g[j]) }
            let columnError = omega == 1 ? 0 : marginalError(g, gNew, weights: b, relaxation: relaxationB, epsilon: e)
            kernel.update(columnPotential: g, logWeights: logA, epsilon: e, into: &fNew)
            Self.scale(&fNew, by: relaxationA)
            let rowError = marginalError(f, fNew, weights: a, relaxation: relaxationA, epsilon: e)
            iterations += 1
            lastError = Swift.max(rowError, columnError) / errorScale(epsilon: e)
            if lastError <= tolerance { return }
            if !lastError.isFinite || (omega > 1 && lastError > 10 * bestRelaxed) {
                // Over-relaxation diverges here: back to the plain update for this stage.
                omega = 1
                relaxationAllowed = false
                history.removeAll()
            } else {
                if omega > 1 { bestRelaxed = Swift.min(bestRelaxed, lastError) }
                history.append(lastError)
                if relaxationAllowed, omega == 1, let rate = Self.contractionRate(history) {
                    omega = Swift.min(1.9, 2 / (1 + (1 - rate).squareRoot()))
                    bestRelaxed = lastError
                }
            }
            for i in 0..<f.count { f[i] += omega * (fNew[i] - f[i]) }
        }
    }

    /// Symmetric passes `f <- (f + T(f)) / 2` at one `eps` (``SinkhornIteration/runSymmetric(epsilon:)``),
    /// until the marginal error of `(f, f)` is at most `tolerance`; leaves `g = f`.
    mutating func symmetricStage(epsilon e: Double, tolerance: Double) throws {
        var next = f
        while true {
            try checkIterationCap()
            kernel.update(columnPotential: f, logWeights: logA, epsilon: e, into: &next)
            Self.scale(&next, by: relaxationA)
            iterations += 1
            lastError = marginalError(f, next, weights: a, relaxation: relaxationA, epsilon: e) / errorScale(epsilon: e)
            if lastError <= tolerance || !lastError.isFinite {
                g = f
                return
            }
            for i in 0..<f.count { f[i] = 0.5 * (f[i] + next[i]) }
        }
    }

    /// As ``SinkhornIteration/contractionRate(_:)``.
    static func contractionRate(_ history: [Double]) -> Double? {
        guard history.count >= 8 else { return nil }
        let k = history.count - 1
        let r1 = history[k] / history[k - 4], r2 = history[k - 4] / history[k - 7]
        guard r1 > 0, r1 < 1, r2 > 0, r2 < 1 else { return nil }
        let rate = Glibc.pow(r1, 0.25), previous = Glibc.pow(r2, 1.0 / 3)
        guard rate > 0.5, abs(rate - previous) < 0.05 else { return nil }
        return rate
    }

    /// The potentials in the gauge `sum(g) = 0` (as they are when unbalanced).
    func potentials() -> (f: Vector, g: Vector) {
        if !(relaxationA.isExact && relaxationB.isExact) { return (Vector(f), Vector(g)) }
        let shift = g.reduce(0, +) / Double(g.count)
        return (Vector(f.map { $0 + shift }), Vector(g.map { $0 - shift }))
    }
}
