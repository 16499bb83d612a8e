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
/// right-hand sides; callers then fix the gauge.
///
/// **Unbalanced problems** (`gaugeFree`): the diagonal blocks are
/// `diag(P 1 + kappa_a s_a)` and `diag(P' 1 + kappa_b s_b)` (``SinkhornSolution/conditionDiagonals``,
/// `= diag(P 1) / tau_a` at the solution), `K` is positive definite (`v' K v =
/// sum_ij P_ij (v_i + w_j)^2 + kappa_a sum_i s_i v_i^2 + kappa_b sum_j s_j w_j^2`), so is
/// `S`, and no rank-one term is added (`gamma = 0`): every right-hand side is
/// solved as it is, and there is no gauge to fix. The reduced system is solved by a dense
/// Cholesky factorisation (computed once, with `dsyrk`) or by Jacobi-preconditioned
/// conjugate gradients (the core's `ConjugateGradient`) with matrix-free products (two
/// BLAS `dgemv` per iteration).
struct SchurComplementSystem: Sendable {
    /// Which potential's block is kept.
    enum Side: Sendable { case targets, sources }

    let plan: Matrix
    let rowDiagonal: [Double]
    let columnDiagonal: [Double]
    let side: Side
    let gamma: Double
    /// The dense factorisation (`nil`: CG).
    let factorization: DenseFactorization?
    /// `diag(S + gamma 1 1')` for Jacobi preconditioning.
    let diagonal: [Double]
    let options: ImplicitOptions
    /// "cholesky" or "cg".
    var method: String { factorization == nil ? "cg" : "cholesky" }

    /// The reduced system's dense Cholesky factorisation: the core's, which refuses an
    /// ill-conditioned matrix (derivatives), or ``NewtonCholesky`` (the Newton finish).
    enum DenseFactorization: Sendable {
        case checked(CholeskyFactorization)
        case unchecked(NewtonCholesky)

        func solve(_ b: [Double]) -> [Double] {
            switch self {
            case let .checked(c): return c.solve(Vector(b)).scalars
            case let .unchecked(c): return c.solve(b)
            }
        }
    }

    /// Largest kept block solved densely by `.automatic`.
    static let automaticDenseLimit = 400

    var n: Int { plan.rows }
    var m: Int { plan.columns }
    var keptCount: Int { side == .targets ? m : n }

