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
/// solved as it is, and there is no gauge to fix.
///
/// The reduced system ``SchurComplementOperator`` is solved by the core's
/// `ImplicitLinearSystem` (symmetric positive definite: Cholesky of the `dsyrk`-formed
/// matrix up to ``automaticDenseLimit`` under `.automatic`, else Jacobi-preconditioned CG;
/// any other choice as the core runs it), which checks and reports every solve. The
/// Newton finish instead factorises the Laplacian form with ``NewtonCholesky`` (a
/// regularising Cholesky that refuses only a non-positive pivot).
struct SchurComplementSystem: Sendable {
    typealias Side = SchurComplementOperator.Side

    /// How the reduced system is solved. Sendable although the core's system is not in
    /// general: this one holds only Sendable values (the ``SchurComplementOperator``, a
    /// Cholesky factorisation, a Jacobi preconditioner, an empty `B`) and, its operator
    /// not being matrix-free, no deferred factorisation cache; nothing in it is mutated.
    enum ReducedSolver: @unchecked Sendable {
        /// The core's implicit linear solve (derivatives, and the Newton finish's CG).
        case implicit(ImplicitLinearSystem)
        /// The Newton finish's regularising dense Cholesky.
        case newton(NewtonCholesky)
    }

    let reduced: SchurComplementOperator
    let solver: ReducedSolver

    /// The method that solves the reduced system: "cholesky", "cg", or another core method.
    var method: String {
        switch solver {
        case let .implicit(system): return system.method
        case .newton: return "cholesky"
        }
    }

    /// Largest kept block solved densely by `.automatic`: forming `S` costs `n k^2` flops
    /// against `4 n k` per CG iteration, and Jacobi-preconditioned CG converges in far
    /// fewer than `k / 4` iterations on these systems.
    static let automaticDenseLimit = 400

    var n: Int { reduced.n }
    var m: Int { reduced.m }
    var side: Side { reduced.side }

    /// With `checkConditioning: false` (the Newton finish) a dense factorisation is only
    /// refused for a non-positive pivot (``NewtonCholesky``), not for its condition.
    init(plan: Matrix, rowDiagonal: [Double], columnDiagonal: [Double], options: ImplicitOptions, checkConditioning: Bool = true,
         gaugeFree: Bool = false) throws {
        let n = plan.rows, m = plan.columns
        let side: Side = m <= n ? .targets : .sources
        let k = side == .targets ? m : n
        let kept = side == .targets ? columnDiagonal : rowDiagonal
        let other = side == .targets ? rowDiagonal : columnDiagonal
        guard kept.allSatisfy({ $0 > 0 && $0.isFinite }), other.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ImplicitDifferentiationError.singularSystem("a row or column of the plan is zero (its marginal underflowed); the potentials are not differentiable there")
        }
        let gamma = gaugeFree ? 0 : kept.reduce(0, +) / Double(k * k)
        let reduced = SchurComplementOperator(plan: plan, rowDiagonal: rowDiagonal, columnDiagonal: columnDiagonal, side: side,
                                              gamma: gamma, laplacian: !checkConditioning && !gaugeFree)
        self.reduced = reduced
        let direct = options.linearSolver == .direct || (options.linearSolver == .automatic && k <= Self.automaticDenseLimit)
        if !checkConditioning && direct {
            guard let chol = NewtonCholesky(regularising: reduced.reducedMatrix(), dimension: k) else {
                throw ImplicitDifferentiationError.singularSystem("the Schur complement of the Sinkhorn system has a non-positive pivot")
            }
            solver = .newton(chol)
            return
        }
        var reducedOptions = options
        reducedOptions.linearMaxIterations = options.linearMaxIterations ?? Swift.max(10 * k, 1000)
        do {
            solver = .implicit(try ImplicitLinearSystem(
                operator: reduced, isSymmetric: true, isPositiveDefinite: true,
                preconditioner: .jacobi(diagonal: Vector(reduced.diagonal())), denseLimit: Self.automaticDenseLimit,
                options: reducedOptions))
        } catch ImplicitDifferentiationError.singularSystem(let why) {
            throw ImplicitDifferentiationError.singularSystem("the Schur complement of the Sinkhorn system: \(why)")
        }
    }

    /// A solution of `K (y_f, y_g) = (rhs_f, rhs_g)` (any gauge) with the report of the
    /// reduced solve.
    func solve(_ rhsF: [Double], _ rhsG: [Double]) throws -> (f: [Double], g: [Double], report: LinearSolveReport) {
        guard rhsF.allSatisfy(\.isFinite), rhsG.allSatisfy(\.isFinite) else {
            throw ImplicitDifferentiationError.nonFinite("the right-hand side (cotangent or tangent)")
        }
        let n = self.n, m = self.m
        let (rowDiagonal, columnDiagonal) = (reduced.rowDiagonal, reduced.columnDiagonal)
        // Reduced right-hand side.
        var rhs: [Double]
        if side == .targets {
            var t = rhsF
            for i in 0..<n { t[i] /= rowDiagonal[i] }
            rhs = reduced.planTransposedTimes(t)
            for j in 0..<m { rhs[j] = rhsG[j] - rhs[j] }
        } else {
            var t = rhsG
            for j in 0..<m { t[j] /= columnDiagonal[j] }
            rhs = reduced.planTimes(t)
            for i in 0..<n { rhs[i] = rhsF[i] - rhs[i] }
        }
        let y: [Double]
        var report: LinearSolveReport
        switch solver {
        case let .implicit(system):
            let (z, r) = try system.solve(Vector(rhs))
            (y, report) = (z.scalars, r)
        case let .newton(chol):
            y = chol.solve(rhs)
            report = LinearSolveReport(method: method)
            guard y.allSatisfy(\.isFinite) else {
                throw ImplicitDifferentiationError.nonFinite("the solution of the Sinkhorn Newton step")
            }
        }
        // Back-substitution for the eliminated block.
        if side == .targets {
            var yf = reduced.planTimes(y)
            for i in 0..<n { yf[i] = (rhsF[i] - yf[i]) / rowDiagonal[i] }
            return (yf, y, report)
        } else {
            var yg = reduced.planTransposedTimes(y)
            for j in 0..<m { yg[j] = (rhsG[j] - yg[j]) / columnDiagonal[j] }
            return (y, yg, report)
        }
    }
}
