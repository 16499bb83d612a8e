/// Equations `F(x, y) = 0` in `n` unknowns `y` with parameters `x`, known through their
/// residual and products with their derivatives: what Newton–Krylov needs.
///
/// ```
/// A = dF/dy  (n x n),     B = dF/dx  (n x n_x)
/// Newton step:            A d = -F(x, y)
/// implicit derivative:    A dy = -B dx          (forward)
///                         A' w = ybar, xbar = -B' w   (reverse)
/// ```
///
/// Conform a type and implement ``residual(x:y:)`` and ``parameterJacobian(x:y:)``. The
/// default ``jacobianOperator(x:y:)`` differentiates the residual by finite differences
/// (see ``FiniteDifferenceJacobian``); give your own when `A v` and `A' w` are known
/// exactly, which makes derivatives exact rather than accurate to about `sqrt(ulp)`.
/// Types with a dense or tridiagonal Jacobian conform to the refinement
/// ``NonlinearSystem`` instead, and residuals written as differentiable Swift functions
/// use ``DifferentiableNonlinearSystem``.
public protocol MatrixFreeNonlinearSystem: Sendable {
    /// `F(x, y)`, with one entry per unknown. Return NaN (not a trap) where `F` is
    /// undefined: Newton's line search then shortens the step.
    func residual(x: Vector, y: Vector) -> Vector

    /// `A = dF/dy` at `(x, y)` as an operator: `A v` drives Newton–Krylov steps (unless
    /// finite differences are chosen) and forward-mode derivatives, `A' w` reverse mode.
    func jacobianOperator(x: Vector, y: Vector) throws -> any AdjointableLinearOperator

    /// `B = dF/dx` at `(x, y)` as an operator (`B dx` for forward mode, `B' w` for reverse mode).
    func parameterJacobian(x: Vector, y: Vector) throws -> any AdjointableLinearOperator

    /// Throws a descriptive error when `x` is not a valid parameter vector for `n`
    /// unknowns (wrong length, out of the domain). The solvers call it before iterating.
    /// Default: accepts everything.
    func validate(parameters x: Vector, unknowns n: Int) throws
}

extension MatrixFreeNonlinearSystem {
    public func validate(parameters x: Vector, unknowns n: Int) throws {}

    /// Finite-difference `A v` with transposed products from the dense `A`, built once from
    /// `n` differences on first need (see ``FiniteDifferenceJacobian``).
    public func jacobianOperator(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        FiniteDifferenceJacobian(system: self, x: x, y: y)
    }
}
