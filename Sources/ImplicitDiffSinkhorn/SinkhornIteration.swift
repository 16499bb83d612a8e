import Glibc
import _ImplicitDiffKernels

/// The forward solver: log-domain Sinkhorn with epsilon scaling and a stabilised
/// kernel-domain fast path. Not API (``SinkhornProblem/solve(options:)`` runs it).
///
/// A log-domain half-step is the exact update
/// ```
/// f_i = eps log a_i - eps LSE_j((g_j - C_ij)/eps)         (rows;  columns alike for g)
/// ```
/// evaluated with the row maximum subtracted before `exp`. The same pass leaves the
/// stabilised kernel `K_ij = exp((f_i + g_j - C_ij)/eps)` (the current plan, rows exact).
/// The fast path then iterates on scalings `u, v` (start `1`):
/// ```
/// v = b / (K' u),   u = a / (K v)          (BLAS dgemv, no exp)
/// ```
/// which is the same Sinkhorn iteration with `f = f_K + eps log u`, `g = g_K + eps log v`.
/// When `u` or `v` leave `[e^-T, e^T]` (``SinkhornOptions/absorptionThreshold``) they
/// are absorbed into the potentials and `K` is rebuilt by a log-domain step, so no
/// product can overflow and what underflows carries negligible mass. The stopping test
/// is on the row marginal right after a `v` update (the columns are then exact).
///
/// **Unbalanced problems** (``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` below 1)
/// run exact log-domain passes only, with ott-jax's update
/// ```
/// f_i = tau_a (eps log a_i - eps LSE_j((g_j - C_ij)/eps))        (g alike with tau_b)
/// ```
/// which is a contraction of rate at most `tau_a tau_b` in the sup norm; after it the
/// rows meet their relaxed condition `(P 1)_i = s_i = a_i exp(-f_i / rho_a)` exactly. The
/// stopping test is the fixed-point residual of that scaled update, measured on the other
/// side after a column pass, relative to the mass the conditions ask for (as ott-jax's
/// `solution_error`, relative):
/// ```
/// ||P 1 - a o exp(-f / rho_a)||_1 / sum_i a_i exp(-f_i / rho_a)
/// ```
/// The kernel fast path and over-relaxation are not used there (the scaled update is
/// not a diagonal scaling of a fixed kernel), and the potentials are reported as they
/// are (no gauge).
///
/// Forbidden routes arrive as `C_ij = +infinity`: every pass gives them `exp(-inf) = 0`
/// exactly, and the schedule starts from the range of the finite costs. Every pass of
/// every loop (plain, over-relaxed, restarted after an underflowed column, log domain,
/// refinement) counts as one iteration against ``SinkhornOptions/maxIterations``.
struct SinkhornIteration {
    let n: Int
    let m: Int
    let cost: [Double]
    let a: [Double]
    let b: [Double]
    let mass: Double
    let options: SinkhornOptions
    /// The marginals' relaxations (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB``).
    let relaxationA: MarginalRelaxation
    let relaxationB: MarginalRelaxation
    /// Whether both marginals are exact (the balanced iteration, unchanged).
    var balanced: Bool { relaxationA.isExact && relaxationB.isExact }
    /// Stabilised kernel, `n x m` row-major.
    var kernel: [Double]
    var f: [Double]
    var g: [Double]
    var u: [Double]
    var v: [Double]
    var kv: [Double]
    var ktu: [Double]
    var columnWork: [Double]
    var iterations = 0
    var lastError = Double.infinity
    /// Stages of the epsilon schedule run so far.
    var stageCount = 0
    /// Whether the target stage may stop early when it stalls (``SinkhornOptions/newtonFinish``).
    var handOverAllowed = false
    /// Whether the last run stopped because it stalled (see ``stalls(_:tolerance:)``).
    var stalled = false
    /// Whether the stage running is the target `eps`.
    var atTarget = false
    /// The best marginal error so far at the target `eps`, one entry per iteration.
    var targetHistory: [Double] = []

