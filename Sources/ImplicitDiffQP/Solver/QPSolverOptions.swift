/// Options of the QP solver (``QuadraticProgram/solve(options:)``).
public struct QPSolverOptions: Sendable, Equatable {
    /// Relative KKT tolerance: a solution is accepted when every part of
    /// ``QPKKTResidual`` is at most `tolerance`. Default `1e-10`.
    public var tolerance: Double
    /// Absolute KKT tolerance, when set: a solution must also have every absolute residual
    /// (primal infeasibility, stationarity `||P z + q + A'y + w||_inf`, multiplier sign,
    /// duality gap `|z'Pz + q'z + support|`, counted above its rounding level
    /// ``SparseQPResidual/gapRoundingLevel``) at most this, in the data's own units (the
    /// criterion of OSQP's or PIQP's `eps_abs` with `eps_rel = 0`, e.g. the Maros-Meszaros
    /// benchmark's `1e-9`). The interior point then goes on until both hold (or fails
    /// with ``QPError/notConverged(iterations:residual:)``). Default `nil` (relative only).
    public var absoluteTolerance: Double?
    /// Cap on interior-point iterations. Default 100; exhausting it without a solution
    /// meeting ``tolerance`` throws ``QPError/notConverged(iterations:residual:)``.
    public var maxIterations: Int
    /// Relative threshold of weak activity: inequality `i` is *weakly active* when both
    /// ```
    /// h_i - G_i z    <=  tol * ||G_i||_2 * max(1, ||z||_inf)           (slack ~ 0)
    /// mu_i ||G_i||_2 <=  tol * max(1, ||q||_inf, ||Q z||_inf)           (multiplier ~ 0)
    /// ```
    /// for an interior-point solution; for a polished one the multiplier test is
    /// `mu_i ||G_i||_2 <= max(tol * max(1, max_j mu_j ||G_j||_2), 1e4 eps max(1, ||q||_inf, ||Q z||_inf))`
    /// (relative to the largest multiplier, with a rounding floor), so that an
    /// ill-conditioned `Q` with `||Q z||` far above the multipliers does not hide them.
    /// Both sides are invariant to scaling the row `(G_i, h_i)`. Default `1e-9`.
    public var weakActivityTolerance: Double
    /// Whether to solve the equality-constrained QP on the identified active set
    /// (polish). Default `true`; without it the interior point's own solution (accurate to
    /// ``tolerance``) is returned, the active set is read off `mu_i > slack_i`, and weak
    /// activity is judged with `max(weakActivityTolerance, sqrt(tolerance))` (an interior
    /// point leaves `mu_i` and the slack of a weakly active row both near `sqrt(tolerance)`).
    public var polish: Bool

    /// Options with the given fields (see each property for its meaning and default).
    public init(tolerance: Double = 1e-10, maxIterations: Int = 100, weakActivityTolerance: Double = 1e-9,
                polish: Bool = true, absoluteTolerance: Double? = nil) {
        self.tolerance = tolerance
        self.absoluteTolerance = absoluteTolerance
        self.maxIterations = maxIterations
        self.weakActivityTolerance = weakActivityTolerance
        self.polish = polish
    }

    /// Whether a certificate with these largest relative and absolute residuals is accepted.
    func accepts(relative: Double, absolute: Double) -> Bool {
        relative <= tolerance && (absoluteTolerance.map { absolute <= $0 } ?? true)
    }

    func validate() throws {
        guard tolerance > 0, tolerance.isFinite else { throw QPError.invalidOptions("tolerance must be positive, got \(tolerance)") }
        if let a = absoluteTolerance, !(a > 0 && a.isFinite) {
            throw QPError.invalidOptions("absoluteTolerance must be positive, got \(a)")
        }
        guard maxIterations > 0 else { throw QPError.invalidOptions("maxIterations must be positive, got \(maxIterations)") }
        guard weakActivityTolerance >= 0, weakActivityTolerance.isFinite else {
            throw QPError.invalidOptions("weakActivityTolerance must be non-negative, got \(weakActivityTolerance)")
        }
    }
}
