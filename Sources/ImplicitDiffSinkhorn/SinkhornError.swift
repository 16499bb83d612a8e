/// Why an entropic optimal transport problem was rejected or could not be solved.
///
/// Validation errors (everything but ``notConverged(iterations:marginalError:tolerance:)``)
/// are raised by ``SinkhornProblem``'s initialisers, before any work.
public enum SinkhornError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shapes that do not fit (`C` is `n x m` but `a` has `n'` entries, point clouds of
    /// different dimensions, empty measures).
    case dimensionMismatch(String)
    /// NaN or infinity in the named data.
    case nonFinite(String)
    /// A marginal weight is zero or negative. Zero weights are rejected rather than
    /// supported: drop the point instead (its plan row or column would be zero and its
    /// potential undefined, `-inf`).
    case nonPositiveWeight(marginal: String, index: Int, value: Double)
    /// `sum(a)` and `sum(b)` differ by more than `1e-9` relative: no transport plan exists.
    case unequalMasses(Double, Double)
    /// `epsilon` must be positive.
    case nonPositiveEpsilon(Double)
    /// The iteration cap was reached before the marginal error fell below the tolerance.
    case notConverged(iterations: Int, marginalError: Double, tolerance: Double)

    public var description: String {
        switch self {
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite values (NaN or infinity) in \(what)"
        case let .nonPositiveWeight(name, i, v):
            return "marginal '\(name)' must be positive: \(name)[\(i)] = \(v) (zero weights are not supported; drop the point)"
        case let .unequalMasses(sa, sb):
            return "the marginals must have equal mass to 1e-9 relative: sum(a) = \(sa), sum(b) = \(sb)"
        case let .nonPositiveEpsilon(e): return "epsilon must be positive, got \(e)"
        case let .notConverged(it, err, tol):
            return "Sinkhorn did not converge in \(it) iterations: marginal error \(err) > tolerance \(tol)"
        }
    }
}