    /// An iteration on the cost `cost` (`n x m` row-major; `+infinity` marks a forbidden
    /// route), starting from `f = g = 0`.
    init(rows: Int, columns: Int, cost: [Double], a: Vector, b: Vector, options: SinkhornOptions,
         tauA: Double = 1, tauB: Double = 1) {
        relaxationA = MarginalRelaxation(tau: tauA)
        relaxationB = MarginalRelaxation(tau: tauB)
        n = rows
        m = columns
        self.cost = cost
        self.a = a.scalars
        self.b = b.scalars
        mass = a.sum()
        self.options = options
        kernel = [Double](repeating: 0, count: n * m)
        f = [Double](repeating: 0, count: n)
        g = [Double](repeating: 0, count: m)
        u = [Double](repeating: 1, count: n)
        v = [Double](repeating: 1, count: m)
        kv = [Double](repeating: 0, count: n)
        ktu = [Double](repeating: 0, count: m)
        columnWork = [Double](repeating: 0, count: m)
    }

    /// The epsilon schedule: `range(C), range(C) q, ...` down to the target, then the
    /// target (the range over the finite entries: forbidden routes do not count).
    func schedule(epsilon: Double) -> [Double] {
        var lo = Double.infinity, hi = -Double.infinity
        for c in cost where c < .infinity { lo = Swift.min(lo, c); hi = Swift.max(hi, c) }
        var stages: [Double] = []
        if let q = options.epsilonScalingFactor, q > 0, q < 1, hi - lo < .infinity {
            var e = hi - lo
            while e > epsilon, stages.count < 200 {
                stages.append(e)
                e *= q
            }
        }
        stages.append(epsilon)
        return stages
    }

    /// Runs every stage of the schedule down to `epsilon`.
    ///
    /// - Throws: ``SinkhornError/notConverged(iterations:marginalError:tolerance:)`` at the cap.
    mutating func run(epsilon: Double) throws {
        let stages = schedule(epsilon: epsilon)
        for (k, e) in stages.enumerated() {
            let last = k == stages.count - 1
            let tol = last ? options.tolerance : Swift.max(options.tolerance, options.stageTolerance)
            stageCount += 1
            atTarget = last
            if options.kernelFastPath, balanced {
                try solveStageWithKernel(epsilon: e, tolerance: tol)
            } else {
                try solveStageInLogDomain(epsilon: e, tolerance: tol)
            }
        }
    }

    /// Runs the epsilon schedule by the symmetric update of a problem with `C = C'` and
    /// `a = b` (a self term `OT(a, a)` of the Sinkhorn divergence):
    /// ```
    /// T(f)_i = eps log a_i - eps LSE_j((f_j - C_ij)/eps),      f <- (f + T(f)) / 2
    /// ```
    /// (as in ott-jax and GeomLoss). The optimal pair is `(f, f)`: `T` is the row update
    /// with `g = f`, and the plan `P_ij = exp((f_i + f_j - C_ij)/eps)` is symmetric, so
    /// its row marginal is its column marginal. Its own convergence test costs nothing:
    /// `(P 1)_i = a_i exp((f_i - T(f)_i)/eps)`, hence the marginal error of `(f, f)`
    /// ```
    /// sum_i a_i |exp((f_i - T(f)_i)/eps) - 1| / sum(a)
    /// ```
    /// is known after each pass (one log-sum-exp pass per iteration, against two for
    /// the alternating update). Stops like ``run(epsilon:)`` (tolerance, cap, stall).
    mutating func runSymmetric(epsilon: Double) throws {
        precondition(n == m, "the symmetric update needs a square cost")
        let stages = schedule(epsilon: epsilon)
        g = f
        for (k, e) in stages.enumerated() {
            let last = k == stages.count - 1
            let tol = last ? options.tolerance : Swift.max(options.tolerance, options.stageTolerance)
            stageCount += 1
            atTarget = last
            try solveSymmetricStage(epsilon: e, tolerance: tol)
        }
    }

    /// Symmetric updates at one `eps` until the marginal error of `(f, f)` is at most
    /// `tolerance` (or the target stage stalls); leaves `g = f`, the potentials measured.
    mutating func solveSymmetricStage(epsilon e: Double, tolerance: Double) throws {
        var previous = f
        while true {
            try checkIterationCap()
            for i in 0..<n { previous[i] = f[i] }
            g = f
            updateRowsInLogDomain(epsilon: e)   // f = T(previous)
            var err = 0.0
            if balanced {
                let inv = 1 / e
                for i in 0..<n { err += a[i] * Swift.abs(Glibc.expm1((previous[i] - f[i]) * inv)) }
                err /= mass
            } else {
                // (P 1)_i = s_i exp((f_i - T(f)_i) / (eps tau)),  s_i = a_i exp(-f_i / rho).
                let s = relaxationA.target(weights: a, potential: previous, epsilon: e)
                let inv = 1 / (e * relaxationA.tau)
                var total = 0.0
                for i in 0..<n {
                    err += s[i] * Swift.abs(Glibc.expm1((previous[i] - f[i]) * inv))
                    total += s[i]
                }
                err /= total
            }
            iterations += 1
            lastError = err
            if err <= tolerance || stalls(err, tolerance: tolerance) || !err.isFinite {
                f = previous
                g = previous
                return
            }
            for i in 0..<n { f[i] = 0.5 * (previous[i] + f[i]) }
        }
    }

