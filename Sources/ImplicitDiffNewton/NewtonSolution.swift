/// The outcome of ``NewtonSolver/solve(_:parameters:initialGuess:)``: the root, how it
/// was reached, and the factorised Jacobian at the root for the implicit derivative.
///
/// The Jacobian `A = dF/dy` and its factorisation are those **at the returned `y`**:
/// Newton's method factorises at every iterate before testing convergence, so the last
/// factorisation is the one at the root and derivatives reuse it without factorising
/// again (``derivative(of:parameters:options:)``).
public struct NewtonSolution<Jacobian: JacobianMatrix>: Sendable {
    /// The parameters `x` the equations were solved at.
    public let parameters: Vector
    /// The root `y`.
    public let y: Vector
    /// `F(x, y)` at the root.
    public let residual: Vector
    /// Newton steps taken.
    public var iterations: Int { history.count }
    /// Which stopping rule accepted `y`.
    public let convergence: NewtonConvergence
    /// The figures of the check made at the returned `y` (Newton correction and residual
    /// relative to each component's own scale): see ``NewtonCertificate``.
    public let certificate: NewtonCertificate
    /// One record per Newton step.
    public let history: [NewtonIterationRecord]
    /// `A = dF/dy` at `y`.
    public let jacobian: Jacobian
    /// The factorisation of ``jacobian``, or why it failed: a root where `A` is singular
    /// (a fold) is still returned, but it has no implicit derivative.
    public let factorization: Result<Jacobian.Factorized, LinearAlgebraError>

    /// `||F(x, y)||_inf`.
    public var residualNorm: Double { residual.maxNorm }

    /// The implicit derivative of `y(x)` at this root, reusing ``factorization``:
    /// ```
    /// pushforward: dy = -A^-1 B dx      pullback: xbar = -B' A^-T ybar      Jacobian: -A^-1 B
    /// ```
    /// At the solution's own ``parameters`` the root is certified by ``certificate`` (the
    /// Newton correction at `y`, each component against its own magnitude, invariant to
    /// the scaling of the equations) and is not checked again; at any other `x` the core's
    /// residual check applies.
    ///
    /// - Parameters:
    ///   - system: the equations that were solved.
    ///   - x: the parameters they were solved at.
    ///   - options: the linear solver (`.automatic` and `.direct` reuse the factorisation,
    ///     Krylov choices iterate on `A`) and the residual check.
    /// - Throws: `ImplicitDifferentiationError.singularSystem(_:)` when `A` is singular at
    ///   the root; `ImplicitDifferentiationError.residualTooLarge(residual:tolerance:)` when
    ///   `y` does not solve the equations at a different `x`.
    public func derivative<System: NonlinearSystem>(of system: System, parameters x: Vector,
                                                    options: ImplicitOptions = .init()) throws -> ImplicitDerivative
        where System.Jacobian == Jacobian {
        let conditions = NewtonConditions(system)
        guard x == parameters else {
            return try ImplicitDerivative(conditions: conditions, x: x, y: y, byproduct: self, options: options)
        }
        return try ImplicitDerivative(x: x, y: y, linearization: conditions.linearize(x: x, y: y, byproduct: self),
                                      conditionResidual: residualNorm, options: options)
    }
}
