/// How the solver reached a ``QPSolution``.
public struct QPSolverReport: Sendable, Equatable {
    /// Interior-point iterations.
    public let iterations: Int
    /// Whether the returned point is the exact solution of the equality-constrained QP on
    /// the active set (`true`), or the interior point's own iterate (`false`: the polish
    /// was disabled or could not be verified).
    public let polished: Bool
    /// Active-set solves tried (including adjustments of the active set).
    public let polishAttempts: Int
    /// The relative KKT residuals of the returned point.
    public let kktResidual: QPKKTResidual
}

/// A solved ``QuadraticProgram``: the primal-dual solution, its active set, and the
/// derivatives of the solution map.
///
/// Outputs follow the Lagrangian `1/2 z'Qz + q'z + lambda'(A z - b) + mu'(G z - h)`:
/// `mu >= 0`, and `mu_i = 0` on inactive inequalities.
public struct QPSolution: Sendable {
    /// The problem solved.
    public let problem: QuadraticProgram
    /// The minimiser (`n`).
    public let z: Vector
    /// Multipliers of `A z = b` (`p`).
    public let lambda: Vector
    /// Multipliers of `G z <= h` (`m`, non-negative).
    public let mu: Vector
    /// The active, weakly active and dependent constraints.
    public let activeSet: QPActiveSet
    /// Iterations, polish and KKT residuals.
    public let report: QPSolverReport
    /// The factorised reduced KKT matrix on ``activeSet``, when it is nonsingular (from the
    /// polish solve: the derivative does not factorise again).
    public let reducedKKT: QPReducedKKT?
    /// The certificate: the relative KKT residuals (``QPKKTResidual``: primal, dual,
    /// complementarity, duality gap) recomputed on the original data at the returned
    /// `(z, lambda, mu)`, independently of the iteration, by
    /// ``QuadraticProgram/solve(options:)``, which throws
    /// ``QPError/uncertified(_:tolerance:)`` instead of returning a point whose largest
    /// residual exceeds ``QPSolverOptions/tolerance``.
    public internal(set) var certificate: QPKKTResidual

    init(problem: QuadraticProgram, z: Vector, lambda: Vector, mu: Vector, activeSet: QPActiveSet,
         report: QPSolverReport, reducedKKT: QPReducedKKT?, certificate: QPKKTResidual? = nil) {
        self.problem = problem
        self.z = z
        self.lambda = lambda
        self.mu = mu
        self.activeSet = activeSet
        self.report = report
        self.reducedKKT = reducedKKT
        self.certificate = certificate ?? report.kktResidual
    }

    /// The objective value `1/2 z'Q z + q'z`.
    public var value: Double { problem.objective(at: z) }

    /// The outputs as one bundle.
    public var outputs: QPOutputs { QPOutputs(z: z, lambda: lambda, mu: mu, value: value) }

    /// `h - G z`.
    public var slack: Vector { problem.h - problem.G * z }

    /// `y = [z, lambda, mu]`.
    public var packed: Vector { Vector(z.scalars + lambda.scalars + mu.scalars) }
}
