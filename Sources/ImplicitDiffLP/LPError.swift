/// Why a linear program could not be solved or differentiated.
public enum LPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data are malformed: shapes, non-finite entries, an unsupported model feature
    /// (e.g. an MPS `RANGES` section), or a model file that cannot be read.
    case invalidProblem(String)
    /// No point satisfies the constraints.
    case infeasible(String)
    /// The objective is unbounded below (above, for maximisation) on the feasible set.
    case unbounded(String)
    /// The simplex method (or the smoothing QP's active-set method) stopped without a
    /// certified optimum: iteration or time limit, numerical failure, or a GLPK fault.
    case notConverged(String)
    /// The optimal vertex is degenerate, so the solution is not differentiable there:
    /// see ``LPDegeneracy``. Ask for a smoothed derivative instead
    /// (``LinearProgram/solveRegularized(gamma:startingFrom:options:)``).
    case degenerate(LPDegeneracy)
    /// The solution is not differentiable for another reason (e.g. linearly dependent
    /// active constraints in the smoothed problem).
    case notDifferentiable(String)

    public var description: String {
        switch self {
        case let .invalidProblem(m): return "invalid linear program: \(m)"
        case let .infeasible(m): return "infeasible linear program: \(m)"
        case let .unbounded(m): return "unbounded linear program: \(m)"
        case let .notConverged(m): return "the LP solver did not converge: \(m)"
        case let .degenerate(d): return "not differentiable: \(d)"
        case let .notDifferentiable(m): return "not differentiable: \(m)"
        }
    }
}
