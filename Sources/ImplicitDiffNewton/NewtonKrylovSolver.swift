/// Inexact Newton's method for `F(x, y) = 0` with matrix-free GMRES steps and
/// Eisenstat–Walker forcing terms, for large systems whose Jacobian is never formed.
///
/// ```
/// repeat:  stop if ||F_k|| <= residualTolerance
///          eta_k from the forcing term, at least minimumForcingTerm
///          d_k: GMRES on A_k d = -F_k until ||A_k d_k + F_k|| <= eta_k ||F_k||
///          stop if |d_k,i| <= stepTolerance max(|y_k,i|, typ) for every i and y_k is the
///            result of such a full step (the check is made at the returned iterate)
///          y_(k+1) = y_k + t_k d_k,   t_k = 1 near the root, else from backtracking on 1/2 ||F||^2
/// ```
/// The step test is the one of ``NewtonSolver`` (each component against its own
/// magnitude, see ``NewtonOptions``), with the inexact correction `d_k`; corrections that
/// stop shrinking above the tolerance end in
/// ``NewtonError/toleranceNotReached(iteration:relativeStep:tolerance:history:)``.
/// `A_k v` comes from the system's operator or from forward differences of the residual
/// (``NewtonKrylovOptions/jacobianProducts``); an optional preconditioner is rebuilt at
/// every iterate. Because `d_k` solves the Newton equation only to `eta_k`, the slope
/// used by the line search is the bound `f'(y; d) <= -(1 - eta_k) ||F||^2`.
///
/// The implicit derivative (``NewtonKrylovSolution/derivative(of:parameters:options:)``,
/// ``layer(for:initialGuess:options:)``) solves with the system's exact
/// operator at the root: GMRES above `ImplicitOptions.denseLimit` unknowns, one
/// factorisation below it.
///
/// References: C. T. Kelley, *Solving Nonlinear Equations with Newton's Method*, SIAM 2003,
/// doi:10.1137/1.9780898718898, ch. 3; Eisenstat and Walker 1996 (see ``ForcingTerm``).
public struct NewtonKrylovSolver: Sendable {
    /// Stopping rules, forcing terms and the Krylov method's settings.
    public var options: NewtonKrylovOptions

    /// A solver with the given options.
    public init(options: NewtonKrylovOptions = .init()) { self.options = options }

