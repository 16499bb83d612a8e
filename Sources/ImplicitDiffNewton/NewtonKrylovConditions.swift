/// The conditions `F(x, y) = 0` of a ``MatrixFreeNonlinearSystem`` as
/// `ImplicitConditions`, for roots found by ``NewtonKrylovSolver``:
/// ```
/// A = dF/dy  (the system's jacobianOperator at the root)
/// B = dF/dx  (the system's parameterJacobian at the root)
/// ```
/// Which linear solver runs is the `ImplicitOptions`' choice: `.automatic` iterates
/// (GMRES) above `denseLimit` unknowns and factorises below it. When the operator is a
/// ``JacobianMatrix`` (a ``NonlinearSystem`` solved matrix-free) its own factorisation
/// (`O(n)` for tridiagonal storage) is offered instead of a dense one.
public struct NewtonKrylovConditions<System: MatrixFreeNonlinearSystem>: ImplicitConditions {
    public typealias Byproduct = NewtonKrylovSolution

    /// The equations.
    public let system: System

    /// The conditions of `system`.
    public init(_ system: System) { self.system = system }

    public func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        system.residual(x: x, y: y)
    }

    public func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization {
        let a = try system.jacobianOperator(x: x, y: y)
        let b = try system.parameterJacobian(x: x, y: y)
        var factorization: (any Factorization)?
        if let structured = a as? any JacobianMatrix {
            do {
                factorization = try structured.nonsingularFactorization()
            } catch let e as LinearAlgebraError {
                throw ImplicitDifferentiationError.singularSystem(
                    "dF/dy is singular at the root (\(e)): y(x) is not differentiable there (a fold or bifurcation point)")
            }
        }
        return ConditionsLinearization(a: a, b: b, factorizedA: factorization)
    }
}
