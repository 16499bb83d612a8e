import Glibc

/// The derivative of a solved ``SinkhornProblem``'s plan, potentials and cost with
/// respect to the cost matrix (or the point clouds), the marginals and `eps`, by
/// implicit differentiation of the dual first-order conditions.
///
/// The conditions `P 1 = a`, `P' 1 = b` with `P_ij = exp((f_i + g_j - C_ij)/eps)`
/// linearise, with `r = P 1`, `c = P' 1` and `D = dC + log(P) d eps`, to
/// ```
/// [diag(r)  P      ] [df]   [eps da + (P o D) 1 ]
/// [P'       diag(c)] [dg] = [eps db + (P o D)' 1]          (K y = rhs)
/// dP = (P / eps) o (df 1' + 1 dg' - D)
/// d cost = <P, dC> + <f, da> + <g, db> + d eps sum P (log P - 1)
/// ```
/// `K` is symmetric positive semidefinite with the gauge null vector `(1, -1)`;
/// tangents `da`, `db` are projected to zero sum so that `rhs` is consistent, and the
/// solution is shifted to the reported gauge `sum(dg) = 0`. Reverse mode solves
/// `K z = Pi' ybar` with `ybar = (fbar + W 1, gbar + W' 1)`, `W = P o Pbar / eps`, and
/// `Pi'` the adjoint of the gauge shift (`gbar += (sum fbar - sum gbar)/m`), then
/// ```
/// Cbar = P o (z_f 1' + 1 z_g') - W + costbar P
/// abar = proj(eps z_f + costbar f),   bbar = proj(eps z_g + costbar g)
/// epsbar = <P o (z_f 1' + 1 z_g') - W, log P> + costbar sum P (log P - 1)
/// ```
/// with `proj` the projection onto sum-zero vectors, and for point clouds
/// `xbar = 2 (diag(Cbar 1) x - Cbar y)`, `ybar = 2 (diag(Cbar' 1) y - Cbar' x)`.
///
/// **Unbalanced problems** (``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` below
/// 1): the conditions `P 1 = s_a = a o exp(-f / rho_a)`, `P' 1 = s_b = b o exp(-g / rho_b)`
/// (`kappa = (1 - tau)/tau = eps / rho`) linearise to
/// ```
/// [diag(r + kappa_a s_a)  P                    ] [df]   [(P o D) 1  + eps (s_a / a) o da + (kappa_a / eps) s_a o f d eps]
/// [P'                     diag(c + kappa_b s_b)] [dg] = [(P o D)' 1 + eps (s_b / b) o db + (kappa_b / eps) s_b o g d eps]
/// ```
/// whose matrix `K_u` is positive definite: the potentials have no gauge, tangents are
/// not projected and solutions not shifted. Reverse mode solves `K_u z = ybar` and
/// ```
/// abar = eps (s_a / a) o z_f + costbar (-rho_a expm1(-f / rho_a)),     bbar alike
/// epsbar = <P o (z_f 1' + 1 z_g') - W, log P> + (kappa_a / eps) <z_f, s_a o f>
///          + (kappa_b / eps) <z_g, s_b o g> + costbar d cost / d eps
/// ```
/// with `Cbar` as above. With `tau = 1` every term reduces to the balanced one.
///
/// `K` is reduced by a Schur complement to the smaller block (size `min(n, m)`), which
/// the core's `ImplicitLinearSystem` solves: factorised once by Cholesky (dense;
/// `.automatic` up to 400) or by Jacobi-preconditioned CG with matrix-free products (any
/// other Krylov choice runs as asked). Every pullback and pushforward reuses the
/// factorisation. Cost-only cotangents need no solve (envelope theorem).
public struct SinkhornDerivative: Sendable {
    /// The solution differentiated.
    public let solution: SinkhornSolution
    let system: SchurComplementSystem

    /// Builds the reduced system (and factorises it for a direct solve).
    ///
    /// - Throws: `ImplicitDifferentiationError.singularSystem(_:)` when the reduced
    ///   system is singular to working precision (e.g. a plan row underflowed).
    public init(solution: SinkhornSolution, options: ImplicitOptions = .init()) throws {
        // The system first: a throw then leaves no partially initialised `self`.
        let diagonals = solution.conditionDiagonals
        let system = try SchurComplementSystem(plan: solution.plan, rowDiagonal: diagonals.rows,
                                               columnDiagonal: diagonals.columns, options: options,
                                               gaugeFree: !solution.problem.isBalanced)
        self.solution = solution
        self.system = system
    }

    /// The linear solver in use: "cholesky" or "cg" under `.automatic`.
    public var method: String { system.method }

