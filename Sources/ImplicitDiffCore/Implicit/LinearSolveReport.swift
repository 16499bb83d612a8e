/// What a linear solve of the implicit system did: reported with every derivative.
public struct LinearSolveReport: Sendable, Equatable {
    /// The method that ran: "cholesky", "ldlt", "lu", "factorization" (the conditions'
    /// own), or a Krylov method's name ("cg", "minres", "gmres", "bicgstab", "lsqr").
    public var method: String
    /// Krylov iterations summed over the right-hand sides (0 for direct solves).
    public var iterations: Int
    /// The largest relative residual `||A x - rhs|| / ||rhs||` over the right-hand sides.
    public var relativeResidual: Double

    /// A report with the given fields.
    public init(method: String, iterations: Int = 0, relativeResidual: Double = 0) {
        self.method = method
        self.iterations = iterations
        self.relativeResidual = relativeResidual
    }

    /// Combines the reports of several solves with the same method.
    mutating func merge(_ other: LinearSolveReport) {
        iterations += other.iterations
        relativeResidual = Swift.max(relativeResidual, other.relativeResidual)
    }
}
