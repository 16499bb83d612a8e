/// Why a proximal problem, operator or derivative was rejected.
public enum ProxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter is out of its domain (e.g. a negative `lambda` or radius, an empty group).
    case invalidParameter(String)
    /// Operand sizes do not fit (e.g. `X` has 5 rows but `y` has 4 entries).
    case dimensionMismatch(String)
    /// The data hold NaN or infinity.
    case nonFinite(String)
    /// The solver stopped at its iteration cap with the relative fixed-point residual
    /// above the tolerance.
    case notConverged(iterations: Int, residual: Double, tolerance: Double)
    /// The solver's answer failed its certificate, the independent check on the returned
    /// `w` (``ProximalCertificate``: fixed-point residual and, for l1 penalties, the KKT
    /// conditions, relative): it is not reported as a solution.
    case uncertified(ProximalCertificate)
    /// The solution sits at (or within `threshold` of) a kink of the proximal operator,
    /// e.g. a lasso coefficient at zero whose correlation `|X_j'(y - Xw)|` equals `lambda`:
    /// the solution map is not differentiable there.
    case notStrictlyComplementary(margin: Double, threshold: Double, detail: String)

    public var description: String {
        switch self {
        case let .invalidParameter(what): return "invalid parameter: \(what)"
        case let .dimensionMismatch(what): return "dimension mismatch: \(what)"
        case let .nonFinite(what): return "non-finite values in \(what)"
        case let .notConverged(it, r, tol):
            return "proximal gradient did not converge in \(it) iterations: relative fixed-point residual \(r) > tolerance \(tol)"
        case let .uncertified(c):
            return "the proximal-gradient answer failed its certificate: \(c)"
        case let .notStrictlyComplementary(margin, threshold, detail):
            return "the solution is not differentiable: strict complementarity fails (relative margin \(margin) < \(threshold)): \(detail)"
        }
    }
}