    var n: Int { solution.plan.rows }
    var m: Int { solution.plan.columns }
    var epsilon: Double { solution.problem.epsilon }

    /// Reverse mode: the gradient of `L = <Pbar, P> + <fbar, f> + <gbar, g> + costbar cost`.
    public func pullback(_ cotangent: SinkhornOutputTangent) throws -> SinkhornParameterTangent {
        try pullbackWithReport(cotangent).0
    }

    /// Reverse mode with the report of the linear solve.
    public func pullbackWithReport(_ cotangent: SinkhornOutputTangent) throws -> (SinkhornParameterTangent, LinearSolveReport) {
        let n = self.n, m = self.m, eps = epsilon, inv = 1 / eps
        let s = solution
        let pbar = cotangent.plan.materialized(rows: n, columns: m)
        var fbar = cotangent.f.materialized(count: n).scalars, gbar = cotangent.g.materialized(count: m).scalars
        guard pbar.rows == n, pbar.columns == m, fbar.count == n, gbar.count == m else {
            throw SinkhornError.dimensionMismatch("cotangents of shapes plan \(pbar.rows) x \(pbar.columns), f \(fbar.count), g \(gbar.count) for a \(n) x \(m) problem")
        }
        let costbar = cotangent.cost
        // W = P o Pbar / eps, folded into the potentials' cotangents.
        var w = [Double](repeating: 0, count: n * m)
        let hasPlan = !pbar.scalars.isEmpty
        if hasPlan {
            s.plan.scalars.withUnsafeBufferPointer { pp in
                pbar.scalars.withUnsafeBufferPointer { bp in
                    for i in 0..<n {
                        var rs = 0.0
                        for j in 0..<m {
                            let x = pp[i * m + j] * bp[i * m + j] * inv
                            w[i * m + j] = x
                            rs += x
                            gbar[j] += x
                        }
                        fbar[i] += rs
                    }
                }
            }
        }
        // Adjoint of the gauge shift (balanced only), then K z = (fbar, gbar).
        let balanced = s.problem.isBalanced
        if balanced {
            let delta = fbar.reduce(0, +) - gbar.reduce(0, +)
            for j in 0..<m { gbar[j] += delta / Double(m) }
        }
        var report = LinearSolveReport(method: system.method)
        var zf = [Double](repeating: 0, count: n), zg = [Double](repeating: 0, count: m)
        if fbar.contains(where: { $0 != 0 }) || gbar.contains(where: { $0 != 0 }) {
            (zf, zg, report) = try system.solve(fbar, gbar)
        }
        // Cbar and epsbar in one pass.
        var cbar = [Double](repeating: 0, count: n * m)
        var epsbar = costbar * s.entropyTerm
        var logRow = [Double](repeating: 0, count: m)
        s.costMatrix.scalars.withUnsafeBufferPointer { cp in
            s.g.scalars.withUnsafeBufferPointer { gp in
                s.plan.scalars.withUnsafeBufferPointer { pp in
                    logRow.withUnsafeMutableBufferPointer { lp in
                        for i in 0..<n {
                            s.logPlanRow(i, cp, gp, into: lp)
                            let base = i * m, zi = zf[i]
                            for j in 0..<m {
                                let p = pp[base + j]
                                let gij = p * (zi + zg[j]) - w[base + j]
                                epsbar += gij * lp[j]
                                cbar[base + j] = gij + costbar * p
                            }
                        }
                    }
                }
            }
        }
        var gradient = SinkhornParameterTangent(costMatrix: Matrix(rows: n, columns: m, scalars: cbar))
        if balanced {
            gradient.a = (eps * Vector(zf) + costbar * s.f).projectedToZeroSum()
            gradient.b = (eps * Vector(zg) + costbar * s.g).projectedToZeroSum()
        } else {
            let (ga, gb) = s.weightGradients
            let (ka, kb) = (s.problem.relaxationA.kappa, s.problem.relaxationB.kappa)
            var abar = [Double](repeating: 0, count: n), bbar = [Double](repeating: 0, count: m)
            for i in 0..<n {
                abar[i] = eps * s.rowTargets[i] / s.problem.a[i] * zf[i] + costbar * ga[i]
                epsbar += ka * inv * zf[i] * s.rowTargets[i] * s.f[i]
            }
            for j in 0..<m {
                bbar[j] = eps * s.columnTargets[j] / s.problem.b[j] * zg[j] + costbar * gb[j]
                epsbar += kb * inv * zg[j] * s.columnTargets[j] * s.g[j]
            }
            gradient.a = Vector(abar)
            gradient.b = Vector(bbar)
        }
        gradient.epsilon = epsbar
        if case .pointClouds = s.problem.geometry {
            (gradient.x, gradient.y) = s.pointCloudGradient(costGradient: gradient.costMatrix)
        }
        return (gradient, report)
    }

