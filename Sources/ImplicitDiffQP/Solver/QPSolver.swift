import _ImplicitDiffKernels

/// The dense QP solver: Mehrotra interior point (``QPInteriorPoint``) to locate the
/// active set, then an exact solve of the equality-constrained QP on it (polish) with
/// the reduced KKT factorisation that the derivatives reuse. Not API.
///
/// 1. Scale (unit rows, objective), drop zero rows and dependent equality rows.
/// 2. Factorise `Q = L L'` (kept for every polish and derivative when `Q` is positive
///    definite and well conditioned); otherwise check convexity: Cholesky of
///    `Q^ + 1e-9 max|Q^| I` (``QPError/nonConvex(_:)``).
/// 3. Iterate the interior point. Once its relative residuals are below `1e-3` (or the
///    tolerance, if looser), read the candidate active sets `{i : mu_i > s_i}` and the Tapia indicators' `{i : s_i+/s_i < mu_i+/mu_i}` and
///    polish: solve `K [z; mu_a; lambda] = [-q; h_a; b]`. Accept when `mu_a >= 0`, the
///    inactive rows are feasible and every KKT residual is below the tolerance; if a
///    sign is wrong in a few rows (at most `max(2, m/50)`), move them (drop `mu_i < 0`,
///    add violated rows) and solve again (at most twice). Otherwise iterate on; each new
///    candidate is polished once.
/// 4. If the interior point meets the tolerance but no polish verified, return its
///    iterate (``QPSolverReport/polished`` is `false`).
struct QPSolver {
    let problem: QuadraticProgram
    let options: QPSolverOptions

    /// Where polishing starts: relative interior-point residuals below this. A wrong
    /// candidate costs about one interior-point iteration, a right one saves the last few.
    /// Measured on 20 random QPs (n = 50, m = 100, p = 10; valgrind instruction counts of
    /// the whole solve and VJP): 1e-3 tries 4 candidates per QP, most of them wrong
    /// (0.461e9 instructions); 1e-4 one iteration later, mostly the right one (0.444e9,
    /// one extra iteration in 20 QPs); 1e-5 no fewer instructions and 12 extra iterations.
    static let earlyPolishStart = 1e-4
    /// Iterations without a 10% decrease of the residual before giving up.
    static let stallLimit = 15
    /// Where a candidate with more rows than unknowns (`|active| + p > n`, so that its
    /// KKT matrix is singular and the polish needs the proximal iterations, ~100 KKT
    /// products and solves) starts to be polished. Before that such a candidate is almost
    /// always the interior point's over-estimate of the active set (on random QPs
    /// n = 50, m = 100, p = 10: 40-47 rows guessed at residual 1e-3 for 37-40 active at the
    /// solution); a degenerate solution, whose active rows do outnumber the unknowns, is
    /// polished a few iterations later.
    static let degeneratePolishStart = 1e-6

    func solve() throws -> QPSolution {
        try options.validate()
        let sp = try QPScaledProblem(problem)
        let cholesky = QPCholeskyOfQ(problem.Q)
        if cholesky == nil { try checkConvexity(sp) }
        var ipm = try QPInteriorPoint(sp)
        var tried = Set<[Int]>()
        var attempts = 0
        var best = Double.infinity, stall = 0
        let tol = options.tolerance
        while true {
            let r = ipm.residuals()
            SolverProgress.report("qp interior point", iteration: ipm.iterations, residual: r.maximum)
            if let certificate = ipm.certificate(r, tolerance: Swift.max(tol, 1e-8)) { try verify(certificate, sp: sp, ipm: ipm) }
            if options.polish && r.maximum <= Swift.max(Self.earlyPolishStart, tol) {
                // Two classifications of the iterate: `mu_i > s_i`, and the scale-invariant
                // Tapia indicators (which find the active set early when the objective
                // scale makes the scaled multipliers tiny, e.g. an ill-conditioned Q).
                let unknowns = problem.variableCount - sp.equalityRows.count
                for candidate in [ipm.activeCandidate, ipm.tapiaCandidate].compactMap({ $0 })
                where !tried.contains(candidate) && (candidate.count <= unknowns || r.maximum <= Swift.max(Self.degeneratePolishStart, tol)) {
                    tried.insert(candidate)
                    if let s = try polish(candidate, sp: sp, ipm: ipm, cholesky: cholesky, attempts: &attempts) { return s }
                }
            }
            if r.maximum <= tol {
                if let s = try interiorPointSolution(sp: sp, ipm: ipm, cholesky: cholesky, attempts: attempts) { return s }
            }
            if ipm.iterations >= options.maxIterations {
                throw QPError.notConverged(iterations: ipm.iterations, residual: r.maximum)
            }
            if r.maximum < 0.9 * best { best = r.maximum; stall = 0 } else { stall += 1 }
            if stall >= Self.stallLimit {
                throw QPError.notConverged(iterations: ipm.iterations, residual: r.maximum)
            }
            try ipm.step()
        }
    }

