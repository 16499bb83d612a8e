/// A factorisation that estimates the reciprocal condition number of its matrix, so that
/// Newton's method can decide whether the Jacobian at a root is singular to working
/// precision and tell a nearly singular Jacobian from other causes of a stalled line search.
public protocol ConditionEstimatingFactorization: Factorization {
    /// Reciprocal condition number estimate in the 1-norm, in `[0, 1]`; near 0 for a
    /// nearly singular matrix. May cost a few solves when not computed at construction.
    func reciprocalConditionEstimate() -> Double

    /// Below this reciprocal condition number the matrix counts as singular to working
    /// precision: `n * ulp` for dense LU (the core's rule; its `n` covers the growth of
    /// dense elimination's backward error with the order), a small multiple of `ulp`
    /// where that backward error does not grow with `n` (tridiagonal matrices).
    var singularityThreshold: Double { get }
}

extension ConditionEstimatingFactorization {
    /// `n * ulp`, the core's rule for dense factorisations.
    public var singularityThreshold: Double { Double(Swift.max(dimension, 1)) * Double.ulpOfOne }

    /// Throws `LinearAlgebraError.singular(routine:reciprocalCondition:)` when the
    /// reciprocal condition estimate is below ``singularityThreshold``.
    public func checkNonsingular() throws {
        let rcond = reciprocalConditionEstimate()
        guard rcond >= singularityThreshold else {
            throw LinearAlgebraError.singular(routine: "\(Self.self)", reciprocalCondition: rcond)
        }
    }
}

/// Dense LU estimates the condition (`dgecon`) at construction.
extension LUFactorization: ConditionEstimatingFactorization {
    public func reciprocalConditionEstimate() -> Double { reciprocalCondition }
}
