/// Settings of ``ProximalGradient``.
public struct ProximalGradientOptions: Sendable, Equatable {
    /// Stop when the gradient mapping `||w - prox_{eta g}(w - eta grad f(w))|| / eta` is at
    /// most `tolerance * max(||grad f(w_0)||, tiny)` (relative to the gradient at the start).
    /// Default `1e-10`.
    public var tolerance: Double
    /// Proximal-gradient iterations before ``ProxError/notConverged(iterations:residual:tolerance:)``.
    /// Default 20 000.
    public var maxIterations: Int
    /// Nesterov/FISTA extrapolation (Beck & Teboulle 2009). Default on.
    public var acceleration: Bool
    /// Gradient-based adaptive restart of the momentum (O'Donoghue & Candes 2015). Default on.
    public var adaptiveRestart: Bool
    /// The initial step `eta` (`nil`: `1/L` with `L` from ``SmoothObjective/lipschitzEstimate()``
    /// or from ``powerIterations`` power iterations on the Hessian).
    public var stepSize: Double?
    /// Power iterations for the Lipschitz estimate. Default 5: the estimate converges from
    /// below, and an underestimate only costs a few backtracking steps (each one gradient),
    /// while every power iteration costs a Hessian product.
    public var powerIterations: Int
    /// Factor applied to `eta` when the sufficient-decrease test fails. Default 0.5.
    public var backtrackingFactor: Double
    /// Semismooth Newton polish on the identified active piece (support), kept only when
    /// it meets the tolerance. Default on.
    public var polish: Bool
    /// Iterations with an unchanged active pattern before a polish is tried. Default 3.
    public var polishPatience: Int
    /// Newton steps per polish attempt. Default 8 (one suffices when `f` is quadratic and
    /// the prox piecewise affine).
    public var maxNewtonSteps: Int
    /// Largest dimension for which a polish with a non-diagonal prox Jacobian (group lasso,
    /// simplex) forms and factorises the dense `n x n` fixed-point Jacobian. Default 1500.
    public var denseNewtonLimit: Int
    /// The scale of the stopping test (`nil`: `||grad f(w_0)||` at the initial guess). A
    /// warm-started solve sets it to the cold start's `||grad f(0)||`, so that its
    /// stopping test means the same as a solve from zero.
    public var residualScale: Double?

    /// Options with the given fields (see each property for its meaning and default).
    public init(tolerance: Double = 1e-10, maxIterations: Int = 20_000, acceleration: Bool = true,
                adaptiveRestart: Bool = true, stepSize: Double? = nil, powerIterations: Int = 5,
                backtrackingFactor: Double = 0.5, polish: Bool = true, polishPatience: Int = 3,
                maxNewtonSteps: Int = 8, denseNewtonLimit: Int = 1500, residualScale: Double? = nil) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.acceleration = acceleration
        self.adaptiveRestart = adaptiveRestart
        self.stepSize = stepSize
        self.powerIterations = powerIterations
        self.backtrackingFactor = backtrackingFactor
        self.polish = polish
        self.polishPatience = polishPatience
        self.maxNewtonSteps = maxNewtonSteps
        self.denseNewtonLimit = denseNewtonLimit
        self.residualScale = residualScale
    }

    /// Throws ``ProxError/invalidParameter(_:)`` for non-positive tolerances, caps or steps.
    func validate() throws {
        guard tolerance > 0, tolerance.isFinite else { throw ProxError.invalidParameter("tolerance must be positive, got \(tolerance)") }
        guard maxIterations > 0 else { throw ProxError.invalidParameter("maxIterations must be positive, got \(maxIterations)") }
        if let s = stepSize, !(s > 0 && s.isFinite) { throw ProxError.invalidParameter("stepSize must be positive, got \(s)") }
        if let s = residualScale, !(s >= 0 && s.isFinite) {
            throw ProxError.invalidParameter("residualScale must be non-negative and finite, got \(s)")
        }
        guard backtrackingFactor > 0, backtrackingFactor < 1 else {
            throw ProxError.invalidParameter("backtrackingFactor must lie in (0, 1), got \(backtrackingFactor)")
        }
    }
}