    /// Reports an infeasibility or unboundedness certificate of the interior point once it
    /// holds on the original data (else the iteration goes on):
    /// * Farkas: with `lambda`, `mu >= 0` the unscaled multipliers, `r = A'lambda + G'mu`
    ///   and `beta = b'lambda + h'mu < 0`, every feasible `z` satisfies `r'z <= beta`, so
    ///   `||z||_inf >= rho = -beta / ||r||_1`: no feasible point lies within `rho`. Verified
    ///   when `rho >= 1e6 (1 + ||z_k||_inf)` (`z_k` the iterate), i.e. far beyond the scale
    ///   of the iterates.
    /// * Recession direction `d` (`||d||_inf = 1`): `q'd < 0` and, relative to the rows and
    ///   the objective, `|A_i d| <= 1e-7 a_i`, `G_i d <= 1e-7 g_i`,
    ///   `||Q d||_inf <= 1e-7 max |Q_ij|` and `q'd <= -1e-7 ||q||_inf`.
    func verify(_ certificate: QPInteriorPoint.Certificate, sp: QPScaledProblem, ipm: QPInteriorPoint) throws {
        let p = problem, n = p.variableCount
        switch certificate {
        case let .infeasible(l, u, why):
            let (lambda, mu) = sp.unscaledMultipliers(lambda: l, mu: u, original: p.shape)
            var r = Vector.zeros(n)
            if p.equalityCount > 0 { r += p.A.transposedTimes(lambda) }
            if p.inequalityCount > 0 { r += p.G.transposedTimes(mu) }
            let beta = p.b.dot(lambda) + p.h.dot(mu)
            let r1 = r.scalars.reduce(0) { $0 + abs($1) }
            guard beta < 0, mu.scalars.allSatisfy({ $0 >= 0 }) else { return }
            let rho = r1 > 0 ? -beta / r1 : .infinity
            guard rho >= 1e6 * (1 + maxAbs(ipm.z)) else { return }
            throw QPError.infeasible(why + "; verified on the original data: no feasible point within ||z||_inf < \(rho)")
        case let .unbounded(direction, why):
            let scale = maxAbs(direction)
            guard scale > 0, scale.isFinite else { return }
            let d = Vector(direction.map { $0 / scale })
            let slope = p.q.dot(d)
            guard slope < 0, slope <= -1e-7 * p.q.maxNorm, (p.Q * d).maxNorm <= 1e-7 * p.Q.maxNorm else { return }
            if p.equalityCount > 0 {
                let ad = p.A * d, norms = QPKKTResidual.rowNorms(p.A)
                for i in 0..<p.equalityCount where abs(ad[i]) > 1e-7 * norms[i] { return }
            }
            if p.inequalityCount > 0 {
                let gd = p.G * d, norms = QPKKTResidual.rowNorms(p.G)
                for i in 0..<p.inequalityCount where gd[i] > 1e-7 * norms[i] { return }
            }
            throw QPError.unbounded(why + "; verified on the original data (q'd = \(slope) with ||d||_inf = 1)")
        }
    }

    /// `Q` must be positive semidefinite: `Q^ + delta I` with `delta = 1e-9 max |Q^_ij|`
    /// must have a Cholesky factorisation.
    func checkConvexity(_ sp: QPScaledProblem) throws {
        let n = sp.n
        let scale = maxAbs(sp.Q)
        if scale == 0 { return }
        var c = sp.Q
        for i in 0..<n { c[i * n + i] += 1e-9 * scale }
        if !LAPACK.choleskyLower(&c, n: n) {
            throw QPError.nonConvex("Q is not positive semidefinite (Q + 1e-9 max|Q_ij| I has no Cholesky factorisation)")
        }
    }

    // MARK: polish

    enum PolishOutcome {
        case accepted(z: Vector, lambda: Vector, mu: Vector, kkt: QPReducedKKT?, residual: QPKKTResidual)
        case adjust(drop: [Int], add: [Int])
        case failed
    }

