/// Why an implicit derivative could not be computed.
public enum ImplicitDifferentiationError: Error, Sendable, CustomStringConvertible {
    /// The solver's output `y` does not satisfy the conditions, so their linearisation
    /// says nothing about the solver. `residual` is the Newton correction
    /// `||A^-1 F(x, y)||_inf` (in the units of `y`, invariant to the scaling of `F`) and
    /// `tolerance` is `residualTolerance * max(1, ||y||_inf)`; when `A` could not be
    /// factorised at `y`, `residual` is `||F(x, y)||_inf` instead (NaN when `F` is not
    /// finite).
    case residualTooLarge(residual: Double, tolerance: Double)
    /// `A = dF/dy` is singular at the solution: `y(x)` is not differentiable there
    /// (or not locally unique). The message says what was detected.
    case singularSystem(String)
    /// The iterative linear solve of the implicit system failed.
    case linearSolveFailed(KrylovError)
    /// The linear solver asked for cannot solve this system (CG or MINRES, or a declared
    /// symmetry, on a non-symmetric `A`); the message says why and what to use.
    case unsuitableLinearSolver(String)
    /// Vectors or operators of the wrong size were given.
    case dimensionMismatch(String)
    /// The solver's output or the derivative contains NaN or infinity.
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .residualTooLarge(r, tol):
            return "the solver's output does not satisfy the optimality conditions: it is about \(r) from their root (the Newton correction ||dF/dy^-1 F(x, y)||_inf, or ||F(x, y)||_inf where dF/dy cannot be factorised) > \(tol) (residualTolerance * max(1, ||y||_inf)); the derivative would be meaningless"
        case let .singularSystem(why): return "the implicit system dF/dy is singular: \(why)"
        case let .linearSolveFailed(e): return "linear solve of the implicit system failed: \(e)"
        case let .unsuitableLinearSolver(why): return "unsuitable linear solver: \(why)"
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite values: \(what)"
        }
    }
}
