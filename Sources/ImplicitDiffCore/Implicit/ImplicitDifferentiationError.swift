/// Why an implicit derivative could not be computed.
public enum ImplicitDifferentiationError: Error, Sendable, CustomStringConvertible {
    /// `||F(x, y)||` at the solver's output is not small: `y` does not satisfy the
    /// conditions, so their linearisation says nothing about the solver.
    case residualTooLarge(residual: Double, tolerance: Double)
    /// `A = dF/dy` is singular at the solution: `y(x)` is not differentiable there
    /// (or not locally unique). The message says what was detected.
    case singularSystem(String)
    /// The iterative linear solve of the implicit system failed.
    case linearSolveFailed(KrylovError)
    /// Vectors or operators of the wrong size were given.
    case dimensionMismatch(String)
    /// The solver's output or the derivative contains NaN or infinity.
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .residualTooLarge(r, tol):
            return "the solver's output does not satisfy the optimality conditions: ||F(x, y)|| = \(r) > \(tol); the derivative would be meaningless"
        case let .singularSystem(why): return "the implicit system dF/dy is singular: \(why)"
        case let .linearSolveFailed(e): return "linear solve of the implicit system failed: \(e)"
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite values: \(what)"
        }
    }
}