    func polish(_ candidate: [Int], sp: QPScaledProblem, ipm: QPInteriorPoint, cholesky: QPCholeskyOfQ?,
                attempts: inout Int) throws -> QPSolution? {
        let (l0, m0) = sp.unscaledMultipliers(lambda: ipm.lambda, mu: ipm.mu, original: problem.shape)
        let start = (z: Vector(ipm.z), lambda: l0, mu: m0)
        var active = candidate
        for _ in 0..<3 {
            attempts += 1
            let outcome = try polishOnce(active: active, sp: sp, start: start, cholesky: cholesky)
            switch outcome {
            case let .accepted(z, lambda, mu, kkt, residual):
                let report = QPSolverReport(iterations: ipm.iterations, polished: true, polishAttempts: attempts,
                                            kktResidual: residual)
                return makeSolution(z: z, lambda: lambda, mu: mu, active: active, sp: sp, kkt: kkt, report: report,
                                    weakTolerance: options.weakActivityTolerance, polished: true)
            case let .adjust(drop, add):
                // A few misclassified rows are moved (a primal-dual active-set step);
                // many mean the interior point is not there yet: iterate on instead.
                if drop.count + add.count > Swift.max(2, problem.inequalityCount / 50) { return nil }
                let next = Set(active).subtracting(drop).union(add).sorted()
                if next == active { return nil }
                active = next
            case .failed:
                return nil
            }
        }
        return nil
    }

    /// One solve of the equality-constrained QP on `active`, and its verification.
    func polishOnce(active: [Int], sp: QPScaledProblem, start: (z: Vector, lambda: Vector, mu: Vector),
                    cholesky: QPCholeskyOfQ?) throws -> PolishOutcome {
        let p = problem, n = p.variableCount, k = active.count, eq = sp.equalityRows
        let rhs = Vector((-p.q).scalars + active.map { p.h[$0] } + eq.map { p.b[$0] })
        var x: Vector
        // Rows of very different norms (max/min > 1e4 among those in K): solve on the
        // row-equilibrated copy. With the original rows the solve's backward error is
        // relative to the largest row, and a unit row next to rows of norm 1e10 was off by
        // ~1e-6; that factorisation is not the original K, so the derivative makes its own.
        let norms = active.map { sp.rowNormsOfG[$0] } + sp.equalityScale.map { 1 / $0 }
        let spread = (norms.max() ?? 1) / Swift.max(norms.min() ?? 1, .leastNormalMagnitude)
        var kkt: QPReducedKKT?
        if spread > 1e4, let e = try? QPReducedKKT(problem: Self.rowEquilibrated(p, sp), activeInequalities: active,
                                                    equalities: eq, cholesky: cholesky) {
            let scaledRHS = Vector((-p.q).scalars + active.indices.map { p.h[active[$0]] / norms[$0] }
                                   + eq.indices.map { p.b[eq[$0]] * sp.equalityScale[$0] })
            x = e.solve(scaledRHS)
            for t in 0..<(k + eq.count) { x[n + t] /= norms[t] }
        } else if let direct = try? QPReducedKKT(problem: p, activeInequalities: active, equalities: eq, cholesky: cholesky) {
            kkt = direct
            x = direct.solve(rhs)
        } else {
            // K singular (non-unique minimiser or dependent active rows): proximal
            // iterations x <- x + K_delta^-1 (rhs - K x) from the interior-point point.
            let delta = 1e-9 * Swift.max(1, p.Q.maxNorm)
            guard let kd = try? QPEquilibratedLDL(
                QPReducedKKT.matrix(problem: p, active: active, equalities: eq, regularization: delta)) else { return .failed }
            x = Vector(start.z.scalars + active.map { start.mu[$0] } + eq.map { start.lambda[$0] })
            let target = 1e-15 * Swift.max(1, rhs.maxNorm)
            // Stop when the residual has not halved over 8 steps: an inconsistent system
            // (a wrong guess of the active set) never converges, and each step costs a
            // KKT product and a solve; the outcome is verified below either way.
            var history: [Double] = []
            for _ in 0..<100 {
                let r = rhs - QPReducedKKT.product(problem: p, active: active, equalities: eq, x)
                let size = r.maxNorm
                if size <= target { break }
                if history.count >= 8, size > 0.5 * history[history.count - 8] { break }
                history.append(size)
                x += kd.solve(r)
            }
        }
        guard x.isFinite else { return .failed }
        let z = x.slice(0..<n)
        var mu = Vector.zeros(p.inequalityCount), lambda = Vector.zeros(p.equalityCount)
        for (t, i) in active.enumerated() { mu[i] = x[n + t] }
        for (t, i) in eq.enumerated() { lambda[i] = x[n + k + t] }

        // Signs: mu_a >= 0 and inactive rows feasible, within the tolerance, row by row
        // in the units of ``QPKKTResidual`` (rows of unit norm, objective of scale 1): a
        // common threshold let a row scaled by 1e10 hide the violation of a unit row.
        let tol = options.tolerance
        var drop = [Int](), add = [Int]()
        if p.inequalityCount > 0 {
            // A sign is wrong when mu_i ||G_i|| < 0 beyond the tolerance relative to the
            // largest multiplier of a unit row, and beyond rounding of the objective's data
            // scale `sigma = max(max |Q_ij|, ||q||_inf)`.
            let norms = sp.rowNormsOfG
            let sigma = 1 / sp.objectiveScale
            let muScale = (0..<p.inequalityCount).reduce(0.0) { Swift.max($0, abs(mu[$1]) * norms[$1]) }
            let muTol = Swift.max(tol * muScale, 1e4 * Double.ulpOfOne * sigma)
            drop = active.filter { mu[$0] * norms[$0] < -muTol }
            let gz = p.G * z
            var slackScale = 0.0
            for i in 0..<p.inequalityCount where norms[i] > 0 {
                slackScale = Swift.max(slackScale, abs(gz[i]) / norms[i], abs(p.h[i]) / norms[i])
            }
            let slackTol = tol * (1 + slackScale)
            let isActive = Set(active)
            add = (0..<p.inequalityCount).filter {
                !isActive.contains($0) && norms[$0] > 0 && (gz[$0] - p.h[$0]) / norms[$0] > slackTol
            }
        }
        if !drop.isEmpty || !add.isEmpty { return .adjust(drop: drop, add: add) }
        for i in active where mu[i] < 0 { mu[i] = 0 }
        if !sp.dependentEqualities.isEmpty {
            // Dependent rows are combinations of the rows in use: once those hold, a
            // residual in a dependent row is an inconsistency of b.
            let used = eq.map { abs(p.A.row($0).dot(z) - p.b[$0]) }.max() ?? 0
            if used <= tol * (1 + p.b.maxNorm) { try checkDependentEqualities(sp, z: z) }
        }
        let residual = QPKKTResidual(problem: p, z: z, lambda: lambda, mu: mu)
        guard options.accepts(relative: residual.maximum, absolute: residual.absoluteMaximum) else { return .failed }
        return .accepted(z: z, lambda: lambda, mu: mu, kkt: kkt, residual: residual)
    }

