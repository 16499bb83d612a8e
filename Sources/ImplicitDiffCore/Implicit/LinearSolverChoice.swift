/// Which linear solver computes `A' w = ybar` (reverse mode) and `A dy = -B dx`
/// (forward mode).
public enum LinearSolverChoice: String, Sendable, Equatable, CaseIterable {
    /// A factorisation the conditions already have; otherwise a dense factorisation
    /// (Cholesky / LDL' / LU as the structure allows) when `n_y <= denseLimit`;
    /// otherwise MINRES for symmetric and GMRES for non-symmetric `A`.
    case automatic = "auto"
    /// Dense factorisation (or the conditions' own), reused for every right-hand side.
    case direct
    /// Conjugate gradients: `A` must be symmetric positive definite.
    case cg
    /// MINRES: `A` symmetric, possibly indefinite (KKT systems).
    case minres
    /// Restarted GMRES: any invertible `A`.
    case gmres
    /// BiCGStab: any invertible `A`, short recurrences.
    case bicgstab
    /// LSQR: least-squares solution; tolerates singular or inconsistent systems (use
    /// with care: a singular `A` means the derivative is not unique).
    case lsqr
}

/// How an implicit derivative is computed and checked.
public struct ImplicitOptions: Sendable, Equatable {
    /// The linear solver for the implicit system.
    public var linearSolver: LinearSolverChoice
    /// Stopping rule of iterative solves: `||r|| <= tol * ||rhs||` (and as absolute floor
    /// `tol * 1e-3`). Default `1e-10`.
    public var linearTolerance: Double
    /// Iteration cap of iterative solves (`nil`: the method's default).
    public var linearMaxIterations: Int?
    /// The solver's output is accepted when the Newton correction of the conditions,
    /// `delta = A^-1 F(x, y)` (in the units of `y`, unchanged when `F` is rescaled), has
    /// `||delta||_inf <= residualTolerance * max(1, ||y||_inf)`. Default `1e-6`: a solver
    /// run to ~1e-10 passes easily, one stopped early does not, whatever the units of the
    /// conditions.
    public var residualTolerance: Double
    /// Largest `n_y` that `.automatic` solves by a dense factorisation. Default 2000.
    public var denseLimit: Int

    /// Options with the given fields (see each property for its meaning and default).
    public init(linearSolver: LinearSolverChoice = .automatic, linearTolerance: Double = 1e-10,
                linearMaxIterations: Int? = nil, residualTolerance: Double = 1e-6,
                denseLimit: Int = 2000) {
        self.linearSolver = linearSolver
        self.linearTolerance = linearTolerance
        self.linearMaxIterations = linearMaxIterations
        self.residualTolerance = residualTolerance
        self.denseLimit = denseLimit
    }
}
