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
/// Reverse mode folds the value's cotangent into one solve: `xbar = pullback(wbar + vbar c)
/// + vbar partials`.
public struct ProximalDerivative {
    /// `dw/dtheta` from the fixed-point conditions (factorised once).
    public let implicit: ImplicitDerivative
    /// `(df/dtheta_f, dg/dtheta_g)` at fixed `w`.
    public let valuePartials: Vector
    /// `c = grad f(w) + grad_piece g(w)`.
    public let valueDirection: Vector
    /// The differentiability margin at the solution (see ``ProximalOperator``).
    public let margin: Double
    /// The support when the prox Jacobian is a mask.
    public let support: [Int]?

    /// `d<wbar, w> / dtheta + vbar dV/dtheta`.
    public func pullback(w wbar: Vector, value vbar: Double = 0) throws -> (gradient: Vector, report: LinearSolveReport) {
        var cotangent = wbar.materialized(count: implicit.y.count)
        guard cotangent.count == implicit.y.count else {
            throw ProxError.dimensionMismatch("cotangent of length \(wbar.count) for w of length \(implicit.y.count)")
        }
        if vbar != 0 { cotangent.add(valueDirection, scaledBy: vbar) }
        var (gradient, report) = try implicit.pullbackWithReport(cotangent)
        if vbar != 0 { gradient.add(valuePartials, scaledBy: vbar) }
        if implicit.system.factorization is SupportBlockFactorization { report.method = "cholesky" }
        return (gradient, report)
    }

    /// `(dw, dV)` along `dtheta`.
    public func pushforward(_ dtheta: Vector) throws -> (w: Vector, value: Double, report: LinearSolveReport) {
        let t = dtheta.materialized(count: implicit.x.count)
        guard t.count == implicit.x.count else {
            throw ProxError.dimensionMismatch("tangent of length \(dtheta.count) for \(implicit.x.count) parameters")
        }
        var (dw, report) = try implicit.pushforwardWithReport(t)
        let dv = valuePartials.dot(t) + valueDirection.dot(dw)
        if implicit.system.factorization is SupportBlockFactorization { report.method = "cholesky" }
        return (dw, dv, report)
    }

    /// `dw/dtheta` (`n x p`), one factorisation, one multi-right-hand-side solve.
    public func jacobian() throws -> Matrix { try implicit.jacobian() }

    /// `dV/dtheta`.
    public func valueGradient() throws -> Vector { try pullback(w: .zeros(implicit.y.count), value: 1).gradient }
}
