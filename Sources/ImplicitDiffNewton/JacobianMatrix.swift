/// A Jacobian `A = dF/dy` in a storage that Newton's method can factorise: dense
/// (``Matrix``, LU) or tridiagonal (``TridiagonalMatrix``, O(n) LU).
///
/// Newton's method factorises `A` once per iteration; the factorisation at the converged
/// iterate is kept and reused by every implicit derivative (pullback, pushforward,
/// Jacobian), so derivatives never factorise again.
///
/// Besides products (``AdjointableLinearOperator``) a Jacobian gives `|A| v`, the product
/// with the entrywise absolute values, which sizes the rounding floor of the residual:
/// ```
/// |F_i(y)| <= c * ulp * (|A| |y|)_i
/// ```
/// holds when `y` is an exact root of the equations with every term perturbed by a
/// few units in the last place (a componentwise backward error), the best any solver
/// can certify in floating point.
public protocol JacobianMatrix: AdjointableLinearOperator, Sendable {
    /// The factorisation Newton's method reuses for its steps and for the derivative.
    associatedtype Factorized: ConditionEstimatingFactorization

    /// Factorises `A`.
    ///
    /// - Throws: ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` when `A` is
    ///   singular to working precision (reciprocal condition estimate below `n * ulp`),
    ///   ``LinearAlgebraError/nonFinite(_:)`` when an entry is NaN or infinite.
    func factorized() throws -> Factorized

    /// `|A| v`: the product with the matrix of absolute values `|a_ij|`.
    func absoluteProduct(_ v: Vector) -> Vector
}

/// A factorisation that estimates the reciprocal condition number of its matrix (LAPACK
/// `*con`), so that Newton's method can tell a nearly singular Jacobian from other
/// causes of a stalled line search.
public protocol ConditionEstimatingFactorization: Factorization {
    /// Reciprocal condition number estimate, in `[0, 1]`; near 0 for a nearly singular matrix.
    var reciprocalCondition: Double { get }
}

extension LUFactorization: ConditionEstimatingFactorization {}
extension TridiagonalFactorization: ConditionEstimatingFactorization {}