    /// Forward mode: the tangents of the plan, potentials (gauge `sum(dg) = 0`) and cost.
    public func pushforward(_ tangent: SinkhornParameterTangent) throws -> SinkhornOutputTangent {
        try pushforwardWithReport(tangent).0
    }

    /// Forward mode with the report of the linear solve.
    public func pushforwardWithReport(_ tangent: SinkhornParameterTangent) throws -> (SinkhornOutputTangent, LinearSolveReport) {
        let n = self.n, m = self.m, eps = epsilon, inv = 1 / eps
        let s = solution
        let dc = try s.costTangent(tangent)
        let balanced = s.problem.isBalanced
        // Balanced: only mass-preserving directions are meaningful (the gauge); unbalanced: all.
        let da = balanced ? tangent.a.materialized(count: n).projectedToZeroSum() : tangent.a.materialized(count: n)
        let db = balanced ? tangent.b.materialized(count: m).projectedToZeroSum() : tangent.b.materialized(count: m)
        guard da.count == n, db.count == m else {
            throw SinkhornError.dimensionMismatch("tangents of lengths a \(da.count), b \(db.count) for a \(n) x \(m) problem")
        }
        let deps = tangent.epsilon
        guard dc.isFinite, da.isFinite, db.isFinite, deps.isFinite else {
            throw ImplicitDifferentiationError.nonFinite("the tangent")
        }
        // D = dC + log(P) d eps, and the right-hand side (eps da + (P o D) 1, eps db + (P o D)' 1).
        var d = [Double](repeating: 0, count: n * m)
        var rf: [Double], rg: [Double], costChange: Double
        if balanced {
            rf = (eps * da).scalars
            rg = (eps * db).scalars
            costChange = deps * s.entropyTerm + s.f.dot(da) + s.g.dot(db)
        } else {
            // eps (s / w) o dw + (kappa / eps) s o h d eps on each side.
            let (ga, gb) = s.weightGradients
            let (ka, kb) = (s.problem.relaxationA.kappa, s.problem.relaxationB.kappa)
            rf = (0..<n).map { i in s.rowTargets[i] * (eps * da[i] / s.problem.a[i] + ka * inv * s.f[i] * deps) }
            rg = (0..<m).map { j in s.columnTargets[j] * (eps * db[j] / s.problem.b[j] + kb * inv * s.g[j] * deps) }
            costChange = deps * s.entropyTerm + ga.dot(da) + gb.dot(db)
        }
        var logRow = [Double](repeating: 0, count: m)
        let hasCost = !dc.scalars.isEmpty
        s.costMatrix.scalars.withUnsafeBufferPointer { cp in
            s.g.scalars.withUnsafeBufferPointer { gp in
                s.plan.scalars.withUnsafeBufferPointer { pp in
                    logRow.withUnsafeMutableBufferPointer { lp in
                        for i in 0..<n {
                            s.logPlanRow(i, cp, gp, into: lp)
                            let base = i * m
                            var rs = 0.0
                            for j in 0..<m {
                                let dcij = hasCost ? dc.scalars[base + j] : 0
                                let dij = dcij + lp[j] * deps
                                d[base + j] = dij
                                let pd = pp[base + j] * dij
                                rs += pd
                                rg[j] += pd
                                costChange += pp[base + j] * dcij
                            }
                            rf[i] += rs
                        }
                    }
                }
            }
        }
        var report = LinearSolveReport(method: system.method)
        var yf = [Double](repeating: 0, count: n), yg = [Double](repeating: 0, count: m)
        if rf.contains(where: { $0 != 0 }) || rg.contains(where: { $0 != 0 }) {
            (yf, yg, report) = try system.solve(rf, rg)
        }
        if balanced {
            let shift = yg.reduce(0, +) / Double(m)
            for i in 0..<n { yf[i] += shift }
            for j in 0..<m { yg[j] -= shift }
        }
        var dp = [Double](repeating: 0, count: n * m)
        s.plan.scalars.withUnsafeBufferPointer { pp in
            for i in 0..<n {
                let base = i * m, yi = yf[i]
                for j in 0..<m { dp[base + j] = pp[base + j] * inv * (yi + yg[j] - d[base + j]) }
            }
        }
        let out = SinkhornOutputTangent(plan: Matrix(rows: n, columns: m, scalars: dp), f: Vector(yf), g: Vector(yg),
                                        cost: costChange)
        return (out, report)
    }
}
