/// A solved ``ProximalProblem``: the minimiser, the objective, and their derivatives in
/// the parameters `theta = [theta_f, theta_g]`.
public struct ProximalSolution<Smooth: SmoothObjective, Prox: ProximalOperator>: Sendable {
    /// The problem that was solved.
    public let problem: ProximalProblem<Smooth, Prox>
    /// The solver's report (iterations, step size, residual, polish).
    public let result: ProximalGradientResult

    /// The independent check of ``w`` (``ProximalCertificate``): the solvers only return
    /// solutions whose certificate passed.
    public let certificate: ProximalCertificate

    /// Wraps a solver result for `problem`, with its certificate computed at the default
    /// threshold (`10 *` the default tolerance); most callers get one from
    /// ``ProximalProblem/solve(options:from:)``, which checks it.
    public init(problem: ProximalProblem<Smooth, Prox>, result: ProximalGradientResult) {
        self.init(problem: problem, result: result,
                  certificate: problem.certificate(at: result.solution, stepSize: result.stepSize,
                                                   tolerance: ProximalCertificate.tolerance(for: .init())))
    }

    init(problem: ProximalProblem<Smooth, Prox>, result: ProximalGradientResult, certificate: ProximalCertificate) {
        self.problem = problem
        self.result = result
        self.certificate = certificate
    }

    /// The minimiser `w`.
    public var w: Vector { result.solution }

    /// `f(w) + g(w)`.
    public var value: Double { problem.objective(at: w) }

    /// What the conditions need besides `w`.
    public var byproduct: ProximalGradientByproduct {
        ProximalGradientByproduct(stepSize: result.stepSize, iterations: result.iterations,
                                  factorization: result.factorization)
    }

    /// The derivative of `w` and of the value in `theta`.
    ///
    /// Factorises the restricted system once (or reuses the solver's factorisation); every
    /// pullback, pushforward and Jacobian of the result reuses it.
    ///
    /// - Parameters:
    ///   - options: the implicit linear solve. `.direct`, or `.automatic` when the support
    ///     has at most `denseLimit` coordinates (or the solver's factorisation is at hand):
    ///     Cholesky of `K_S` (LU of the dense `A` for non-mask Jacobians). A Krylov choice, or
    ///     `.automatic` above `denseLimit`: matrix-free on `K_S` (CG by default; symmetric
    ///     positive definite), or GMRES/BiCGStab on the general `A`.
    ///   - complementarityMargin: see ``ProximalGradientConditions``.
    /// - Throws: ``ProxError/notStrictlyComplementary(margin:threshold:detail:)`` at a kink;
    ///   `ImplicitDifferentiationError.singularSystem(_:)` when the restricted Hessian is
    ///   singular (e.g. more active coefficients than observations).
    public func derivative(options: ImplicitOptions = .init(),
                           complementarityMargin: Double = ProximalGradientConditions<Smooth, Prox>.defaultMargin)
        throws -> ProximalDerivative {
        let system = FixedPointSystem(smooth: problem.smooth, prox: problem.prox, w: w, stepSize: result.stepSize)
        try system.checkDifferentiable(threshold: complementarityMargin)
        let choice = options.linearSolver
        let size = system.support?.count ?? w.count
        let cached = system.matching(result.factorization)
        let direct = choice == .direct || (choice == .automatic && (size <= options.denseLimit || cached != nil))
        let lin = try system.linearization(cached: result.factorization, factorize: direct && system.support != nil,
                                           denseLimit: direct ? Int.max : 0)
        let engine: FixedPointLinearSolver.Engine
        if direct {
            var directOptions = options
            directOptions.linearSolver = .direct
            engine = .direct(try ImplicitLinearSystem(lin, options: directOptions))
        } else {
            engine = try FixedPointLinearSolver.krylov(options: options, support: system.support,
                                                       reducedOperator: { system.reducedOperator(system.support ?? []) },
                                                       general: lin)
        }
        return ProximalDerivative(solver: FixedPointLinearSolver(engine: engine, dimension: w.count),
                                  b: lin.b,
                                  parameterCount: problem.smooth.parameterCount + problem.prox.parameters.count,
                                  valueDirection: system.gradient + problem.prox.pieceGradient(at: w),
                                  margin: system.margin, support: system.support,
                                  fusedPullback: { z, vbar in system.parameterPullback(z, valueCotangent: vbar) },
                                  partials: { system.valuePartials })
    }
}