    /// Whether the target stage has stalled: called with each marginal error there, it
    /// returns `true` (and sets ``stalled``) when hand-over is allowed, at least 40
    /// iterations have run at the target, the best error is at most
    /// ``SinkhornOptions/newtonHandOverError``, and the contraction rate of the best
    /// error over the last 20 iterations, `rho`, predicts more than `50 + min(n, m)`
    /// further iterations, `log(tol / err) / log(rho)` (or `rho >= 1`). Newton's cost
    /// is a few factorisations of order `min(n, m)`, about `min(n, m)` iterations'
    /// worth of work each at most.
    mutating func stalls(_ error: Double, tolerance: Double) -> Bool {
        guard handOverAllowed, atTarget, error.isFinite else { return false }
        let best = Swift.min(error, targetHistory.last ?? .infinity)
        targetHistory.append(best)
        let k = targetHistory.count, window = 20
        guard k >= 40, best <= options.newtonHandOverError else { return false }
        let rate = Glibc.pow(best / targetHistory[k - 1 - window], 1 / Double(window))
        let remaining = rate < 1 ? Glibc.log(tolerance / best) / Glibc.log(rate) : .infinity
        if remaining > Double(50 + Swift.min(n, m)) {
            stalled = true
            return true
        }
        return false
    }

    /// Continues at the target `eps` from the current potentials without hand-over
    /// (after a Newton finish that missed the tolerance), until the tolerance or the cap.
    mutating func resume(epsilon: Double, symmetric: Bool, from potentials: (f: [Double], g: [Double])) throws {
        handOverAllowed = false
        stalled = false
        atTarget = true
        f = potentials.f
        g = potentials.g
        if symmetric {
            try solveSymmetricStage(epsilon: epsilon, tolerance: options.tolerance)
        } else if options.kernelFastPath, balanced {
            try solveStageWithKernel(epsilon: epsilon, tolerance: options.tolerance)
        } else {
            try solveStageInLogDomain(epsilon: epsilon, tolerance: options.tolerance)
        }
    }

    /// The current potentials in the gauge `sum(g) = 0` (as they are when unbalanced:
    /// there is no gauge).
    func potentials() -> (f: Vector, g: Vector) {
        if !balanced { return (Vector(f), Vector(g)) }
        let shift = g.reduce(0, +) / Double(m)
        return (Vector(f.map { $0 + shift }), Vector(g.map { $0 - shift }))
    }

    /// Up to `maxSteps` exact log-domain iterations at the target `epsilon` (never past
    /// the iteration cap), until the exact plan's marginal error is at most
    /// `tolerance / 2` or has not improved on its best for 5 iterations. For answers
    /// that just miss the certificate (see ``SinkhornProblem/solve(options:)``).
    mutating func refine(epsilon e: Double, tolerance: Double, maxSteps: Int) {
        var best = Double.infinity, sinceBest = 0
        for _ in 0..<maxSteps where iterations < options.maxIterations {
            updateRowsInLogDomain(epsilon: e)
            lastError = updateColumnsInLogDomain(epsilon: e)
            iterations += 1
            if lastError <= tolerance / 2 { return }
            if lastError < best {
                best = lastError
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest >= 5 { return }
            }
        }
    }

    mutating func checkIterationCap() throws {
        SolverProgress.report("sinkhorn", iteration: iterations, residual: lastError)
        if iterations >= options.maxIterations {
            throw SinkhornError.notConverged(iterations: iterations, marginalError: lastError, tolerance: options.tolerance)
        }
    }

    /// Every half-step exact in the log domain.
    mutating func solveStageInLogDomain(epsilon e: Double, tolerance: Double) throws {
        while true {
            try checkIterationCap()
            updateRowsInLogDomain(epsilon: e)
            lastError = updateColumnsInLogDomain(epsilon: e)
            iterations += 1
            if lastError <= tolerance || stalls(lastError, tolerance: tolerance) { return }
        }
    }

