/// A Jacobian `A = dF/dy` in a storage that Newton's method can factorise: dense
/// (`Matrix`, row-equilibrated LU) or tridiagonal (``TridiagonalMatrix``, O(n) LU).
///
/// Newton's method factorises `A` once per iteration; the factorisation at the converged
/// iterate is kept and reused by every implicit derivative (pullback, pushforward,
/// Jacobian), so derivatives never factorise again.
///
/// Besides products (`AdjointableLinearOperator`) a Jacobian gives `|A| v`, the product
/// with the entrywise absolute values, which sizes the terms of each equation: the
/// componentwise backward error `max_i |F_i| / (|A| |y|)_i` reported in
/// ``NewtonCertificate/relativeResidual`` (near `ulp` when `F` is rounding noise; not a
/// bound on the error of `y`, which the Newton correction gives).
public protocol JacobianMatrix: AdjointableLinearOperator, Sendable {
    /// The factorisation Newton's method reuses for its steps and for the derivative.
    associatedtype Factorized: ConditionEstimatingFactorization

    /// Factorises `A`, as fast as possible: the condition estimate may be left to
    /// ``ConditionEstimatingFactorization/reciprocalConditionEstimate()`` (Newton's method
    /// needs it only at the root); ``nonsingularFactorization()`` does both.
    ///
    /// - Throws: `LinearAlgebraError.singular(routine:reciprocalCondition:)` at least for
    ///   an exactly zero pivot, `LinearAlgebraError.nonFinite(_:)` when an entry is NaN
    ///   or infinite.
    func factorized() throws -> Factorized

    /// `|A| v`: the product with the matrix of absolute values `|a_ij|`.
    func absoluteProduct(_ v: Vector) -> Vector

    /// The row sums of `|A|`, `|A| 1` (the equilibration weights of Newton's merit).
    func absoluteRowSums() -> Vector
}

extension JacobianMatrix {
    public func absoluteRowSums() -> Vector { absoluteProduct(Vector(repeating: 1, count: columnCount)) }

    /// Factorises `A` and checks its condition: the rule of the core's factorisations.
    ///
    /// - Throws: `LinearAlgebraError.singular(routine:reciprocalCondition:)` when the
    ///   reciprocal condition estimate is below `n * ulp`.
    public func nonsingularFactorization() throws -> Factorized {
        let f = try factorized()
        try f.checkNonsingular()
        return f
    }
}
