/// Equations `F(x, y) = 0` in `n` unknowns `y` with parameters `x` whose Jacobian
/// `A = dF/dy` is available as a matrix that Newton's method factorises: dense
/// (`Matrix`) or tridiagonal (``TridiagonalMatrix``).
///
/// ```
/// A = dF/dy  (n x n, factorised once per Newton iteration)
/// B = dF/dx  (n x n_x, as an operator)
/// ```
/// ``NewtonSolver`` keeps the factorisation of `A` at the converged `y` and the implicit
/// derivative reuses it: `dy = -A^-1 B dx`, `xbar = -B' A^-T ybar`, with no new
/// factorisation.
///
/// ```swift
/// struct Cubic: NonlinearSystem {            // y_i^3 + y_i - x_i = 0
///     func residual(x: Vector, y: Vector) -> Vector { y * y * y + y - x }
///     func jacobian(x: Vector, y: Vector) -> TridiagonalMatrix {
///         TridiagonalMatrix(diagonal: y.scalars.map { 3 * $0 * $0 + 1 })
///     }
///     func parameterJacobian(x: Vector, y: Vector) -> any AdjointableLinearOperator {
///         FunctionOperator(rows: y.count, columns: x.count, apply: { -$0 }, applyTransposed: { -$0 })
///     }
/// }
/// ```
public protocol NonlinearSystem: MatrixFreeNonlinearSystem {
    /// The storage of `A`: `Matrix` (LU) or ``TridiagonalMatrix`` (O(n) LU).
    associatedtype Jacobian: JacobianMatrix

    /// `A = dF/dy` at `(x, y)`, `n x n`.
    func jacobian(x: Vector, y: Vector) throws -> Jacobian

    /// `F(x, y)` and, when it costs little more together (Bratu: `exp(y)` once for both),
    /// `A = dF/dy` at the same point; `nil` leaves the Jacobian to ``jacobian(x:y:)``,
    /// which Newton's method then calls only at accepted iterates (the default).
    func residualAndJacobian(x: Vector, y: Vector) -> (residual: Vector, jacobian: Jacobian?)
}

extension NonlinearSystem {
    public func residualAndJacobian(x: Vector, y: Vector) -> (residual: Vector, jacobian: Jacobian?) {
        (residual(x: x, y: y), nil)
    }

    /// The Jacobian itself: exact products, `O(n)` for tridiagonal storage.
    public func jacobianOperator(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        try jacobian(x: x, y: y)
    }
}