    /// Kernel-domain iterations between log-domain steps, over-relaxed once the plain
    /// iteration's contraction rate is known (see ``SinkhornOptions/overRelaxation``).
    mutating func solveStageWithKernel(epsilon e: Double, tolerance: Double) throws {
        let upper = Glibc.exp(options.absorptionThreshold), lower = 1 / upper
        var omega = 1.0
        var relaxationAllowed = options.overRelaxation
        var history: [Double] = []
        var bestRelaxedError = Double.infinity
        rebuild: while true {
            updateRowsInLogDomain(epsilon: e)
            for i in 0..<n { u[i] = 1 }
            for j in 0..<m { v[j] = 1 }
            history.removeAll(keepingCapacity: true)
            while true {
                try checkIterationCap()
                // v <- v (b / (v o K'u))^omega   (omega = 1: v = b / K'u, columns exact)
                gemv(transposed: true, x: u, into: &ktu)
                var safe = true, columnError = 0.0
                for j in 0..<m {
                    let target = b[j] / ktu[j]
                    if !(target.isFinite && target > 0) { safe = false }
                    let vj = omega == 1 ? target : v[j] * Glibc.pow(target / v[j], omega)
                    columnError += abs(vj * ktu[j] - b[j])
                    v[j] = vj
                }
                if !safe {
                    // A column of K underflowed entirely: redo it in the log domain. The
                    // pass counts as an iteration (it used not to, and a column that
                    // underflows again after every rebuild looped for ever).
                    for j in 0..<m { v[j] = 1 }
                    absorb(epsilon: e)
                    lastError = updateColumnsInLogDomain(epsilon: e)
                    iterations += 1
                    if lastError <= tolerance { return }
                    omega = 1
                    continue rebuild
                }
                // Marginal errors of diag(u) K diag(v): rows from K v, columns from K'u.
                gemv(transposed: false, x: v, into: &kv)
                var rowError = 0.0
                for i in 0..<n { rowError += abs(u[i] * kv[i] - a[i]) }
                lastError = Swift.max(rowError, omega == 1 ? 0 : columnError) / mass
                iterations += 1
                if lastError <= tolerance || stalls(lastError, tolerance: tolerance) {
                    absorb(epsilon: e)
                    return
                }
                if !lastError.isFinite || (omega > 1 && lastError > 10 * bestRelaxedError) {
                    // Over-relaxation diverges here: back to the plain iteration for the stage.
                    omega = 1
                    relaxationAllowed = false
                    for i in 0..<n { u[i] = 1 }
                    for j in 0..<m { v[j] = 1 }
                    continue rebuild
                }
                if omega > 1 { bestRelaxedError = Swift.min(bestRelaxedError, lastError) }
                history.append(lastError)
                if relaxationAllowed, omega == 1, let rate = contractionRate(history) {
                    omega = Swift.min(1.9, 2 / (1 + (1 - rate).squareRoot()))
                    bestRelaxedError = lastError
                }
                // u <- u (a / (u o K v))^omega
                var needsRebuild = false
                for i in 0..<n {
                    let target = a[i] / kv[i]
                    let ui = omega == 1 ? target : u[i] * Glibc.pow(target / u[i], omega)
                    if !(ui > lower && ui < upper) { needsRebuild = true }
                    u[i] = ui
                }
                for j in 0..<m where !(v[j] > lower && v[j] < upper) { needsRebuild = true }
                if needsRebuild {
                    for i in 0..<n where !(u[i].isFinite && u[i] > 0) { u[i] = 1 }
                    absorb(epsilon: e)
                    continue rebuild
                }
            }
        }
    }

    /// The contraction rate of the plain iteration, `(err_k / err_{k-4})^(1/4)`, once
    /// eight errors are known and they decrease steadily; `nil` when it is fast anyway
    /// (rate below 0.5) or not yet regular.
    func contractionRate(_ history: [Double]) -> Double? {
        guard history.count >= 8 else { return nil }
        let k = history.count - 1
        let r1 = history[k] / history[k - 4], r2 = history[k - 4] / history[k - 7]
        guard r1 > 0, r1 < 1, r2 > 0, r2 < 1 else { return nil }
        let rate = Glibc.pow(r1, 0.25), previous = Glibc.pow(r2, 1.0 / 3)
        guard rate > 0.5, abs(rate - previous) < 0.05 else { return nil }
        return rate
    }

