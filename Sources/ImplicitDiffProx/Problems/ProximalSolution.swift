/// A solved ``ProximalProblem``: the minimiser, the objective, and their derivatives in
/// the parameters `theta = [theta_f, theta_g]`.
public struct ProximalSolution<Smooth: SmoothObjective, Prox: ProximalOperator>: Sendable {
    public let problem: ProximalProblem<Smooth, Prox>
    /// The solver's report (iterations, step size, residual, polish).
    public let result: ProximalGradientResult

    public init(problem: ProximalProblem<Smooth, Prox>, result: ProximalGradientResult) {
        self.problem = problem
        self.result = result
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
    ///   - options: the implicit linear solve (`.automatic`/`.direct`: Cholesky on the
    ///     support; a Krylov choice runs matrix-free on the same symmetric positive definite
    ///     system).
    ///   - complementarityMargin: see ``ProximalGradientConditions``.
    /// - Throws: ``ProxError/notStrictlyComplementary(margin:threshold:detail:)`` at a kink;
    ///   ``ImplicitDifferentiationError/singularSystem(_:)`` when the restricted Hessian is
    ///   singular (e.g. more active coefficients than observations).
    public func derivative(options: ImplicitOptions = .init(),
                           complementarityMargin: Double = ProximalGradientConditions<Smooth, Prox>.defaultMargin)
        throws -> ProximalDerivative {
        let system = FixedPointSystem(smooth: problem.smooth, prox: problem.prox, w: w, stepSize: result.stepSize)
        try system.checkDifferentiable(threshold: complementarityMargin)
        let direct = options.linearSolver == .automatic || options.linearSolver == .direct
        let size = system.support?.count ?? w.count
        let lin = try system.linearization(cached: result.factorization,
                                           factorize: direct && (options.linearSolver == .direct || size <= options.denseLimit),
                                           denseLimit: options.denseLimit)
        let linear = try ImplicitLinearSystem(lin, options: options)
        return ProximalDerivative(system: linear,
                                  parameterCount: problem.smooth.parameterCount + problem.prox.parameters.count,
                                  valueDirection: system.gradient + problem.prox.pieceGradient(at: w),
                                  margin: system.margin, support: system.support,
                                  fusedPullback: { z, vbar in system.parameterPullback(z, valueCotangent: vbar) },
                                  partials: { system.valuePartials })
    }
}
