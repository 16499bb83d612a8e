/// Why Newton's method (or Newton–Krylov) failed. Every case that happens during the
/// iteration carries the history so far.
public enum NewtonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `A = dF/dy` is singular to working precision at iterate `iteration` (near a fold or
    /// bifurcation, or at a local minimum of `||F||` that is not a root).
    case singularJacobian(iteration: Int, reason: LinearAlgebraError, history: [NewtonIterationRecord])
    /// The line search stalled where the gradient of the merit `f = 1/2 ||W F||^2`,
    /// `g = A'W^2 F`, vanishes while `F` does not: the iterates approach a local minimum of
    /// the residual that is not a root, where `A` is singular (beyond a fold the equations
    /// have no solution at all). `relativeGradient = max_i |g_i| max(|y_i|, 1) / f`
    /// (Dennis and Schnabel's scaled gradient) was below `ulp^(1/3)`.
    case localMinimum(iteration: Int, residualNorm: Double, relativeGradient: Double, history: [NewtonIterationRecord])
    /// The line search found no step length with sufficient decrease of the merit although
    /// the gradient does not vanish: typically the residual is at its rounding level and a
    /// tolerance asks for more, or `F` is not smooth.
    case stagnation(iteration: Int, residualNorm: Double, history: [NewtonIterationRecord])
    /// Near the root the Newton corrections stopped shrinking above the tolerance: the
    /// correction computed at the iterates is rounding noise of `F` amplified by the
    /// condition of `A`, and the requested accuracy is out of reach in double precision
    /// (Bratu at `n = 10^7` with `stepTolerance = 1e-10`). `relativeStep` is the smallest
    /// `max_i |d_i| / max(|y_i|, typicalMagnitude)` met; a looser ``NewtonOptions/stepTolerance``
    /// above it would be reached.
    case toleranceNotReached(iteration: Int, relativeStep: Double, tolerance: Double, history: [NewtonIterationRecord])
    /// `maxIterations` steps were taken without meeting a stopping rule.
    case iterationLimit(iterations: Int, residualNorm: Double, history: [NewtonIterationRecord])
    /// `F` or `A` is NaN or infinite at an iterate (at the initial guess, or where the line
    /// search cannot avoid it).
    case nonFinite(iteration: Int, what: String, history: [NewtonIterationRecord])
    /// The Krylov solve of a Newton–Krylov step failed.
    case linearSolveFailed(iteration: Int, reason: KrylovError, history: [NewtonIterationRecord])
    /// The residual or Jacobian does not have one entry (row) per unknown.
    case dimensionMismatch(String)
    /// An option is out of range.
    case invalidOptions(String)

    /// The iterations performed before the failure (empty for argument errors).
    public var history: [NewtonIterationRecord] {
        switch self {
        case let .singularJacobian(_, _, h), let .stagnation(_, _, h), let .localMinimum(_, _, _, h), let .iterationLimit(_, _, h),
             let .toleranceNotReached(_, _, _, h), let .nonFinite(_, _, h), let .linearSolveFailed(_, _, h):
            return h
        case .dimensionMismatch, .invalidOptions:
            return []
        }
    }

    public var description: String {
        let head: String
        switch self {
        case let .singularJacobian(k, reason, _):
            head = "Newton's method met a singular Jacobian dF/dy at iteration \(k) (\(reason)); the equations may have no solution near the iterates (a fold) or the solution is not locally unique"
        case let .localMinimum(k, r, g, _):
            head = "Newton's method stalled at iteration \(k) near a local minimum of ||F|| that is not a root (||F||_inf = \(r), relative gradient \(g)): the Jacobian dF/dy is singular there and the equations have no solution near the iterates (e.g. beyond a fold)"
        case let .stagnation(k, r, _):
            head = "Newton's method stagnated at iteration \(k): no step decreases ||F|| (||F||_inf = \(r)) although its gradient does not vanish; the residual may be at its rounding level (loosen the tolerance) or F is not smooth"
        case let .toleranceNotReached(k, step, tol, _):
            head = "Newton's method cannot reach the step tolerance \(tol) in double precision: at iteration \(k) the Newton corrections stopped shrinking at a relative size of \(step) per component (rounding noise of F amplified by the conditioning of dF/dy); the iterate is accurate to about \(step), not \(tol); loosen the tolerance above \(step) to accept it"
        case let .iterationLimit(k, r, _):
            head = "Newton's method did not converge in \(k) iterations (||F||_inf = \(r))"
        case let .nonFinite(k, what, _):
            head = "non-finite \(what) at iteration \(k)"
        case let .linearSolveFailed(k, reason, _):
            head = "the Krylov solve of Newton step \(k) failed: \(reason)"
        case let .dimensionMismatch(what):
            return "dimension mismatch: \(what)"
        case let .invalidOptions(what):
            return "invalid Newton options: \(what)"
        }
        let h = history
        if h.isEmpty { return head }
        let shown = h.suffix(6).map { "  \($0)" }.joined(separator: "\n")
        return head + "\nhistory (last \(Swift.min(h.count, 6)) of \(h.count)):\n" + shown
    }
}
