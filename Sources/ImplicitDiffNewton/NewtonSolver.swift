/// Damped Newton's method for `F(x, y) = 0` in `y`, with a factorised Jacobian (dense LU
/// or tridiagonal `O(n)` LU) and an Armijo backtracking line search on `1/2 ||W F||^2`,
/// `W = diag(1 / sum_j |a_ij|)` (equations equilibrated, so their units do not matter).
///
/// ```
/// repeat:  A_k = dF/dy(x, y_k)  factorised;   d_k = -A_k^-1 F(x, y_k)
///          rho_k = max_i |d_k,i| / max(|y_k,i|, typ)         (each component on its own scale)
///          stop if rho_k <= stepTolerance and y_k is the result of such a full step
///          y_(k+1) = y_k + t_k d_k,   t_k = 1 when rho_k <= 1e-3, else from backtracking
/// ```
/// Convergence is decided **at the returned iterate itself**: the correction `d_k` that
/// certifies `y_k` is computed from `F(x, y_k)` and the factorisation of `A` at `y_k`, so
/// the returned ``NewtonSolution`` carries that factorisation (the implicit derivative,
/// ``NewtonSolution/derivative(of:parameters:options:)``,
/// ``layer(for:initialGuess:options:)``, reuses it and never factorises again)
/// and the figures of the check (``NewtonSolution/certificate``). When a correction first
/// passes while `F` is still above its rounding level (`|F_i| > 8 ulp (|A| |y|)_i` for some
/// `i`), the full step is taken (its error is `O(|d|^2)`) and the new iterate must pass
/// again; when `F` is already rounding noise the iterate is returned at once (another step
/// would only add noise). Either way roots come to about the rounding level, each
/// certified at the point returned; the check costs one solve per solve.
///
/// Mathematical properties: quadratic convergence near a root where `A` is nonsingular
/// and Lipschitz; every damped step decreases the (equilibrated) residual sufficiently, so
/// from a poor start the iterates reach a root or approach a point where `A` is singular,
/// which is reported (``NewtonError/singularJacobian(iteration:reason:history:)``,
/// ``NewtonError/localMinimum(iteration:residualNorm:relativeGradient:history:)``), never
/// returned as a root. The convergence test is invariant to the scaling of individual
/// equations and (with `typicalMagnitude = 0`) of individual unknowns. Where the tolerance
/// is below what double precision resolves for the problem, the corrections stall above it
/// and the solve throws ``NewtonError/toleranceNotReached(iteration:relativeStep:tolerance:history:)``
/// with the figures.
///
/// Failures are typed ``NewtonError``s with the iteration history: singular Jacobian,
/// a local minimum of `||F||` that is not a root (where the Jacobian is singular: what
/// Newton meets beyond a fold), stagnation of the line search, unreachable tolerance,
/// iteration cap, non-finite values.
///
/// Reference: J. E. Dennis and R. B. Schnabel, *Numerical Methods for Unconstrained
/// Optimization and Nonlinear Equations*, SIAM 1996, doi:10.1137/1.9781611971200, ch. 6-7.
public struct NewtonSolver: Sendable {
    /// Stopping rules and line-search parameters.
    public var options: NewtonOptions

    /// A solver with the given options.
    public init(options: NewtonOptions = .init()) { self.options = options }

