import ImplicitDiffCore

/// A solved ``SparseQuadraticProgram``: the primal-dual solution, its active set and
/// certificate, and the factorised reduced KKT system the derivatives reuse.
///
/// Signs follow the problem's Lagrangian: `P z + q + A'y + w = 0`, `y_i >= 0` where the
/// upper side of row `i` binds, `<= 0` where the lower side binds, 0 on inactive rows
/// (`w` likewise for the variable bounds).
public struct SparseQPSolution: Sendable {
    /// The problem solved.
    public let problem: SparseQuadraticProgram
    /// The minimiser (`n`).
    public let z: Vector
    /// Row multipliers (`m`).
    public let y: Vector
    /// Bound multipliers (`n`).
    public let w: Vector
    /// The active set the answer was polished on (or read off the interior point).
    public let activeSet: SparseQPActiveSet
    /// Interior-point iterations.
    public let iterations: Int
    /// Whether `(z, y)` solves the reduced KKT system on ``activeSet`` exactly (`true`) or
    /// is the interior point's own iterate.
    public let polished: Bool
    /// Residuals recomputed on the original data at the returned point (checked against
    /// ``QPSolverOptions/tolerance`` before the solution was returned).
    public let certificate: SparseQPResidual
    /// The factorised reduced KKT system on ``activeSet`` (from the polish).
    public let reducedKKT: SparseQPReducedKKT?
    let scaling: SparseQPScaling
    let kktMatrix: SparseQPKKTMatrix
    let symbolic: SparseSymmetricLDL

    /// The objective value `1/2 z'P z + q'z`.
    public var value: Double { problem.objective(at: z) }
}
