/// The derivative at a solution of a ``ProximalProblem`` of the minimiser `w` and of the
/// optimal value `V = f(w) + g(w)` with respect to `theta = [theta_f, theta_g]`:
/// ```
/// dw = -A^-1 B dtheta                                   (implicit function theorem)
/// dV = (df/dtheta_f, dg/dtheta_g) . dtheta + c' dw,     c = grad f(w) + grad_piece g(w)
/// ```
/// `c` vanishes on the support at an optimum (the envelope theorem), so `dV` is usually
/// just the partial derivatives; the `c' dw` term is kept for constraint sets whose
/// parameters move the solution along active faces (boxes, balls).
///
/// Reverse mode folds the value's cotangent into the same solve:
/// ```
/// A' z = wbar + vbar c,      thetabar = -B' z + vbar (df/dtheta_f, dg/dtheta_g)
/// ```
/// and writes the (possibly `N x n`) parameter gradient in one pass. The linear system is
/// factorised once (or the solver's factorisation is reused) for every call.
public struct ProximalDerivative {
    let solver: FixedPointLinearSolver
    /// `B` (transformed like `A` in the mask case).
    let b: any AdjointableLinearOperator
    /// The number of parameters `p`.
    public let parameterCount: Int
    /// `c = grad f(w) + grad_piece g(w)`.
    public let valueDirection: Vector
    /// The differentiability margin at the solution (see ``ProximalOperator``).
    public let margin: Double
    /// The support when the prox Jacobian is a mask.
    public let support: [Int]?
    let fusedPullback: (Vector, Double) -> Vector
    let partials: () -> Vector

    init(solver: FixedPointLinearSolver, b: any AdjointableLinearOperator, parameterCount: Int, valueDirection: Vector,
         margin: Double, support: [Int]?, fusedPullback: @escaping (Vector, Double) -> Vector,
         partials: @escaping () -> Vector) {
        self.solver = solver
        self.b = b
        self.parameterCount = parameterCount
        self.valueDirection = valueDirection
        self.margin = margin
        self.support = support
        self.fusedPullback = fusedPullback
        self.partials = partials
    }

    /// The linear solver in use: `"cholesky"` (on the support), `"lu"`, or a Krylov method.
    public var method: String { solver.method }

    /// The factorisation in use when the solve is direct (a ``SupportBlockFactorization``
    /// for mask Jacobians), reused by every call.
    public var factorization: (any Factorization)? { solver.factorization }

    /// The number of unknowns `n`.
    public var solutionCount: Int { valueDirection.count }

    /// `(df/dtheta_f, dg/dtheta_g)` at fixed `w`.
    public var valuePartials: Vector { partials() }

    /// `d<wbar, w>/dtheta + vbar dV/dtheta`: one linear solve.
    public func pullback(w wbar: Vector, value vbar: Double = 0) throws -> (gradient: Vector, report: LinearSolveReport) {
        var cotangent = wbar.materialized(count: solutionCount)
        guard cotangent.count == solutionCount else {
            throw ProxError.dimensionMismatch("cotangent of length \(wbar.count) for w of length \(solutionCount)")
        }
        guard vbar.isFinite else { throw ProxError.nonFinite("the value's cotangent") }
        if vbar != 0 { cotangent.add(valueDirection, scaledBy: vbar) }
        if cotangent.maxNorm == 0 {
            let g = vbar == 0 ? Vector.zeros(parameterCount) : vbar * partials()
            return (g, LinearSolveReport(method: method))
        }
        let (z, report) = try solver.solve(cotangent, transposed: true)
        return (fusedPullback(z, vbar), report)
    }

    /// `(dw, dV)` along `dtheta`: one linear solve.
    public func pushforward(_ dtheta: Vector) throws -> (w: Vector, value: Double, report: LinearSolveReport) {
        let t = dtheta.materialized(count: parameterCount)
        guard t.count == parameterCount else {
            throw ProxError.dimensionMismatch("tangent of length \(dtheta.count) for \(parameterCount) parameters")
        }
        if t.maxNorm == 0 { return (.zeros(solutionCount), 0, LinearSolveReport(method: method)) }
        let (dw, report) = try solver.solve(-1.0 * b.apply(t), transposed: false)
        return (dw, partials().dot(t) + valueDirection.dot(dw), report)
    }

    /// `dw/dtheta` (`n x p`): with a factorisation, the dense `B` and one
    /// multi-right-hand-side solve; otherwise `min(n, p)` Krylov solves.
    public func jacobian() throws -> Matrix {
        let n = solutionCount, p = parameterCount
        if solver.factorization != nil {
            let dense = b.rowCount <= b.columnCount ? b.densifiedByRows() : b.densified()
            return -1.0 * (try solver.solve(dense))
        }
        var j = Matrix(rows: n, columns: p)
        if p <= n {
            for k in 0..<p { j.setColumn(k, to: try pushforward(.basis(k, count: p)).w) }
        } else {
            for i in 0..<n {
                let row = try pullback(w: .basis(i, count: n)).gradient
                j.scalars.replaceSubrange((i * p)..<((i + 1) * p), with: row.scalars)
            }
        }
        return j
    }

    /// `dV/dtheta`.
    public func valueGradient() throws -> Vector { try pullback(w: .zeros(solutionCount), value: 1).gradient }
}
