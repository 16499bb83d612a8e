/// Why a factorisation or a linear solve failed.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The matrix is singular to working precision (an exactly zero pivot, or a reciprocal
    /// condition number below the threshold).
    case singular(routine: String, reciprocalCondition: Double)
    /// Cholesky met a non-positive pivot: the matrix is not positive definite.
    case notPositiveDefinite(leadingMinor: Int)
    /// Operand shapes do not fit.
    case dimensionMismatch(String)
    /// A LAPACK routine reported an illegal argument or another failure.
    case lapack(routine: String, info: Int)
    /// The input holds NaN or infinity.
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .singular(routine, rcond):
            return "singular matrix (\(routine): reciprocal condition number \(rcond))"
        case let .notPositiveDefinite(k):
            return "matrix is not positive definite (leading minor of order \(k) is not positive)"
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .lapack(routine, info): return "LAPACK \(routine) failed with info = \(info)"
        case let .nonFinite(what): return "non-finite entries in \(what)"
        }
    }
}
