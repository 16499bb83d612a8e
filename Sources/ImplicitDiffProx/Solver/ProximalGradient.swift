/// Accelerated proximal gradient (FISTA) for
/// ```
/// minimize_w  f(w) + g(w)          (f smooth convex, g convex with a cheap prox)
/// ```
/// iterating, from `y_0 = w_0`, `t_0 = 1`,
/// ```
/// w_{k+1} = prox_{eta g}(y_k - eta grad f(y_k))
/// t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2
/// y_{k+1} = w_{k+1} + (t_k - 1)/t_{k+1} (w_{k+1} - w_k)
/// ```
/// with
/// * **step size** `eta = 1/L`, `L` from the objective's own estimate or a few power
///   iterations on its Hessian, safeguarded by **backtracking**: `eta` shrinks until
///   `(w_{k+1} - y_k)'(grad f(w_{k+1}) - grad f(y_k)) <= ||w_{k+1} - y_k||^2 / eta`, which
///   implies the usual sufficient-decrease inequality and needs no function values (no
///   cancellation near the optimum);
/// * **adaptive restart** (gradient scheme): `t = 1, y = w` whenever
///   `(y_k - w_{k+1})'(w_{k+1} - w_k) > 0`;
/// * **stopping** on the fixed-point residual (gradient mapping)
///   `||w - prox_{eta g}(w - eta grad f(w))|| / eta <= tol * ||grad f(w_0)||`;
/// * a **Newton polish**: once the active pattern of the prox Jacobian (the support, for
///   l1) has been stable for a few iterations, semismooth Newton steps on
///   `F(w) = w - prox(w - eta grad f(w))` restricted to that piece (for the lasso: the
///   restricted normal equations `X_S'X_S w_S = X_S'y - lambda sign(w_S)`) are tried; the
///   result is kept only if its residual meets the tolerance, so it can never make the
///   answer worse. Its factorisation is reused by the derivative.
///
/// For quadratic `f` (``SmoothObjective/isQuadratic``) the gradient at the extrapolated
/// point is the same extrapolation of gradients: one gradient per iteration.
///
/// References: A. Beck and M. Teboulle, SIAM J. Imaging Sci. 2 (2009),
/// doi:10.1137/080716542; B. O'Donoghue and E. Candes, Found. Comput. Math. 15 (2015),
/// doi:10.1007/s10208-013-9150-3.
public struct ProximalGradient<Smooth: SmoothObjective, Prox: ProximalOperator>: Sendable {
    /// The smooth part `f`.
    public let smooth: Smooth
    /// The non-smooth part `g`, through its proximal operator.
    public let prox: Prox
    /// Stopping rules, acceleration, step size and polish settings.
    public var options: ProximalGradientOptions

    /// A solver for `min f + g`.
    public init(smooth: Smooth, prox: Prox, options: ProximalGradientOptions = .init()) {
        self.smooth = smooth
        self.prox = prox
        self.options = options
    }