    /// `f += eps log u`, `g += eps log v`, then `u = v = 1`.
    mutating func absorb(epsilon e: Double) {
        for i in 0..<n where u[i] != 1 { f[i] += e * Glibc.log(u[i]); u[i] = 1 }
        for j in 0..<m where v[j] != 1 { g[j] += e * Glibc.log(v[j]); v[j] = 1 }
    }

    /// `y = K x` or `y = K' x` by BLAS dgemv.
    func gemv(transposed: Bool, x: [Double], into y: inout [Double]) {
        BLAS.gemv(kernel, rows: n, columns: m, x, into: &y, transposed: transposed)
    }

    /// Exact row update `f_i = tau_a eps (log a_i - LSE_j((g_j - C_ij)/eps))`; leaves
    /// `K_ij = exp((f_i + g_j - C_ij)/eps)`, whose rows sum to `a` (to
    /// `a o exp(-f / rho_a)` when unbalanced).
    mutating func updateRowsInLogDomain(epsilon e: Double) {
        let inv = 1 / e, m = self.m
        let tauA = relaxationA.tau, exactA = relaxationA.isExact
        cost.withUnsafeBufferPointer { cp in
            g.withUnsafeBufferPointer { gp in
                kernel.withUnsafeMutableBufferPointer { kp in
                    for i in 0..<n {
                        let base = i * m
                        let row = kp.baseAddress! + base
                        let mx = scaledDifferenceAndMax(gp.baseAddress!, cp.baseAddress! + base, scale: inv, into: row, count: m)
                        let s = exponentiateAndSum(row, count: m, minus: mx)
                        let fi = tauA * e * (Glibc.log(a[i]) - mx - Glibc.log(s))
                        f[i] = fi
                        // K_ij = exp(t_j + f_i / eps): a_i / s when exact.
                        let scale = exactA ? a[i] / s : Glibc.exp(fi * inv + mx)
                        for j in 0..<m { kp[base + j] *= scale }
                    }
                }
            }
        }
    }

    /// Exact column update `g_j = tau_b eps (log b_j - LSE_i((f_i - C_ij)/eps))`; leaves
    /// `K_ij = exp((f_i + g_j - C_ij)/eps)`, whose columns sum to `b` (to
    /// `b o exp(-g / rho_b)` when unbalanced), and returns the relative row-marginal error
    /// of that plan (against `a o exp(-f / rho_a)`, relative to its sum, when unbalanced).
    mutating func updateColumnsInLogDomain(epsilon e: Double) -> Double {
        let inv = 1 / e, m = self.m, n = self.n
        let tauB = relaxationB.tau, exactB = relaxationB.isExact
        let rowTarget = relaxationA.target(weights: a, potential: f, epsilon: e)
        var err = 0.0
        cost.withUnsafeBufferPointer { cp in
            kernel.withUnsafeMutableBufferPointer { kp in
                columnWork.withUnsafeMutableBufferPointer { mx in
                    ktu.withUnsafeMutableBufferPointer { sums in
                        for j in 0..<m { mx[j] = -Double.infinity; sums[j] = 0 }
                        for i in 0..<n {
                            let base = i * m, fi = f[i]
                            for j in 0..<m {
                                let t = (fi - cp[base + j]) * inv
                                kp[base + j] = t
                                mx[j] = Swift.max(mx[j], t)
                            }
                        }
                        for i in 0..<n {
                            let base = i * m
                            for j in 0..<m { kp[base + j] -= mx[j] }
                            exponentiate(kp, base..<(base + m), minus: 0)
                            for j in 0..<m { sums[j] += kp[base + j] }
                        }
                        for j in 0..<m {
                            let gj = tauB * e * (Glibc.log(b[j]) - mx[j] - Glibc.log(sums[j]))
                            g[j] = gj
                            mx[j] = exactB ? b[j] / sums[j] : Glibc.exp(gj * inv + mx[j])
                        }
                        for i in 0..<n {
                            let base = i * m
                            var rowSum = 0.0
                            for j in 0..<m {
                                let x = kp[base + j] * mx[j]
                                kp[base + j] = x
                                rowSum += x
                            }
                            err += abs(rowSum - rowTarget[i])
                        }
                    }
                }
            }
        }
        return err / (relaxationA.isExact ? mass : rowTarget.reduce(0, +))
    }
}
