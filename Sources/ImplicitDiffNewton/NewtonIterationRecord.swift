/// One Newton iteration, as kept in the history of a solve (and of a failure).
public struct NewtonIterationRecord: Sendable, Equatable, CustomStringConvertible {
    /// The iteration number, from 0.
    public var iteration: Int
    /// `||F(x, y_k)||_inf` before the step.
    public var residualNorm: Double
    /// `||d_k||_inf` of the full Newton step.
    public var stepNorm: Double
    /// The accepted step length `t` (1 for a full step, 0 when the line search failed).
    public var stepLength: Double
    /// Step-length reductions of the line search.
    public var backtracks: Int
    /// Krylov iterations of the step (Newton–Krylov; 0 for a factorisation).
    public var linearIterations: Int
    /// The forcing term `eta_k` of the step (Newton–Krylov; 0 for a factorisation).
    public var forcingTerm: Double

    /// A record with the given fields.
    public init(iteration: Int, residualNorm: Double, stepNorm: Double, stepLength: Double, backtracks: Int,
                linearIterations: Int = 0, forcingTerm: Double = 0) {
        self.iteration = iteration
        self.residualNorm = residualNorm
        self.stepNorm = stepNorm
        self.stepLength = stepLength
        self.backtracks = backtracks
        self.linearIterations = linearIterations
        self.forcingTerm = forcingTerm
    }

    public var description: String {
        var s = "k=\(iteration) ||F||=\(residualNorm) ||d||=\(stepNorm) t=\(stepLength)"
        if backtracks > 0 { s += " backtracks=\(backtracks)" }
        if linearIterations > 0 { s += " krylov=\(linearIterations) eta=\(forcingTerm)" }
        return s
    }
}