    /// With `checkConditioning: false` (the Newton finish) a dense factorisation is only
    /// refused for a non-positive pivot (``NewtonCholesky``), not for its condition.
    init(plan: Matrix, rowDiagonal: [Double], columnDiagonal: [Double], options: ImplicitOptions, checkConditioning: Bool = true,
         gaugeFree: Bool = false) throws {
        self.plan = plan
        self.rowDiagonal = rowDiagonal
        self.columnDiagonal = columnDiagonal
        self.options = options
        let n = plan.rows, m = plan.columns
        let keepTargets = m <= n
        let side: Side = keepTargets ? .targets : .sources
        self.side = side
        let k = keepTargets ? m : n
        let kept = keepTargets ? columnDiagonal : rowDiagonal
        let other = keepTargets ? rowDiagonal : columnDiagonal
        guard kept.allSatisfy({ $0 > 0 && $0.isFinite }), other.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ImplicitDifferentiationError.singularSystem("a row or column of the plan is zero (its marginal underflowed); the potentials are not differentiable there")
        }
        let gamma = gaugeFree ? 0 : kept.reduce(0, +) / Double(k * k)
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
        factorization = try Self.prepare(
            choice: choice, checkConditioning: checkConditioning,
            reduced: { Self.reducedMatrix(plan: plan, side: side, kept: kept, other: other, gamma: gamma,
                                          laplacian: !checkConditioning && !gaugeFree) }, k: k)
    }

    /// The dense factorisation of `reduced()` for `.direct` (checked, or the Newton
    /// finish's unchecked one), or `nil` for CG.
    static func prepare(choice: LinearSolverChoice, checkConditioning: Bool, reduced: () -> [Double], k: Int) throws
        -> DenseFactorization? {
        // Every Krylov choice runs CG: S + gamma 1 1' is symmetric positive definite.
        guard choice == .direct else { return nil }
        let s = reduced()
        if checkConditioning {
            do {
                return .checked(try CholeskyFactorization(Matrix(rows: k, columns: k, scalars: s)))
            } catch let e as LinearAlgebraError {
                throw ImplicitDifferentiationError.singularSystem("the Schur complement of the Sinkhorn system: \(e)")
            }
        }
        guard let chol = NewtonCholesky(regularising: s, dimension: k) else {
            throw ImplicitDifferentiationError.singularSystem("the Schur complement of the Sinkhorn system has a non-positive pivot")
        }
        return .unchecked(chol)
    }

    /// Dense `S + gamma 1 1'` (row-major, both triangles). With `laplacian: false` (the
    /// derivative's), `S = diag(c) - W` as written; with `laplacian: true` (the Newton
    /// finish's), `S` is formed as the graph Laplacian it is,
    /// ```
    /// W = P' diag(1/r) P  (keep targets; P diag(1/c) P' keep sources),   W_jl >= 0
    /// S_jl = -W_jl (j != l),      S_jj = sum_{l != j} W_jl
    /// ```
    /// (`S 1 = 0` because `W 1 = c`). `W` comes from one `dsyrk` of
    /// `diag(1/sqrt(r)) P` (sums of positive terms, accurate to a few ulp), and the
    /// diagonal is summed from the off-diagonal weights instead of `c_j - W_jj`: when the
    /// plan is nearly a permutation (clouds that overlap, small `eps`), `c_j` and `W_jj`
    /// agree to many digits and their difference would keep none, while the Laplacian's
    /// small eigenvalues, which are what Sinkhorn stalls on and what Newton must resolve,
    /// are determined to high relative accuracy by the weights. (The derivative keeps
    /// the plain form: its conditioning check then refuses what it refused before, and
    /// its answers do not change.)
    static func reducedMatrix(plan: Matrix, side: Side, kept: [Double], other: [Double], gamma: Double,
                              laplacian: Bool) -> [Double] {
        let n = plan.rows, m = plan.columns, k = kept.count
        // R = diag(1/sqrt(r)) P (keep targets) or P diag(1/sqrt(c)) (keep sources).
        var r = plan.scalars
        let scale = other.map { 1 / $0.squareRoot() }
        for i in 0..<n {
            for j in 0..<m { r[i * m + j] *= side == .targets ? scale[i] : scale[j] }
        }
        var s = [Double](repeating: 0, count: k * k)
        r.withUnsafeBufferPointer { rp in
            s.withUnsafeMutableBufferPointer { sp in
                if side == .targets {
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(m), Int32(n), 1, rp.baseAddress, Int32(m),
                                0, sp.baseAddress, Int32(m))
                } else {
                    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, Int32(n), Int32(m), 1, rp.baseAddress, Int32(m),
                                0, sp.baseAddress, Int32(n))
                }
            }
        }
        // Lower triangle of W -> full S + gamma 1 1'.
        if !laplacian {
            for j in 0..<k {
                for l in 0..<j {
                    let v = gamma - s[j * k + l]
                    s[j * k + l] = v
                    s[l * k + j] = v
                }
                s[j * k + j] = kept[j] - s[j * k + j] + gamma
            }
            return s
        }
        var degree = [Double](repeating: 0, count: k)
        for j in 0..<k {
            for l in 0..<j {
                let w = s[j * k + l]
                degree[j] += w
                degree[l] += w
            }
        }
        for j in 0..<k {
            for l in 0..<j {
                let v = gamma - s[j * k + l]
                s[j * k + l] = v
                s[l * k + j] = v
            }
            s[j * k + j] = degree[j] + gamma
        }
        return s
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
            for i in 0..<n { t[i] /= rowDiagonal[i] }
            out = planTransposedTimes(t)
            for j in 0..<k { out[j] = columnDiagonal[j] * v[j] - out[j] + total }
        } else {
            var t = planTransposedTimes(v)
            for j in 0..<m { t[j] /= columnDiagonal[j] }
            out = planTimes(t)
            for i in 0..<k { out[i] = rowDiagonal[i] * v[i] - out[i] + total }
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
            for i in 0..<n { t[i] /= rowDiagonal[i] }
            reduced = planTransposedTimes(t)
            for j in 0..<m { reduced[j] = rhsG[j] - reduced[j] }
        } else {
            var t = rhsG
            for j in 0..<m { t[j] /= columnDiagonal[j] }
            reduced = planTimes(t)
            for i in 0..<n { reduced[i] = rhsF[i] - reduced[i] }
        }
        var report = LinearSolveReport(method: method)
        var y: [Double]
        if let factorization {
            y = factorization.solve(reduced)
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
            for i in 0..<n { yf[i] = (rhsF[i] - yf[i]) / rowDiagonal[i] }
            return (yf, y, report)
        } else {
            var yg = planTransposedTimes(y)
            for j in 0..<m { yg[j] = (rhsG[j] - yg[j]) / columnDiagonal[j] }
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
