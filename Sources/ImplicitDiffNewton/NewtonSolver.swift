/// Damped Newton's method for `F(x, y) = 0` in `y`, with a factorised Jacobian (dense LU
/// or tridiagonal `O(n)` LU) and an Armijo backtracking line search on `1/2 ||W F||^2`,
/// `W = diag(1 / sum_j |a_ij|)` (equations equilibrated, so their units do not matter).
///
/// ```
/// repeat:  A_k = dF/dy(x, y_k)  factorised;  stop if y_k passes a test (NewtonOptions)
///          d_k = -A_k^-1 F(x, y_k)
///          y_(k+1) = y_k + t_k d_k,   t_k from backtracking (t_k = 1 near the root)
/// ```
/// Convergence is tested **after** factorising at the current iterate, so the returned
/// ``NewtonSolution`` carries the factorisation of `A` at the root itself: the implicit
/// derivative (``NewtonSolution/derivative(of:parameters:options:)``,
/// ``implicitFunction(for:initialGuess:options:)``) reuses it and never factorises again.
/// The cost of this is one factorisation per solve that a "test before factorising"
/// loop would skip, and it buys the exact Jacobian at `y` for the derivative.
///
/// Mathematical properties: quadratic convergence near a root where `A` is nonsingular
/// and Lipschitz; every step decreases the (equilibrated) residual sufficiently, so from a
/// poor start the iterates reach a root or approach a point where `A` is singular, which
/// is reported (``NewtonError/singularJacobian(iteration:reason:history:)``,
/// ``NewtonError/localMinimum(iteration:residualNorm:relativeGradient:history:)``), never
/// returned as a root. The default tests that decide convergence and singularity are
/// invariant to the scaling of individual equations.
///
/// Failures are typed ``NewtonError``s with the iteration history: singular Jacobian,
/// a local minimum of `||F||` that is not a root (where the Jacobian is singular: what
/// Newton meets beyond a fold), stagnation of the line search, iteration cap, non-finite
/// values.
///
/// Reference: J. E. Dennis and R. B. Schnabel, *Numerical Methods for Unconstrained
/// Optimization and Nonlinear Equations*, SIAM 1996, doi:10.1137/1.9781611971200, ch. 6.
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
    /// - Returns: the root with the factorised Jacobian there and the history.
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
        var lastStepWasSmall = false
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
            // Row sums of |A|: the merit's weights, and a bound that skips the rounding-floor
            // test's |A| |y| far from the root.
            let (weights, largestRowSum) = Self.equilibrationWeights(a.absoluteRowSums())
            if let reason = convergence(residual: f, residualNorm: fNorm, jacobian: a, y: y, yNorm: yNorm,
                                        lastStepWasSmall: lastStepWasSmall, largestRowSum: largestRowSum) {
                // The factorisation the derivative will reuse: check its condition now.
                let checked = factorization.flatMap { lu in
                    Result { try lu.checkNonsingular(); return lu }.mapError {
                        $0 as? LinearAlgebraError ?? .singular(routine: "condition estimate", reciprocalCondition: 0)
                    }
                }
                return NewtonSolution(parameters: x, y: y, residual: f, convergence: reason, history: history,
                                      jacobian: a, factorization: checked)
            }
            let lu: System.Jacobian.Factorized
            switch factorization {
            case let .success(value): lu = value
            case let .failure(reason): throw NewtonError.singularJacobian(iteration: k, reason: reason, history: history)
            }
            guard k < options.maxIterations else {
                // Creeping towards a singular point is the usual reason: say so when it is.
                throw ArmijoBacktracking.failure(iteration: k, y: y, residual: f, gradient: a.applyTransposed(f),
                                                 reciprocalCondition: lu.reciprocalConditionEstimate(), history: history,
                                                 atIterationLimit: true)
            }
            var d = lu.solve(f)
            d.scale(by: -1)
            guard let dNorm = d.finiteMaxNorm else {
                throw NewtonError.singularJacobian(iteration: k, reason: .nonFinite("the Newton step"), history: history)
            }
            if dNorm <= options.stepTolerance * yNorm {
                // Within rounding of the root: take the full step without a line search
                // (at this level ||F|| is noise and need not decrease).
                y.add(d, scaledBy: 1)
                (f, pending) = system.residualAndJacobian(x: x, y: y)
                history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 1, backtracks: 0))
                guard f.isFinite else { throw NewtonError.nonFinite(iteration: k + 1, what: "residual F", history: history) }
                yNorm = y.fastMaxNorm
                fNorm = f.fastMaxNorm
                lastStepWasSmall = true
                continue
            }
            // Merit 1/2 ||W F||^2 on the equilibrated residual, W = diag(1 / row sums of |A|):
            // invariant to the scaling of the equations, so that an equation in large units
            // cannot hide the progress of the others. f'(y; d) = F'W^2 A d = -||W F||^2
            // for the exact Newton step.
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
        }
        fatalError("unreachable: the iteration returns or throws")
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

    /// The first stopping rule that `y` passes, or `nil`. `fNorm`, `yNorm`: the max norms
    /// of `F` and `y`; `largestRowSum`: `max_i sum_j |a_ij|`, or `nil` to skip the bound.
    func convergence<J: JacobianMatrix>(residual f: Vector, residualNorm fNorm: Double, jacobian a: J, y: Vector,
                                        yNorm: Double, lastStepWasSmall: Bool,
                                        largestRowSum: Double? = nil) -> NewtonConvergence? {
        if lastStepWasSmall { return .stepTolerance }
        if fNorm <= options.residualTolerance { return .residualTolerance }
        // Rounding floor: |F_i| <= 8 ulp (|A| |y|)_i, first on the largest entries.
        let c = NewtonOptions.roundingFloorFactor * Double.ulpOfOne
        // (|A| |y|)_i <= (|A| 1)_i ||y||_inf: when F is above the floor's bound (with a
        // factor 2 for the rounding of the bound), it is above the floor itself.
        if let largestRowSum, fNorm > 2 * c * largestRowSum * yNorm { return nil }
        let scale = a.absoluteProduct(y.map { abs($0) })
        guard fNorm <= c * scale.fastMaxNorm else { return nil }
        for i in 0..<f.count where abs(f[i]) > c * scale[i] { return nil }
        return .roundingFloor
    }
}