    /// Solves `F(x, y) = 0` for `y` from `initialGuess`.
    ///
    /// - Throws: ``NewtonError`` (``NewtonError/linearSolveFailed(iteration:reason:history:)``
    ///   when GMRES fails within its cap); errors of the system's operators pass through.
    public func solve<System: MatrixFreeNonlinearSystem>(_ system: System, parameters x: Vector,
                                                         initialGuess: Vector) throws -> NewtonKrylovSolution {
        let newton = options.newton
        try newton.validate()
        try options.forcing.validate()
        if let floor = options.minimumForcingTerm, !(floor > 0 && floor < 1) {
            throw NewtonError.invalidOptions("minimumForcingTerm must lie in (0, 1), got \(floor)")
        }
        guard options.restart >= 1 else { throw NewtonError.invalidOptions("restart must be at least 1, got \(options.restart)") }
        let n = initialGuess.count
        try system.validate(parameters: x, unknowns: n)
        var y = initialGuess
        var f = system.residual(x: x, y: y)
        guard f.count == n else {
            throw NewtonError.dimensionMismatch("the residual has \(f.count) entries for \(n) unknowns")
        }
        guard y.isFinite, f.isFinite else {
            throw NewtonError.nonFinite(iteration: 0, what: y.isFinite ? "residual F at the initial guess" : "initial guess", history: [])
        }
        let lineSearch = ArmijoBacktracking(sufficientDecrease: newton.sufficientDecrease,
                                            maxBacktracks: newton.maxBacktracks)
        var history: [NewtonIterationRecord] = []
        var lastStepWasSmall = false
        var previousLocalStep: Double?
        var stalls = 0
        var eta = options.forcing.initial
        var previousNorm = 0.0
        let tolerance = newton.stepTolerance, typ = newton.typicalMagnitude
        for k in 0... {
            let fNorm = f.maxNorm
            SolverProgress.report("newton-krylov", iteration: k, residual: fNorm)
            if fNorm <= newton.residualTolerance {
                return NewtonKrylovSolution(y: y, residual: f, convergence: .residualTolerance, relativeStep: nil,
                                            history: history)
            }
            guard k < newton.maxIterations || lastStepWasSmall else {
                throw NewtonError.iterationLimit(iterations: k, residualNorm: fNorm, history: history)
            }
            let f2 = f.norm
            if k > 0 { eta = options.forcing.next(previous: eta, residualNorm: f2, previousResidualNorm: previousNorm) }
            previousNorm = f2
            let a: any LinearOperator
            switch options.jacobianProducts {
            case .finiteDifferences:
                let xx = x
                a = FiniteDifferenceJacobian(y: y, residualAtY: f) { system.residual(x: xx, y: $0) }
            case .system:
                a = try system.jacobianOperator(x: x, y: y)
            }
            let etaUsed = Swift.max(eta, options.forcingFloor(finiteDifferences: a is FiniteDifferenceJacobian))
            let krylov = GMRES(options: KrylovOptions(absoluteTolerance: 0, relativeTolerance: etaUsed,
                                                      maxIterations: options.maxLinearIterations,
                                                      restart: options.restart, recordHistory: false))
            let result: KrylovResult
            do {
                result = try krylov.solve(AnyOperator(a), -f, initialGuess: nil, preconditioner: options.preconditioner?(x, y))
            } catch let e as KrylovError {
                throw NewtonError.linearSolveFailed(iteration: k, reason: e, history: history)
            }
            let d = result.solution
            let dNorm = d.maxNorm
            let rho = NewtonCertificate.relativeStep(d, y: y, typicalMagnitude: typ)
            if rho <= tolerance && (lastStepWasSmall || k == newton.maxIterations) {
                return NewtonKrylovSolution(y: y, residual: f, convergence: .stepTolerance, relativeStep: rho, history: history)
            }
            guard k < newton.maxIterations else {
                throw NewtonError.iterationLimit(iterations: k, residualNorm: fNorm, history: history)
            }
            if let previous = previousLocalStep, rho <= NewtonOptions.localRegion {
                stalls = rho > 0.5 * previous ? stalls + 1 : 0
                if stalls >= NewtonOptions.stallLimit {
                    throw NewtonError.toleranceNotReached(iteration: k, relativeStep: Swift.max(previous, rho),
                                                          tolerance: tolerance, history: history)
                }
            } else {
                stalls = 0
            }
            if rho <= NewtonOptions.localRegion {
                y.add(d, scaledBy: 1)
                f = system.residual(x: x, y: y)
                history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 1,
                                                     backtracks: 0, linearIterations: result.iterations, forcingTerm: etaUsed))
                guard f.isFinite else { throw NewtonError.nonFinite(iteration: k + 1, what: "residual F", history: history) }
                lastStepWasSmall = rho <= tolerance
                previousLocalStep = rho
                continue
            }
            let merit = 0.5 * f2 * f2
            // f'(y; d) = F'A d = -||F||^2 + F'r with ||r|| <= eta ||F||: at most -(1 - eta) ||F||^2.
            let slope = -2 * (1 - etaUsed) * merit
            guard let step = lineSearch.search(from: y, direction: d, merit: merit, slope: slope, weights: .zero,
                                               residual: { system.residual(x: x, y: $0) }) else {
                history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm, stepLength: 0,
                                                     backtracks: newton.maxBacktracks,
                                                     linearIterations: result.iterations, forcingTerm: etaUsed))
                let gradient = (try? system.jacobianOperator(x: x, y: y))?.applyTransposed(f)
                throw ArmijoBacktracking.failure(iteration: k, y: y, residual: f, gradient: gradient,
                                                 reciprocalCondition: nil, history: history)
            }
            history.append(NewtonIterationRecord(iteration: k, residualNorm: fNorm, stepNorm: dNorm,
                                                 stepLength: step.length, backtracks: step.backtracks,
                                                 linearIterations: result.iterations, forcingTerm: etaUsed))
            y = step.y
            f = step.residual
            lastStepWasSmall = false
            previousLocalStep = nil
        }
        fatalError("unreachable: the iteration returns or throws")
    }
}

/// A concrete wrapper of an existential operator for the generic Krylov solvers. Not API.
struct AnyOperator: LinearOperator {
    let base: any LinearOperator
    init(_ base: any LinearOperator) { self.base = base }
    var rowCount: Int { base.rowCount }
    var columnCount: Int { base.columnCount }
    func apply(_ v: Vector) -> Vector { base.apply(v) }
}