    /// `p` with every row of `A` and `G` divided by its 2-norm (zero rows kept): the
    /// same minimiser, multipliers `lambda_i ||A_i||`, `mu_i ||G_i||`.
    static func rowEquilibrated(_ p: QuadraticProgram, _ sp: QPScaledProblem) -> QuadraticProgram {
        func scaled(_ m: Matrix, _ v: Vector, _ norms: [Double]) -> (Matrix, Vector) {
            var m = m, v = v
            let c = m.columns
            for i in 0..<m.rows where norms[i] > 0 {
                for j in 0..<c { m[i, j] /= norms[i] }
                v[i] /= norms[i]
            }
            return (m, v)
        }
        var aNorms = [Double](repeating: 0, count: p.equalityCount)
        for (t, i) in sp.equalityRows.enumerated() { aNorms[i] = 1 / sp.equalityScale[t] }
        let (a, b) = scaled(p.A, p.b, aNorms)
        let (g, h) = scaled(p.G, p.h, sp.rowNormsOfG)
        return QuadraticProgram(uncheckedQ: p.Q, q: p.q, A: a, b: b, G: g, h: h)
    }

    // MARK: interior-point solution

    func interiorPointSolution(sp: QPScaledProblem, ipm: QPInteriorPoint, cholesky: QPCholeskyOfQ?,
                               attempts: Int) throws -> QPSolution? {
        let z = Vector(ipm.z)
        let (lambda, mu0) = sp.unscaledMultipliers(lambda: ipm.lambda, mu: ipm.mu, original: problem.shape)
        var mu = mu0
        let active = ipm.activeCandidate
        let isActive = Set(active)
        for i in 0..<problem.inequalityCount where !isActive.contains(i) { mu[i] = Swift.max(mu[i], 0) }
        try checkDependentEqualities(sp, z: z)
        let residual = QPKKTResidual(problem: problem, z: z, lambda: lambda, mu: mu)
        guard options.accepts(relative: residual.maximum, absolute: residual.absoluteMaximum) else { return nil }
        let kkt = try? QPReducedKKT(problem: problem, activeInequalities: active, equalities: sp.equalityRows,
                                    cholesky: cholesky)
        let report = QPSolverReport(iterations: ipm.iterations, polished: false, polishAttempts: attempts,
                                    kktResidual: residual)
        return makeSolution(z: z, lambda: lambda, mu: mu, active: active, sp: sp, kkt: kkt, report: report,
                            weakTolerance: Swift.max(options.weakActivityTolerance, options.tolerance.squareRoot()),
                            polished: false)
    }

