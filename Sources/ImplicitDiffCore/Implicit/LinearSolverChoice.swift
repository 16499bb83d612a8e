/// Which linear solver computes `A' w = ybar` (reverse mode) and `A dy = -B dx`
/// (forward mode).
public enum LinearSolverChoice: String, Sendable, Equatable, CaseIterable {
    /// A factorisation the conditions already have; otherwise, for conditions that hold
    /// `A` (or can form it cheaply), a dense factorisation (Cholesky / LDL' / LU as the
    /// structure allows) when `n_y <= denseLimit`; for *matrix-free* conditions (known
    /// only through products, such as Swift functions differentiated by Swift AD, where
    /// forming `A` costs `n_y` pullbacks) a dense factorisation only when
    /// `n_y <= matrixFreeDenseLimit` or when many right-hand sides share it (forward mode,
    /// Jacobians); otherwise CG for positive definite, MINRES for symmetric and GMRES for
    /// non-symmetric `A`.
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
    /// Conditions whose `A` is expensive to form compared with its products lower it
    /// for themselves (``ConditionsLinearization/denseLimit``).
    public var denseLimit: Int
    /// Largest `n_y` that `.automatic` solves densely for matrix-free conditions
    /// (``ConditionsLinearization/isMatrixFree``) when one right-hand side is asked
    /// (a pullback): above it, `n_y` pullbacks to form `A` cost more than the Krylov
    /// iterations. Default 32: on the fixed point `y = tanh(W y + u)` (`swift run -c release
    /// CoreBenchmarks`, 2026-12-04) dense and GMRES cost the same (0.04 ms) at `n_y = 16`,
    /// GMRES is 1.4x faster at 32, 5x at 100 and 58x at 1000 (15 ms against 0.88 s).
    /// Forward mode and Jacobians of matrix-free conditions form `A` once and factorise it
    /// whatever `n_y` is.
    public var matrixFreeDenseLimit: Int
    /// Declares `A = dF/dy` symmetric (conditions that cannot say it themselves, such as
    /// a Swift function that is the gradient of an objective): `.automatic` then uses
    /// MINRES or LDL', and `.minres` is allowed. A wrong declaration is detected when a
    /// symmetric method fails (the error says so).
    public var symmetric: Bool
    /// Declares `A` symmetric positive definite (`.automatic` uses CG or Cholesky).
    public var positiveDefinite: Bool
    /// GMRES restart length (Krylov vectors kept). Default 50.
    public var restart: Int
    /// An approximate inverse of `A` for the Krylov methods (`nil`: none).
    public var preconditioner: ImplicitPreconditioner?

    /// Options with the given fields (see each property for its meaning and default).
    public init(linearSolver: LinearSolverChoice = .automatic, linearTolerance: Double = 1e-10,
                linearMaxIterations: Int? = nil, residualTolerance: Double = 1e-6,
                denseLimit: Int = 2000, matrixFreeDenseLimit: Int = 32,
                symmetric: Bool = false, positiveDefinite: Bool = false,
                restart: Int = 50, preconditioner: ImplicitPreconditioner? = nil) {
        self.linearSolver = linearSolver
        self.linearTolerance = linearTolerance
        self.linearMaxIterations = linearMaxIterations
        self.residualTolerance = residualTolerance
        self.denseLimit = denseLimit
        self.matrixFreeDenseLimit = matrixFreeDenseLimit
        self.symmetric = symmetric || positiveDefinite
        self.positiveDefinite = positiveDefinite
        self.restart = restart
        self.preconditioner = preconditioner
    }
}
