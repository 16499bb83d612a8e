/// Why a quadratic program was rejected, could not be solved, or could not be
/// differentiated.
///
/// The cases map one to one onto the command-line contract: the data errors
/// (``dimensionMismatch(_:)``, ``nonFinite(_:)``, ``nonSymmetric(asymmetry:relative:)``,
/// ``invalidOptions(_:)``) are `invalid_input`; ``infeasible(_:)``,
/// ``unbounded(_:)``, ``nonConvex(_:)``, ``notConverged(iterations:residual:)`` and
/// ``uncertified(_:tolerance:)`` are failures of the forward problem; ``notDifferentiable(_:)`` is a derivative requested
/// where the solution map has no derivative.
public enum QPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Operand shapes do not fit (e.g. `Q` is 3 x 3 but `q` has 4 entries).
    case dimensionMismatch(String)
    /// The data holds NaN or infinity.
    case nonFinite(String)
    /// `Q` is not symmetric: `max |Q_ij - Q_ji| = asymmetry`, which is `relative` times
    /// `max |Q_ij|` (the tolerance is ``QuadraticProgram/symmetryTolerance``).
    case nonSymmetric(asymmetry: Double, relative: Double)
    /// `Q` has a negative eigenvalue, detected by the solver (Cholesky of `Q + delta I`
    /// fails with `delta` a small multiple of `max |Q_ij|`).
    case nonConvex(String)
    /// No point satisfies `A z = b, G z <= h`; the message says what certifies it.
    case infeasible(String)
    /// The objective is unbounded below on the feasible set; the message says along which
    /// certificate.
    case unbounded(String)
    /// The iteration cap was reached before the KKT residual fell below the tolerance.
    case notConverged(iterations: Int, residual: Double)
    /// The answer the solver produced failed the independent check on the original data
    /// (``QPKKTResidual``, recomputed on the returned point): some relative residual is
    /// above `tolerance`. Never reported as a solution.
    case uncertified(QPKKTResidual, tolerance: Double)
    /// A derivative was requested where the solution map is not differentiable (weakly
    /// active constraint, linearly dependent active constraints, non-unique solution);
    /// the message says which constraint.
    case notDifferentiable(String)
    /// An option is out of range.
    case invalidOptions(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite entries in \(what)"
        case let .nonSymmetric(asym, rel):
            return "Q is not symmetric: max |Q_ij - Q_ji| = \(asym) (\(rel) relative to max |Q_ij|, tolerance \(QuadraticProgram.symmetryTolerance))"
        case let .nonConvex(why): return "the problem is not convex: \(why)"
        case let .infeasible(why): return "the QP is infeasible: \(why)"
        case let .unbounded(why): return "the QP is unbounded: \(why)"
        case let .notConverged(it, r):
            return "the QP solver did not converge in \(it) iterations (KKT residual \(r))"
        case let .uncertified(r, tol):
            return "the QP solver's answer failed its certificate (relative residuals on the original data above \(tol)): primal \(r.primal) (equality \(r.equality), inequality \(r.inequality)), dual \(r.dual) (stationarity \(r.stationarity), sign \(r.dualSign)), complementarity \(r.complementarity), gap \(r.gap)"
        case let .notDifferentiable(why): return "the QP solution is not differentiable: \(why)"
        case let .invalidOptions(why): return "invalid QP solver options: \(why)"
        }
    }
}