    // MARK: shared

    /// Dropped dependent equality rows must hold at the solution (else they contradict
    /// the others: infeasible).
    func checkDependentEqualities(_ sp: QPScaledProblem, z: Vector) throws {
        guard !sp.dependentEqualities.isEmpty else { return }
        let tol = Swift.max(100 * options.tolerance, 1e-8)
        for i in sp.dependentEqualities {
            let row = problem.A.row(i)
            let az = row.dot(z)
            if abs(az - problem.b[i]) > tol * (1 + Swift.max(abs(az), abs(problem.b[i])) + row.norm * z.maxNorm) {
                throw QPError.infeasible("equality \(i) is a linear combination of other equality rows but its right-hand side is inconsistent with theirs (residual \(az - problem.b[i]))")
            }
        }
    }

    func makeSolution(z: Vector, lambda: Vector, mu: Vector, active: [Int], sp: QPScaledProblem,
                      kkt: QPReducedKKT?, report: QPSolverReport, weakTolerance: Double, polished: Bool) -> QPSolution {
        let weak = QPSolver.weaklyActive(problem: problem, z: z, mu: mu, tolerance: weakTolerance, polished: polished)
        let set = QPActiveSet(active: active, weaklyActive: weak, dependentEqualities: sp.dependentEqualities,
                              equalities: sp.equalityRows)
        return QPSolution(problem: problem, z: z, lambda: lambda, mu: mu, activeSet: set, report: report, reducedKKT: kkt)
    }

    /// Inequalities with slack ~ 0 and multiplier ~ 0 (see
    /// ``QPSolverOptions/weakActivityTolerance``).
    ///
    /// An interior-point iterate (`polished == false`) has multipliers accurate to about
    /// `tol * max(1, ||q||, ||Q z||)`, the scale of its stationarity residual. A polished
    /// solution is exact up to rounding: there `mu_i ||G_i||` is compared with
    /// `tol * max(1, max_j mu_j ||G_j||)` (the largest multiplier) and a rounding floor
    /// `1e4 eps max(1, ||q||, ||Q z||)`. With an ill-conditioned `Q`, `||Q z||` can exceed
    /// the multipliers by many orders (q and Q z nearly cancel), and the interior-point
    /// scale would call clearly positive multipliers zero.
    static func weaklyActive(problem p: QuadraticProgram, z: Vector, mu: Vector, tolerance tol: Double,
                             polished: Bool) -> [Int] {
        let m = p.inequalityCount
        guard m > 0 else { return [] }
        let gz = p.G * z
        let qz = p.Q * z
        let slackScale = Swift.max(1, z.maxNorm)
        let gradientScale = Swift.max(1, p.q.maxNorm, qz.maxNorm)
        let rowNorms = (0..<m).map { p.G.row($0).norm }
        let muThreshold: Double
        if polished {
            let largest = (0..<m).map { abs(mu[$0]) * rowNorms[$0] }.max() ?? 0
            muThreshold = Swift.max(tol * Swift.max(1, largest), 1e4 * Double.ulpOfOne * gradientScale)
        } else {
            muThreshold = tol * gradientScale
        }
        var weak = [Int]()
        for i in 0..<m {
            let rn = rowNorms[i]
            let slack = p.h[i] - gz[i]
            if slack <= tol * rn * slackScale && mu[i] * rn <= muThreshold { weak.append(i) }
        }
        return weak
    }
}