    /// Runs FISTA from `initialGuess` (zeros when `nil`).
    ///
    /// - Throws: ``ProxError/notConverged(iterations:residual:tolerance:)`` at the
    ///   iteration cap, ``ProxError/nonFinite(_:)`` when the iterates blow up,
    ///   ``ProxError/invalidParameter(_:)`` for bad options.
    public func solve(from initialGuess: Vector? = nil) throws -> ProximalGradientResult {
        try options.validate()
        let n = smooth.dimension
        try prox.validate(dimension: n)
        let w0 = initialGuess?.materialized(count: n) ?? .zeros(n)
        guard w0.count == n else { throw ProxError.dimensionMismatch("initial guess of length \(w0.count) for \(n) unknowns") }
        guard w0.isFinite else { throw ProxError.nonFinite("the initial guess") }

        var smooth = self.smooth
        let switchAt = smooth.precomputationBreakEven
        var w = w0
        var gw = smooth.gradient(at: w)
        guard gw.isFinite else { throw ProxError.nonFinite("the gradient at the initial guess") }
        let start = options.residualScale ?? gw.norm
        let scale = start > 0 ? start : 1
        let threshold = options.tolerance * scale
        var eta = try initialStepSize(smooth, at: w)

        var y = w, gy = gw, t = 1.0
        var backtracks = 0, restarts = 0, newtonSteps = 0
        var pattern: [Bool] = [], stable = 0, lastAttempt: (pattern: [Bool], iteration: Int)?
        var lastResidual = Double.infinity

        for iteration in 1...options.maxIterations {
            if iteration == switchAt { smooth = smooth.precomputed() }
            // Proximal step from y with backtracking on the curvature along the step.
            var wn: Vector, gwn: Vector
            while true {
                var v = y
                v.add(gy, scaledBy: -eta)
                wn = prox.prox(v, stepSize: eta)
                gwn = smooth.gradient(at: wn)
                let d = wn - y
                let dd = d.squaredNorm()
                let curvature = d.dot(gwn - gy)
                let slack = 1e-12 * d.norm * (gwn.norm + gy.norm)
                if dd == 0 || curvature <= dd / eta + slack || !curvature.isFinite { break }
                eta *= options.backtrackingFactor
                backtracks += 1
            }
            guard wn.isFinite, gwn.isFinite else { throw ProxError.nonFinite("the proximal-gradient iterates (step \(eta))") }

            // Fixed-point residual at the new point.
            var u = wn
            u.add(gwn, scaledBy: -eta)
            let residual = (wn - prox.prox(u, stepSize: eta)).norm / eta
            lastResidual = residual
            SolverProgress.report("proximal gradient", iteration: iteration, residual: residual / scale)
            if residual <= threshold {
                return ProximalGradientResult(solution: wn, stepSize: eta, iterations: iteration, backtracks: backtracks,
                                              restarts: restarts, newtonSteps: newtonSteps, polished: false,
                                              relativeResidual: residual / scale, factorization: nil)
            }

            // Newton polish once the active pattern has settled.
            if options.polish {
                let current = Self.pattern(prox.jacobian(at: u, stepSize: eta))
                stable = current == pattern ? stable + 1 : 0
                pattern = current
                let fresh = lastAttempt.map { $0.pattern != current || iteration - $0.iteration >= 50 } ?? true
                if stable >= options.polishPatience, fresh {
                    lastAttempt = (current, iteration)
                    let attempt = polish(smooth, from: wn, stepSize: eta, threshold: threshold)
                    newtonSteps += attempt.steps
                    if let (solution, residual, factorization) = attempt.result {
                        return ProximalGradientResult(solution: solution, stepSize: eta, iterations: iteration,
                                                      backtracks: backtracks, restarts: restarts, newtonSteps: newtonSteps,
                                                      polished: true, relativeResidual: residual / scale,
                                                      factorization: factorization)
                    }
                }
            }

            // Momentum with adaptive restart.
            if !options.acceleration {
                y = wn
                gy = gwn
            } else if options.adaptiveRestart && (y - wn).dot(wn - w) > 0 {
                t = 1
                y = wn
                gy = gwn
                restarts += 1
            } else {
                let tn = (1 + (1 + 4 * t * t).squareRoot()) / 2
                let beta = (t - 1) / tn
                y = wn
                y.add(wn - w, scaledBy: beta)
                if smooth.isQuadratic {
                    gy = gwn
                    gy.add(gwn - gw, scaledBy: beta)
                } else {
                    gy = smooth.gradient(at: y)
                }
                t = tn
            }
            w = wn
            gw = gwn
        }
        throw ProxError.notConverged(iterations: options.maxIterations, residual: lastResidual / scale,
                                     tolerance: options.tolerance)
    }

    /// `1/L`, or the user's step.
    func initialStepSize(_ smooth: Smooth, at w: Vector) throws -> Double {
        if let s = options.stepSize { return s }
        let l = smooth.lipschitzEstimate() ?? smooth.powerIteration(at: w, iterations: options.powerIterations)
        guard l.isFinite else { throw ProxError.nonFinite("the Lipschitz estimate of the gradient") }
        return l > 0 ? 1 / l : 1
    }

    /// The active pattern of a prox Jacobian: its nonzero diagonal and low-rank structure.
    static func pattern(_ j: ProxJacobian) -> [Bool] {
        j.diagonal.scalars.map { $0 != 0 } + Array(repeating: true, count: j.factor.columns)
    }

    /// Semismooth Newton steps from `w`; the polished point, its residual and reusable
    /// factorisation when the residual meets `threshold`.
    func polish(_ smooth: Smooth, from start: Vector, stepSize eta: Double, threshold: Double)
        -> (result: (Vector, Double, SupportBlockFactorization?)?, steps: Int) {
        var w = start
        var system = FixedPointSystem(smooth: smooth, prox: prox, w: w, stepSize: eta)
        var previous = system.residualNorm
        var cached: SupportBlockFactorization?
        var steps = 0
        while steps < options.maxNewtonSteps {
            if system.support == nil && smooth.dimension > options.denseNewtonLimit { return (nil, steps) }
            guard let (step, factorization) = try? system.newtonStep(reusing: smooth.isQuadratic ? cached : nil) else {
                return (nil, steps)
            }
            steps += 1
            cached = factorization
            let candidate = w + step
            guard candidate.isFinite else { return (nil, steps) }
            let next = FixedPointSystem(smooth: smooth, prox: prox, w: candidate, stepSize: eta)
            let residual = next.residualNorm
            if residual <= threshold {
                let valid = smooth.isQuadratic ? next.matching(cached) : nil
                return ((candidate, residual, valid), steps)
            }
            guard residual < 0.5 * previous else { return (nil, steps) }
            previous = residual
            w = candidate
            system = next
        }
        return (nil, steps)
    }
}
