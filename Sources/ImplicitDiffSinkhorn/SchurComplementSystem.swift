import _CLAPACK

/// The linear system of the Sinkhorn derivative, reduced by a Schur complement. Not API.
///
/// With `r = P 1`, `c = P' 1` (the computed plan's marginals), the linearised
/// marginal conditions in `(df, dg)` have the symmetric positive semidefinite matrix
/// ```
/// K = [diag(r)  P      ]        null vector (1, -1)  (the gauge f + t, g - t)
///     [P'       diag(c)]
/// ```
/// and every right-hand side that occurs has `sum(rhs_f) = sum(rhs_g)` (it is
/// orthogonal to the null vector). Eliminating the larger block leaves the smaller one,
/// of size `k = min(n, m)`; keeping `g` (when `m <= n`):
/// ```
/// S = diag(c) - P' diag(1/r) P            (PSD, S 1 = 0)
/// (S + gamma 1 1') y_g = rhs_g - P'(rhs_f / r),    y_f = (rhs_f - P y_g) / r
/// ```
/// and symmetrically when `n < m`. The rank-one term `gamma 1 1'` (`gamma = mean of the
/// diagonal / k`) removes the null direction without changing solutions of consistent
/// right-hand sides; callers then fix the gauge. The reduced system is solved by a dense
/// Cholesky factorisation (computed once, with `dsyrk`) or by Jacobi-preconditioned
/// conjugate gradients (the core's `ConjugateGradient`) with matrix-free products (two
/// BLAS `dgemv` per iteration).
struct SchurComplementSystem: Sendable {
    /// Which potential's block is kept.
    enum Side: Sendable { case targets, sources }

    let plan: Matrix
    let rowSums: [Double]
    let columnSums: [Double]
    let side: Side
    let gamma: Double
    let factorization: CholeskyFactorization?
    /// `diag(S + gamma 1 1')` for Jacobi preconditioning.
    let diagonal: [Double]
    let options: ImplicitOptions
    /// "cholesky" or "cg".
    let method: String

    /// Largest kept block solved densely by `.automatic`.
    static let automaticDenseLimit = 400

    var n: Int { plan.rows }
    var m: Int { plan.columns }
    var keptCount: Int { side == .targets ? m : n }

    init(plan: Matrix, rowSums: [Double], columnSums: [Double], options: ImplicitOptions) throws {
        self.plan = plan
        self.rowSums = rowSums
        self.columnSums = columnSums
        self.options = options
        let n = plan.rows, m = plan.columns
        let keepTargets = m <= n
        let side: Side = keepTargets ? .targets : .sources
        self.side = side
        let k = keepTargets ? m : n
        let kept = keepTargets ? columnSums : rowSums
        let other = keepTargets ? rowSums : columnSums
        guard kept.allSatisfy({ $0 > 0 && $0.isFinite }), other.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ImplicitDifferentiationError.singularSystem("a row or column of the plan is zero (its marginal underflowed); the potentials are not differentiable there")
        }
        let gamma = kept.reduce(0, +) / Double(k * k)
        self.gamma = gamma
        // Diagonal of S + gamma 1 1': kept_l - sum_o P_ol^2 / other_o + gamma.
        var diag = kept
        plan.scalars.withUnsafeBufferPointer { pp in
            for i in 0..<n {
                for j in 0..<m {
                    let p = pp[i * m + j]
                    if keepTargets { diag[j] -= p * p / other[i] } else { diag[i] -= p * p / other[j] }
                }
            }
        }
        diagonal = diag.map { d in Swift.max(d + gamma, 0) }

