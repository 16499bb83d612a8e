/// Settings of the LP forward solve (GLPK's simplex) and of the degeneracy tests.
///
/// Every threshold is relative to the natural scale of the quantity it tests, so that
/// scaling a row, the objective or the solution does not change the verdict:
/// ```
/// primal, basic row i:     dist_i <= tol * max(|bounds_i|, sum_j |K_ij x_j|, max_j |K_ij| ||x||_inf)
/// primal, basic column j:  dist_j <= tol * max(|bounds_j|, ||x||_inf)
/// dual, nonbasic column j: |d_j| <= tol * max(|c_j|, sum_i |K_ij pi_i|)
/// dual, nonbasic row i:    |pi_i| * max_j |K_ij| <= tol * ||c||_inf
/// ```
/// where `dist` is the distance to the nearest finite bound, `d = c - K' pi` the reduced
/// costs and `pi` the row duals of the solver's form `min c'x, rowLower <= K x <= rowUpper,
/// columnLower <= x <= columnUpper` (for ``LinearProgram`` the rows are `[A; G]`).
public struct LPOptions: Sendable, Equatable {
    /// Relative threshold of the degeneracy tests above (default `1e-9`): a basic
    /// variable this close to a bound, or a nonbasic reduced cost this close to zero,
    /// makes the vertex degenerate (not differentiable).
    public var degeneracyTolerance: Double
    /// Relative primal and dual infeasibility accepted in the solution recomputed from the
    /// optimal basis (same scales as above; default `1e-9`). GLPK certifies optimality at
    /// its own tolerance (`1e-7`); when the recomputed basic solution misses this one, the
    /// simplex is rerun from that basis with tightened tolerances.
    public var feasibilityTolerance: Double
    /// Threshold of the independent check run on every answer before it is reported as
    /// optimal (``LPCertificate``; default `1e-8`): each of its relative figures (primal and
    /// dual residual, complementarity, duality gap) must be at most this.
    public var certificateTolerance: Double
    /// Simplex iteration cap (`nil`: none).
    public var iterationLimit: Int?
    /// Wall-clock cap of one simplex run in seconds (`nil`: none).
    public var timeLimit: Double?

    /// Options with the given fields (see each property for its meaning and default).
    public init(degeneracyTolerance: Double = 1e-9, feasibilityTolerance: Double = 1e-9,
                certificateTolerance: Double = 1e-8, iterationLimit: Int? = nil, timeLimit: Double? = nil) {
        self.degeneracyTolerance = degeneracyTolerance
        self.feasibilityTolerance = feasibilityTolerance
        self.certificateTolerance = certificateTolerance
        self.iterationLimit = iterationLimit
        self.timeLimit = timeLimit
    }
}