    /// Solves `F(x, y) = 0` for `y`, starting from `initialGuess`.
    ///
    /// - Parameters:
    ///   - system: the equations.
    ///   - x: the parameters (held fixed).
    ///   - initialGuess: `y_0`; Newton converges to the root whose basin contains it.
    /// - Returns: the root with the factorised Jacobian there, the certificate and the history.
    /// - Throws: ``NewtonError``; errors thrown by the system's `jacobian` pass through.
    public func solve<System: NonlinearSystem>(_ system: System, parameters x: Vector,
                                               initialGuess: Vector) throws -> NewtonSolution<System.Jacobian> {
        try options.validate()
        let n = initialGuess.count
        try system.validate(parameters: x, unknowns: n)
        var y = initialGuess
        // F and, for systems that compute it alongside (one exp(y) for both), the Jacobian
        // at the next iterate: `pending` is consumed at the top of the loop.
        var (f, pending) = system.residualAndJacobian(x: x, y: y)
        guard f.count == n else {
            throw NewtonError.dimensionMismatch("the residual has \(f.count) entries for \(n) unknowns")
        }
        var history: [NewtonIterationRecord] = []
        guard y.isFinite, f.isFinite else {
            throw NewtonError.nonFinite(iteration: 0, what: y.isFinite ? "residual F at the initial guess" : "initial guess", history: [])
        }
        let lineSearch = ArmijoBacktracking(sufficientDecrease: options.sufficientDecrease,
                                            maxBacktracks: options.maxBacktracks)
        let tolerance = options.stepTolerance, typ = options.typicalMagnitude
        // y is the result of a full step whose correction passed the step test.
        var lastStepWasSmall = false
        // The relative step of the previous full step taken in the local region (nil when
        // the previous step was damped or outside it), and the consecutive full steps
        // there that failed to halve it.
        var previousLocalStep: Double?
        var stalls = 0
        // Norms are computed once per new iterate and reused by every test below.
        var yNorm = y.fastMaxNorm, fNorm = f.fastMaxNorm
        for k in 0... {
            let a: System.Jacobian
            if let p = pending { a = p; pending = nil } else { a = try system.jacobian(x: x, y: y) }
            guard a.rowCount == n, a.columnCount == n else {
                throw NewtonError.dimensionMismatch("the Jacobian is \(a.rowCount) x \(a.columnCount) for \(n) unknowns")
            }
            let factorization: Result<System.Jacobian.Factorized, LinearAlgebraError>
            do { factorization = .success(try a.factorized()) } catch let e as LinearAlgebraError {
                factorization = .failure(e)
            }
            if case .failure(.nonFinite) = factorization {
                throw NewtonError.nonFinite(iteration: k, what: "Jacobian dF/dy", history: history)
            }
            // The correction at y: the step to take, and the certificate of y.
            var d: Vector?
            var dNorm = Double.nan
            if case let .success(lu) = factorization {
                var step = lu.solve(f)
                step.scale(by: -1)
                guard let norm = step.finiteMaxNorm else {
                    throw NewtonError.singularJacobian(iteration: k, reason: .nonFinite("the Newton step"), history: history)
                }
                d = step
                dNorm = norm
            }
            // rho = max_i |d_i| / max(|y_i|, typ), computed only near the root:
            // max_i |d_i| > c max(||y||, typ) implies rho > c.
            var rho = Double.infinity
            if let d, dNorm <= NewtonOptions.localRegion * Swift.max(yNorm, typ) {
                rho = NewtonCertificate.relativeStep(d, y: y, typicalMagnitude: typ)
            }
            SolverProgress.report("newton", iteration: k, residual: fNorm)
            if fNorm <= options.residualTolerance {
                return accept(y: y, residual: f, jacobian: a, factorization: factorization,
                              relativeStep: d.map { rho < .infinity ? rho : NewtonCertificate.relativeStep($0, y: y, typicalMagnitude: typ) },
                              relativeResidual: nil, convergence: .residualTolerance, x: x, history: history)
            }
            if rho <= tolerance {
                // y is certified. Return it when another step cannot improve it: it is the
                // result of such a step (error O(|d|^2)), or F is already rounding noise
                // (|F_i| <= 8 ulp (|A| |y|)_i for every i: the next correction would be
                // noise too). Otherwise take the full step and certify its result.
                let relativeResidual = NewtonCertificate.relativeResidual(f, jacobian: a, y: y)
                if lastStepWasSmall || k == options.maxIterations
                    || relativeResidual <= NewtonOptions.roundingFloorFactor * Double.ulpOfOne {
                    return accept(y: y, residual: f, jacobian: a, factorization: factorization, relativeStep: rho,
                                  relativeResidual: relativeResidual, convergence: .stepTolerance, x: x, history: history)
                }
            }
            let lu: System.Jacobian.Factorized
            switch factorization {
            case let .success(value): lu = value
            case let .failure(reason): throw NewtonError.singularJacobian(iteration: k, reason: reason, history: history)
            }
            guard let d else { fatalError("unreachable: a step exists when the factorisation does") }
            // Near the root, corrections that no longer shrink are rounding noise: the
            // tolerance is out of reach.
            if let previous = previousLocalStep, rho <= NewtonOptions.localRegion {
                stalls = rho > 0.5 * previous ? stalls + 1 : 0
                if stalls >= NewtonOptions.stallLimit {
                    history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 0, backtracks: 0))
                    throw NewtonError.toleranceNotReached(iteration: k, relativeStep: Swift.max(previous, rho),
                                                          tolerance: tolerance, history: history)
                }
            } else {
                stalls = 0
            }
            guard k < options.maxIterations else {
                // Creeping towards a singular point is the usual reason: say so when it is.
                throw ArmijoBacktracking.failure(iteration: k, y: y, residual: f, gradient: a.applyTransposed(f),
                                                 reciprocalCondition: lu.reciprocalConditionEstimate(), history: history,
                                                 atIterationLimit: true)
            }
            if rho <= NewtonOptions.localRegion {
                // Newton's local region: the full step, without a line search (at this
                // level ||F|| may be rounding noise and need not decrease).
                y.add(d, scaledBy: 1)
                (f, pending) = system.residualAndJacobian(x: x, y: y)
                history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 1, backtracks: 0))
                guard f.isFinite else { throw NewtonError.nonFinite(iteration: k + 1, what: "residual F", history: history) }
                yNorm = y.fastMaxNorm
                fNorm = f.fastMaxNorm
                lastStepWasSmall = rho <= tolerance
                previousLocalStep = rho
                continue
            }
            // Merit 1/2 ||W F||^2 on the equilibrated residual, W = diag(1 / row sums of |A|):
            // invariant to the scaling of the equations, so that an equation in large units
            // cannot hide the progress of the others. f'(y; d) = F'W^2 A d = -||W F||^2
            // for the exact Newton step.
            let (weights, _) = Self.equilibrationWeights(a.absoluteRowSums())
            let merit = ArmijoBacktracking.merit(f, weights: weights)
            guard let step = lineSearch.search(from: y, direction: d, merit: merit, slope: -2 * merit, weights: weights,
                                               yNorm: yNorm, dNorm: dNorm,
                                               evaluate: { let e = system.residualAndJacobian(x: x, y: $0); return (e.residual, e.jacobian) }) else {
                history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 0,
                                                     backtracks: options.maxBacktracks))
                let weighted = weights * f
                throw ArmijoBacktracking.failure(iteration: k, y: y, residual: weighted,
                                                 gradient: a.applyTransposed(weights * weighted),
                                                 reciprocalCondition: lu.reciprocalConditionEstimate(), history: history)
            }
            history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm,
                                                 stepLength: step.length, backtracks: step.backtracks))
            y = step.y
            f = step.residual
            pending = step.extra
            yNorm = y.fastMaxNorm
            fNorm = f.fastMaxNorm
            lastStepWasSmall = false
            previousLocalStep = nil
        }
        fatalError("unreachable: the iteration returns or throws")
    }

    /// The accepted root with its certificate, the factorisation's condition checked (the
    /// derivative will reuse it).
    func accept<J: JacobianMatrix>(y: Vector, residual f: Vector, jacobian a: J,
                                   factorization: Result<J.Factorized, LinearAlgebraError>, relativeStep: Double?,
                                   relativeResidual: Double?, convergence: NewtonConvergence, x: Vector,
                                   history: [NewtonIterationRecord]) -> NewtonSolution<J> {
        let checked = factorization.flatMap { lu in
            Result { try lu.checkNonsingular(); return lu }.mapError {
                $0 as? LinearAlgebraError ?? .singular(routine: "condition estimate", reciprocalCondition: 0)
            }
        }
        let certificate = NewtonCertificate(relativeStep: relativeStep,
                                            relativeResidual: relativeResidual ?? NewtonCertificate.relativeResidual(f, jacobian: a, y: y),
                                            stepTolerance: options.stepTolerance)
        return NewtonSolution(parameters: x, y: y, residual: f, convergence: convergence, certificate: certificate,
                              history: history, jacobian: a, factorization: checked)
    }

    /// `w_i = 1 / r_i` for the row sums `r` of `|A|` (1 where `r_i` is 0 or not finite),
    /// and `max_i r_i`, in one pass.
    static func equilibrationWeights(_ rowSums: Vector) -> (weights: Vector, largestRowSum: Double) {
        var largest = 0.0
        let n = rowSums.count
        let w = [Double](unsafeUninitializedCapacity: n) { w, count in
            rowSums.scalars.withUnsafeBufferPointer { r in
                for i in 0..<n {
                    let ri = r[i]
                    w[i] = ri > 0 && ri.isFinite ? 1 / ri : 1
                    largest = ri > largest ? ri : largest
                }
            }
            count = n
        }
        return (Vector(w), largest)
    }
}