        var choice = options.linearSolver
        if choice == .automatic { choice = k <= Self.automaticDenseLimit ? .direct : .cg }
        if choice == .direct {
            factorization = try Self.factorize(plan: plan, side: side, kept: kept, other: other, gamma: gamma)
            method = "cholesky"
        } else {
            // Every Krylov choice runs CG: S + gamma 1 1' is symmetric positive definite.
            factorization = nil
            method = "cg"
        }
    }

    /// Dense `S + gamma 1 1'` (lower triangle by `dsyrk`) and its Cholesky factorisation.
    static func factorize(plan: Matrix, side: Side, kept: [Double], other: [Double], gamma: Double) throws -> CholeskyFactorization {
        let n = plan.rows, m = plan.columns, k = kept.count
        // R = diag(1/sqrt(r)) P (keep targets) or P diag(1/sqrt(c)) (keep sources).
        var r = plan.scalars
        let scale = other.map { 1 / $0.squareRoot() }
        for i in 0..<n {
            for j in 0..<m { r[i * m + j] *= side == .targets ? scale[i] : scale[j] }
        }
        var s = [Double](repeating: gamma, count: k * k)
        for l in 0..<k { s[l * k + l] += kept[l] }
        r.withUnsafeBufferPointer { rp in
            s.withUnsafeMutableBufferPointer { sp in
                if side == .targets {
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(m), Int32(n), -1, rp.baseAddress, Int32(m),
                                1, sp.baseAddress, Int32(m))
                } else {
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(n), Int32(m), -1, rp.baseAddress, Int32(m),
                                1, sp.baseAddress, Int32(n))
                }
            }
        }
        do {
            return try CholeskyFactorization(Matrix(rows: k, columns: k, scalars: s))
        } catch let e as LinearAlgebraError {
            throw ImplicitDifferentiationError.singularSystem("the Schur complement of the Sinkhorn system: \(e)")
        }
    }

    /// `P v` (`n`) for `v` of length `m`.
    func planTimes(_ v: [Double]) -> [Double] { gemv(transposed: false, v, count: n) }
    /// `P' u` (`m`) for `u` of length `n`.
    func planTransposedTimes(_ u: [Double]) -> [Double] { gemv(transposed: true, u, count: m) }

    func gemv(transposed: Bool, _ x: [Double], count: Int) -> [Double] {
        var y = [Double](repeating: 0, count: count)
        plan.scalars.withUnsafeBufferPointer { pp in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(n), Int32(m), 1,
                                pp.baseAddress, Int32(m), xp.baseAddress, 1, 0, yp.baseAddress, 1)
                }
            }
        }
        return y
    }

    /// `(S + gamma 1 1') v` for the kept block, matrix-free.
    func applyReduced(_ v: [Double]) -> [Double] {
        let k = v.count
        var out: [Double]
        let total = v.reduce(0, +) * gamma
        if side == .targets {
            var t = planTimes(v)
            for i in 0..<n { t[i] /= rowSums[i] }
            out = planTransposedTimes(t)
            for j in 0..<k { out[j] = columnSums[j] * v[j] - out[j] + total }
        } else {
            var t = planTransposedTimes(v)
            for j in 0..<m { t[j] /= columnSums[j] }
            out = planTimes(t)
            for i in 0..<k { out[i] = rowSums[i] * v[i] - out[i] + total }
        }
        return out
    }

    /// A solution of `K (y_f, y_g) = (rhs_f, rhs_g)` (any gauge) with the report of the
    /// reduced solve.
    func solve(_ rhsF: [Double], _ rhsG: [Double]) throws -> (f: [Double], g: [Double], report: LinearSolveReport) {
        guard rhsF.allSatisfy(\.isFinite), rhsG.allSatisfy(\.isFinite) else {
            throw ImplicitDifferentiationError.nonFinite("the right-hand side (cotangent or tangent)")
        }
        // Reduced right-hand side.
        var reduced: [Double]
        if side == .targets {
            var t = rhsF
            for i in 0..<n { t[i] /= rowSums[i] }
            reduced = planTransposedTimes(t)
            for j in 0..<m { reduced[j] = rhsG[j] - reduced[j] }
        } else {
            var t = rhsG
            for j in 0..<m { t[j] /= columnSums[j] }
            reduced = planTimes(t)
            for i in 0..<n { reduced[i] = rhsF[i] - reduced[i] }
        }
        var report = LinearSolveReport(method: method)
        var y: [Double]
        if let chol = factorization {
            y = chol.solve(Vector(reduced)).scalars
            let r = applyReduced(y)
            var num = 0.0, den = 0.0
            for l in 0..<r.count { num += (r[l] - reduced[l]) * (r[l] - reduced[l]); den += reduced[l] * reduced[l] }
            report.relativeResidual = den == 0 ? 0 : (num / den).squareRoot()
        } else {
            (y, report) = try conjugateGradient(reduced)
        }
        guard y.allSatisfy(\.isFinite) else {
            throw ImplicitDifferentiationError.nonFinite("the solution of the Sinkhorn derivative's linear system")
        }
        // Back-substitution for the eliminated block.
        if side == .targets {
            var yf = planTimes(y)
            for i in 0..<n { yf[i] = (rhsF[i] - yf[i]) / rowSums[i] }
            return (yf, y, report)
        } else {
            var yg = planTransposedTimes(y)
            for j in 0..<m { yg[j] = (rhsG[j] - yg[j]) / columnSums[j] }
            return (y, yg, report)
        }
    }

    /// Jacobi-preconditioned conjugate gradients (the core's `ConjugateGradient`) on
    /// `S + gamma 1 1'`, stopping at `||r|| <= tol ||b||` (`ImplicitOptions.linearTolerance`).
    func conjugateGradient(_ b: [Double]) throws -> ([Double], LinearSolveReport) {
        let k = b.count
        let reduced = FunctionOperator(rows: k, columns: k, apply: { [self] v in Vector(applyReduced(v.scalars)) })
        let cg = ConjugateGradient(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: options.linearTolerance,
                                                          maxIterations: options.linearMaxIterations ?? Swift.max(10 * k, 1000),
                                                          recordHistory: false))
        do {
            let result = try cg.solve(reduced, Vector(b), initialGuess: nil,
                                      preconditioner: JacobiPreconditioner(diagonal: Vector(diagonal)))
            return (result.solution.scalars,
                    LinearSolveReport(method: method, iterations: result.iterations, relativeResidual: result.relativeResidual))
        } catch let e as KrylovError {
            throw ImplicitDifferentiationError.linearSolveFailed(e)
        }
    }
}
