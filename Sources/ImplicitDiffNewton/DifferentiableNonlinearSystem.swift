import _Differentiation

/// Equations `F(x, y) = 0` written as a differentiable Swift function; Swift's
/// automatic differentiation supplies the derivatives.
///
/// ```swift
/// let system = DifferentiableNonlinearSystem { x, y in y * y * y + y - x }
/// let solution = try NewtonSolver().solve(system, parameters: x, initialGuess: x)
/// ```
///
/// What each product costs (`n` unknowns, one pullback of `F` is `O(cost of F)`):
/// * the dense Jacobian `A = dF/dy` of a Newton step: `n` pullbacks (rows `e_i' A`);
/// * `A' w` and `B' w` (reverse-mode derivatives): one pullback each;
/// * `B dx` (forward mode): the dense `B`, built from `n` pullbacks on first need.
///
/// `F` is always differentiated jointly in `(x, y)`: differentiating a multi-argument
/// differentiable closure with respect to a subset of its arguments is a known
/// wrong-gradient trap of Swift AD. The Jacobian is dense (`Matrix`, LU); systems with
/// structure should conform to ``NonlinearSystem`` with a ``TridiagonalMatrix`` Jacobian.
public struct DifferentiableNonlinearSystem: NonlinearSystem {
    /// `(x, y) -> F(x, y)`.
    public typealias Function = @Sendable @differentiable(reverse) (Vector, Vector) -> Vector

    /// The residual function.
    public let function: Function
    let conditions: DifferentiableConditions<Void>

    /// Equations given by `function`.
    public init(_ function: @escaping Function) {
        self.function = function
        self.conditions = DifferentiableConditions<Void> { x, y, _ in function(x, y) }
    }

    public func residual(x: Vector, y: Vector) -> Vector { function(x, y) }

    /// The dense `A` from `n` pullbacks.
    ///
    /// - Throws: `ImplicitDifferentiationError.dimensionMismatch(_:)` unless `F` has one
    ///   entry per unknown.
    public func jacobian(x: Vector, y: Vector) throws -> Matrix {
        try conditions.linearize(x: x, y: y, byproduct: ()).denseA()
    }

    /// `A' w` by one pullback; `A v` through the dense `A`, built on first need.
    public func jacobianOperator(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        try conditions.linearize(x: x, y: y, byproduct: ()).a
    }

    /// `B' w` by one pullback; `B v` through the dense `B`, built on first need.
    public func parameterJacobian(x: Vector, y: Vector) throws -> any AdjointableLinearOperator {
        try conditions.linearize(x: x, y: y, byproduct: ()).b
    }
}
