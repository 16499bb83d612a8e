/// The outcome of ``NewtonKrylovSolver/solve(_:parameters:initialGuess:)``.
public struct NewtonKrylovSolution: Sendable {
    /// The root `y`.
    public let y: Vector
    /// `F(x, y)` at the root.
    public let residual: Vector
    /// Which stopping rule accepted `y` (residual or step tolerance).
    public let convergence: NewtonConvergence
    /// `max_i |d_i| / max(|y_i|, typicalMagnitude)` for the (inexact, GMRES) Newton
    /// correction `d` computed at the returned `y`; `nil` when an absolute
    /// ``NewtonOptions/residualTolerance`` accepted `y` before a correction was computed.
    public let relativeStep: Double?
    /// One record per Newton step, with its Krylov iterations and forcing term.
    public let history: [NewtonIterationRecord]

    /// Newton steps taken.
    public var iterations: Int { history.count }
    /// GMRES iterations summed over the steps.
    public var linearIterations: Int { history.reduce(0) { $0 + $1.linearIterations } }
    /// `||F(x, y)||_inf`.
    public var residualNorm: Double { residual.maxNorm }

    /// The implicit derivative of `y(x)` at this root (see ``NewtonKrylovConditions``).
    public func derivative<System: MatrixFreeNonlinearSystem>(of system: System, parameters x: Vector,
                                                              options: ImplicitOptions = .init()) throws -> ImplicitDerivative {
        try ImplicitDerivative(conditions: NewtonKrylovConditions(system), x: x, y: y, byproduct: self, options: options)
    }
}
