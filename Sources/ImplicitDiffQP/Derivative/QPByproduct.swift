/// What the QP solver hands to its conditions besides `y = [z, lambda, mu]`: the active
/// set and the factorised reduced KKT matrix (so that the derivative does not factorise
/// again), plus the solver's report. Never differentiated.
public struct QPByproduct: Sendable {
    /// The active set at the solution.
    public let activeSet: QPActiveSet
    /// The factorised reduced KKT matrix, when the solver made one.
    public let reducedKKT: QPReducedKKT?
    /// The solver's report.
    public let report: QPSolverReport
}

extension QPSolution {
    /// The byproduct of this solution for ``QPConditions``.
    public var byproduct: QPByproduct { QPByproduct(activeSet: activeSet, reducedKKT: reducedKKT, report: report) }
}
