/// A factorisation that estimates the reciprocal condition number of its matrix, so that
/// Newton's method can decide whether the Jacobian at a root is singular to working
/// precision and tell a nearly singular Jacobian from other causes of a stalled line search.
public protocol ConditionEstimatingFactorization: Factorization {
    /// Reciprocal condition number estimate in the 1-norm, in `[0, 1]`; near 0 for a
    /// nearly singular matrix. May cost a few solves when not computed at construction.
    func reciprocalConditionEstimate() -> Double
}

extension ConditionEstimatingFactorization {
    /// Throws `LinearAlgebraError.singular(routine:reciprocalCondition:)` when the
    /// reciprocal condition estimate is below `n * ulp` (the core's rule).
    public func checkNonsingular() throws {
        let rcond = reciprocalConditionEstimate()
        guard rcond >= Double(Swift.max(dimension, 1)) * Double.ulpOfOne else {
            throw LinearAlgebraError.singular(routine: "\(Self.self)", reciprocalCondition: rcond)
        }
    }
}

/// Dense LU estimates the condition (`dgecon`) at construction.
extension LUFactorization: ConditionEstimatingFactorization {
    public func reciprocalConditionEstimate() -> Double { reciprocalCondition }
}
