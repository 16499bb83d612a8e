/// A composite convex problem with parameters,
/// ```
/// w(theta) = argmin_w  f(w; theta_f) + g(w; theta_g),        theta = [theta_f, theta_g]
/// ```
/// solved by ``ProximalGradient`` and differentiated through its fixed-point condition
/// `w = prox_{eta g}(w - eta grad f(w))` (see ``ProximalGradientConditions``), never
/// through the iterations.
///
/// The ready-made problems are instances: ``Lasso``, ``ElasticNetRegression``,
/// ``NonNegativeLeastSquares``, ``GroupLassoRegression``, ``SparseLogisticRegression``.
///
/// ```swift
/// let lasso = try Lasso(design: X, targets: y, lambda: 0.1)
/// let solution = try lasso.solve()
/// let derivative = try solution.derivative()           // checks strict complementarity
/// let (grad, _) = try derivative.pullback(w: wbar)     // d<wbar, w>/d[vec X, y, lambda]
/// ```
public struct ProximalProblem<Smooth: SmoothObjective, Prox: ProximalOperator>: Sendable {
    /// `f(w; theta_f)`.
    public let smooth: Smooth
    /// `g(w; theta_g)`, through its prox.
    public let prox: Prox

    /// - Throws: ``ProxError/dimensionMismatch(_:)`` when `g` does not apply to `f`'s unknowns.
    public init(smooth: Smooth, prox: Prox) throws {
        try prox.validate(dimension: smooth.dimension)
        self.smooth = smooth
        self.prox = prox
    }

    /// The number of unknowns.
    public var dimension: Int { smooth.dimension }

    /// `theta = [theta_f, theta_g]`.
    public var parameters: Vector { smooth.parameters.concatenated(with: prox.parameters) }

    /// Where `theta_f` (the smooth part's parameters, e.g. `[vec(X), y]`) lies in ``parameters``.
    public var smoothParameterRange: Range<Int> { 0..<smooth.parameterCount }

    /// Where `theta_g` (the prox's parameters, e.g. the lasso's `lambda`) lies in ``parameters``.
    public var proxParameterRange: Range<Int> {
        smooth.parameterCount..<(smooth.parameterCount + prox.parameters.count)
    }

    /// The same problem at `theta = [theta_f, theta_g]`.
    public func withParameters(_ parameters: Vector) throws -> ProximalProblem {
        let pf = smooth.parameters.count, pg = prox.parameters.count
        guard parameters.count == pf + pg else {
            throw ProxError.dimensionMismatch("the problem takes \(pf + pg) parameters, got \(parameters.count)")
        }
        return try ProximalProblem(smooth: smooth.withParameters(parameters.slice(0..<pf)),
                                   prox: prox.withParameters(parameters.slice(pf..<(pf + pg))))
    }

    /// `f(w) + g(w)`.
    public func objective(at w: Vector) -> Double { smooth.value(at: w) + prox.value(w) }

    /// Solves by ``ProximalGradient`` and certifies the answer (``ProximalCertificate``).
    ///
    /// - Throws: what ``ProximalGradient/solve(from:)`` throws, and
    ///   ``ProxError/uncertified(_:)`` when the answer fails its certificate.
    public func solve(options: ProximalGradientOptions = .init(), from initialGuess: Vector? = nil) throws
        -> ProximalSolution<Smooth, Prox> {
        let result = try ProximalGradient(smooth: smooth, prox: prox, options: options).solve(from: initialGuess)
        return try certified(result, options: options)
    }

    /// `theta -> w(theta)` as an `ImplicitFunction` of the packed parameters
    /// `[theta_f, theta_g]` (shapes as in this problem), differentiable under Swift AD
    /// through the fixed-point conditions.
    ///
    /// ```swift
    /// let layer = lasso.layer()
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: lasso.parameters) { theta in validationLoss(layer(theta)) }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - solverOptions: the proximal gradient solver's settings.
    ///   - options: the implicit derivative's settings.
    ///   - complementarityMargin: the relative margin of strict complementarity required
    ///     off the support.
    public func layer(solverOptions: ProximalGradientOptions = .init(), options: ImplicitOptions = .init(),
                      complementarityMargin: Double = ProximalGradientConditions<Smooth, Prox>.defaultMargin)
        -> ImplicitFunction<ProximalGradientByproduct> {
        let template = self
        var conditions = ProximalGradientConditions(problem: template)
        conditions.complementarityMargin = complementarityMargin
        return ImplicitFunction(solver: { theta in
            let solution = try template.withParameters(theta).solve(options: solverOptions)
            return (solution.w, solution.byproduct)
        }, conditions: conditions, options: options).withOutputCount { _ in template.dimension }
    }

    /// This problem as a layer in some of its packed parameters `[theta_f, theta_g]` only,
    /// the others fixed at this problem's values: `wrt` are index ranges of
    /// ``parameters`` (increasing, disjoint), and the layer's argument is those entries
    /// concatenated. For the lasso, `wrt: [lasso.proxParameterRange]` is the solution as a
    /// function of `lambda` alone (hyper-parameter tuning).
    ///
    /// ```swift
    /// let path = lasso.layer(wrt: [lasso.proxParameterRange])
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: [lasso.prox.lambda]) { lambda in validationLoss(path(lambda)) }
    /// }
    /// ```
    public func layer(wrt blocks: [Range<Int>], solverOptions: ProximalGradientOptions = .init(),
                      options: ImplicitOptions = .init(),
                      complementarityMargin: Double = ProximalGradientConditions<Smooth, Prox>.defaultMargin)
        -> ImplicitFunction<ProximalGradientByproduct> {
        layer(solverOptions: solverOptions, options: options, complementarityMargin: complementarityMargin)
            .restricted(to: blocks, fixing: parameters)
    }

    @available(*, deprecated, renamed: "layer(solverOptions:options:complementarityMargin:)")
    public func solutionMap(solverOptions: ProximalGradientOptions = .init(), options: ImplicitOptions = .init(),
                            complementarityMargin: Double = ProximalGradientConditions<Smooth, Prox>.defaultMargin)
        -> ImplicitFunction<ProximalGradientByproduct> {
        layer(solverOptions: solverOptions, options: options, complementarityMargin: complementarityMargin)
    }
}
