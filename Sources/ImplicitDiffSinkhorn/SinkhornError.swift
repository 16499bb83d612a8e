/// Why an entropic optimal transport problem was rejected or could not be solved.
///
/// Validation errors (``dimensionMismatch(_:)``, ``nonFinite(_:)``,
/// ``nonPositiveWeight(marginal:index:value:)``, ``unequalMasses(_:_:)``,
/// ``nonPositiveEpsilon(_:)``, ``invalidRelaxation(marginal:value:)``, ``costOutOfRange(row:column:value:)``,
/// ``tooLarge(rows:columns:bytes:limit:)``) are raised by ``SinkhornProblem``'s
/// initialisers, before any work and before any `n x m` allocation (`tooLarge` for
/// point clouds by ``SinkhornProblem/solve(options:)``, before it forms the cost). The others are
/// raised by ``SinkhornProblem/solve(options:)``: ``infeasible(_:)`` before iterating,
/// ``notConverged(iterations:marginalError:tolerance:)`` at the iteration cap, and
/// ``certificationFailed(iterations:certificate:tolerance:reason:)`` when the answer the
/// iteration produced fails the independent check (``SinkhornCertificate``). No failed
/// solve returns a solution.
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
    /// `sum(a)` and `sum(b)` differ by more than `1e-9` relative: no transport plan exists
    /// (balanced problems only; with `tau_a < 1` or `tau_b < 1` the masses may differ).
    case unequalMasses(Double, Double)
    /// `epsilon` must be positive.
    case nonPositiveEpsilon(Double)
    /// A marginal relaxation ``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` outside
    /// `(0, 1]` (or not finite); `marginal` is `"tau_a"` or `"tau_b"`.
    case invalidRelaxation(marginal: String, value: Double)
    /// The iteration cap was reached before the marginal error fell below the tolerance.
    case notConverged(iterations: Int, marginalError: Double, tolerance: Double)
    /// A cost entry `C_ij <= -SinkhornProblem.forbiddenCostThreshold`: not a usable cost
    /// in double precision (`f_i + g_j - C_ij` would lose every digit of the other
    /// entries). Large *positive* entries mean forbidden routes and are accepted.
    case costOutOfRange(row: Int, column: Int, value: Double)
    /// The dense `n x m` arrays the solver and one derivative keep
    /// (``SinkhornProblem/denseArrayCount`` of them, 8 bytes per entry) would need `bytes`,
    /// more than ``SinkhornProblem/denseStorageLimit`` (`limit`). Raised before anything
    /// of size `n x m` is allocated.
    case tooLarge(rows: Int, columns: Int, bytes: Int, limit: Int)
    /// The allowed routes (cost entries below ``SinkhornProblem/forbiddenCostThreshold``)
    /// cannot carry the marginals with finite potentials: either no plan on them meets
    /// `P 1 = a`, `P' 1 = b` (a row or column without allowed routes, or a maximum flow
    /// below the mass), or every such plan leaves some allowed route empty (then `log P`
    /// is `-infinity` there and the potentials `f`, `g` do not exist). The message says
    /// which.
    case infeasible(String)
    /// The iteration stopped, but the answer failed the independent check run before it is
    /// returned (``SinkhornCertificate``): a marginal or mass error above the tolerance,
    /// or a plan entry or potential that is negative or not finite. `reason` says what
    /// was found and, when `eps` is below what double precision resolves for the
    /// cost's scale, says so.
    case certificationFailed(iterations: Int, certificate: SinkhornCertificate, tolerance: Double, reason: String)
    /// One of the three transport problems of a ``SinkhornDivergence`` failed: `term` names
    /// it (``SinkhornDivergence/Term``) and `error` is its own failure.
    indirect case divergenceTermFailed(term: SinkhornDivergence.Term, error: SinkhornError)

    public var description: String {
        switch self {
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite values (NaN or infinity) in \(what)"
        case let .nonPositiveWeight(name, i, v):
            return "marginal '\(name)' must be positive: \(name)[\(i)] = \(v) (zero weights are not supported; drop the point)"
        case let .unequalMasses(sa, sb):
            return "the marginals must have equal mass to 1e-9 relative: sum(a) = \(sa), sum(b) = \(sb)"
        case let .nonPositiveEpsilon(e): return "epsilon must be positive, got \(e)"
        case let .invalidRelaxation(name, v):
            return "\(name) must be in (0, 1] (1: the marginal is imposed exactly; below 1: relaxed by rho KL with rho = eps tau / (1 - tau)), got \(v)"
        case let .notConverged(it, err, tol):
            return "Sinkhorn did not converge in \(it) iterations: marginal error \(err) > tolerance \(tol)"
        case let .costOutOfRange(i, j, v):
            return "cost entry C[\(i)][\(j)] = \(v) is below -\(SinkhornProblem.forbiddenCostThresholdText): not representable next to the other costs in double precision (entries >= \(SinkhornProblem.forbiddenCostThresholdText) mean forbidden routes; negative ones must be larger)"
        case let .tooLarge(n, m, bytes, limit):
            return "the problem is too large: n = \(n), m = \(m) needs \(SinkhornProblem.denseArrayCount) dense n x m arrays of Double, \(bytes) bytes, more than the limit of \(limit) bytes (SinkhornProblem.denseStorageLimit)"
        case let .infeasible(what): return "infeasible: \(what)"
        case let .divergenceTermFailed(term, error):
            return "Sinkhorn divergence, \(term): \(error)"
        case let .certificationFailed(it, cert, tol, reason):
            return "Sinkhorn stopped after \(it) iterations but its answer fails the check: row marginal error \(cert.rowMarginalError), column marginal error \(cert.columnMarginalError), mass error \(cert.massError) (tolerance \(tol))\(reason.isEmpty ? "" : "; " + reason)"
        }
    }
}
