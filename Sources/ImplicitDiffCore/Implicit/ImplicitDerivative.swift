/// The derivative of a solution map `y(x)` at one point, from its conditions
/// `F(x, y) = 0`:
/// ```
/// pullback:     A' w = ybar,  xbar = -B' w
/// pushforward:  A dy = -B dx
/// Jacobian:     A J = -B
/// ```
/// with `A = dF/dy`, `B = dF/dx` at `(x, y)`.
///
/// Making one checks that `y` satisfies the conditions, linearises them, and (for a
/// direct solve) factorises `A` **once**; every pullback, pushforward and Jacobian
/// afterwards reuses that factorisation.
public struct ImplicitDerivative {
    /// The parameters.
    public let x: Vector
    /// The solution.
    public let y: Vector
    /// `||F(x, y)||_inf` at the solution, in the units of `F`.
    public let conditionResidual: Double
    /// `||A^-1 F(x, y)||_inf`: the Newton correction of `y` for the conditions, in the units
    /// of `y`, which the residual check compares with
    /// `ImplicitOptions.residualTolerance * max(1, ||y||_inf)`; `nil` when the derivative
    /// was made from a linearisation whose solution the caller vouches for.
    public let conditionCorrection: Double?
    /// The implicit linear system and its chosen solver.
    public let system: ImplicitLinearSystem

    /// Checks that `y` solves `F(x, y) = 0`, linearises and prepares the linear solver.
    ///
    /// The check is scale-aware: the residual is measured in the units of `y` by the
    /// Newton correction of the conditions,
    /// ```
    /// delta = A^-1 F(x, y),     accepted when  ||delta||_inf <= residualTolerance * max(1, ||y||_inf)
    /// ```
    /// the first-order distance from `y` to the root of the linearised conditions. Unlike
    /// `||F||`, it does not change when the conditions are rescaled (`F -> S F` for any
    /// invertible `S`: conditions multiplied by `1e-9` no longer accept a wrong `y`), and
    /// it is what an error in `y` does to the derivative. It costs one solve with the
    /// linear solver the derivative uses anyway: one triangular solve pair with a
    /// factorisation; a Krylov solve to relative residual `1e-2` (an estimate of
    /// `||delta||` to about that accuracy) otherwise. `F = 0` exactly skips the solve.
    ///
    /// - Throws: ``ImplicitDifferentiationError/residualTooLarge(residual:tolerance:)`` with
    ///   `residual = ||A^-1 F(x, y)||_inf` when that exceeds the tolerance (with
    ///   `residual = ||F(x, y)||_inf` when `A` cannot be linearised or factorised at a `y`
    ///   whose `||F||_inf` is itself above the tolerance: the output is then rejected
    ///   rather than called singular; NaN when `F` is not finite);
    ///   ``ImplicitDifferentiationError/singularSystem(_:)`` when `A` is singular;
    ///   ``ImplicitDifferentiationError/linearSolveFailed(_:)`` when the Krylov estimate fails.
    public init<C: ImplicitConditions>(conditions: C, x: Vector, y: Vector, byproduct: C.Byproduct,
                                       options: ImplicitOptions = .init()) throws {
        guard x.isFinite else { throw ImplicitDifferentiationError.nonFinite("the parameters x") }
        guard y.isFinite else { throw ImplicitDifferentiationError.nonFinite("the solver's output y") }
        let f = conditions.residual(x: x, y: y, byproduct: byproduct)
        guard f.count == y.count else {
            throw ImplicitDifferentiationError.dimensionMismatch(
                "the conditions return \(f.count) residuals for \(y.count) unknowns; F must be square in y")
        }
        let r = f.maxNorm
        let tol = options.residualTolerance * Swift.max(1, y.maxNorm)
        guard f.isFinite else { throw ImplicitDifferentiationError.residualTooLarge(residual: .nan, tolerance: tol) }
        let system: ImplicitLinearSystem
        do {
            let lin = try conditions.linearize(x: x, y: y, byproduct: byproduct)
            guard lin.a.rowCount == y.count, lin.b.rowCount == y.count, lin.b.columnCount == x.count else {
                throw ImplicitDifferentiationError.dimensionMismatch(
                    "linearisation: A is \(lin.a.rowCount) x \(lin.a.columnCount), B is \(lin.b.rowCount) x \(lin.b.columnCount), for n_y = \(y.count), n_x = \(x.count)")
            }
            system = try ImplicitLinearSystem(lin, options: options)
        } catch let e as ImplicitDifferentiationError {
            // A y far from the root may also be where A is singular: report the residual.
            if case .dimensionMismatch = e { throw e }
            if r > tol { throw ImplicitDifferentiationError.residualTooLarge(residual: r, tolerance: tol) }
            throw e
        }
        // Matrix-free conditions under a Krylov solve: `A v` by central differences of F
        // (two evaluations) instead of forming A from n_y pullbacks.
        let approximateA: ((Vector) -> Vector)? = system.linearization.isMatrixFree && system.factorization == nil
            ? { v in
                let vn = v.maxNorm
                guard vn > 0 else { return .zeros(y.count) }
                let h = Self.differenceStep * Swift.max(1, y.maxNorm) / vn
                let up = conditions.residual(x: x, y: y + h * v, byproduct: byproduct)
                let down = conditions.residual(x: x, y: y - h * v, byproduct: byproduct)
                return (1 / (2 * h)) * (up - down)
            } : nil
        let correction = r == 0 ? 0 : try system.correction(f, approximateA: approximateA)
        guard correction <= tol else {
            throw ImplicitDifferentiationError.residualTooLarge(residual: correction, tolerance: tol)
        }
        self.x = x
        self.y = y
        self.conditionResidual = r
        self.conditionCorrection = correction
        self.system = system
    }

    /// Relative step of the central differences that estimate `A v` for the residual check
    /// of matrix-free conditions: `eps^(1/3)` balances truncation (`h^2`) and rounding
    /// (`eps / h`), leaving ~1e-10 relative error, far below the 1e-2 the check needs.
    static let differenceStep = 6e-6

    /// Makes a derivative from a linearisation that is already at hand (the caller vouches
    /// for `F(x, y) = 0`; modules use this when their solver certifies optimality).
    public init(x: Vector, y: Vector, linearization: ConditionsLinearization, conditionResidual: Double = 0,
                options: ImplicitOptions = .init()) throws {
        self.x = x
        self.y = y
        self.conditionResidual = conditionResidual
        self.conditionCorrection = nil
        self.system = try ImplicitLinearSystem(linearization, options: options)
    }

    /// The conditions' closed-form derivative, when they give one and the solve is
    /// direct with their own factorisation.
    var fusedDerivative: FusedDerivative? {
        guard system.factorization != nil, system.linearization.factorizedA != nil else { return nil }
        return system.linearization.fusedDerivative
    }

    /// Reverse mode: `xbar = -B' A^-T ybar`.
    public func pullback(_ ybar: Vector) throws -> Vector { try pullbackWithReport(ybar).0 }

    /// Reverse mode with the report of the linear solve.
    public func pullbackWithReport(_ ybar: Vector) throws -> (Vector, LinearSolveReport) {
        guard ybar.count == y.count || ybar.scalars.isEmpty else {
            throw ImplicitDifferentiationError.dimensionMismatch("cotangent of length \(ybar.count) for an output of length \(y.count)")
        }
        if ybar.scalars.isEmpty || ybar.maxNorm == 0 {
            return (.zeros(x.count), LinearSolveReport(method: system.method))
        }
        if let fused = fusedDerivative {
            guard ybar.isFinite else { throw ImplicitDifferentiationError.nonFinite("the cotangent") }
            let (xbar, residual) = fused.pullback(ybar.materialized(count: y.count))
            guard xbar.isFinite else { throw ImplicitDifferentiationError.nonFinite("the pullback") }
            return (xbar.materialized(count: x.count),
                    LinearSolveReport(method: system.method, relativeResidual: residual))
        }
        let (w, report) = try system.solveTransposed(ybar)
        let xbar = -system.linearization.b.applyTransposed(w)
        return (xbar.materialized(count: x.count), report)
    }

    /// Forward mode: `dy = -A^-1 B dx`.
    public func pushforward(_ dx: Vector) throws -> Vector { try pushforwardWithReport(dx).0 }

    /// Forward mode with the report of the linear solve.
    public func pushforwardWithReport(_ dx: Vector) throws -> (Vector, LinearSolveReport) {
        guard dx.count == x.count || dx.scalars.isEmpty else {
            throw ImplicitDifferentiationError.dimensionMismatch("tangent of length \(dx.count) for parameters of length \(x.count)")
        }
        if dx.scalars.isEmpty || dx.maxNorm == 0 {
            return (.zeros(y.count), LinearSolveReport(method: system.method))
        }
        if let fused = fusedDerivative {
            guard dx.isFinite else { throw ImplicitDifferentiationError.nonFinite("the tangent") }
            let (dy, residual) = fused.pushforward(dx.materialized(count: x.count))
            guard dy.isFinite else { throw ImplicitDifferentiationError.nonFinite("the pushforward") }
            return (dy, LinearSolveReport(method: system.method, relativeResidual: residual))
        }
        let bdx = system.linearization.b.apply(dx)
        let (dy, report) = try system.solve(-bdx)
        return (dy, report)
    }

    /// The dense Jacobian `dy/dx = -A^-1 B` (`n_y x n_x`).
    public func jacobian() throws -> Matrix { try jacobianWithReport().0 }

    /// The Jacobian with the report of the linear solves. A direct solve uses one
    /// factorisation and one multi-right-hand-side call; a Krylov solve (or a
    /// ``FusedDerivative``) runs `min(n_x, n_y)` solves (columns by forward mode or rows
    /// by reverse mode).
    public func jacobianWithReport() throws -> (Matrix, LinearSolveReport) {
        let nx = x.count, ny = y.count
        if system.factorizesForManyRightHandSides, fusedDerivative == nil {
            let b = system.linearization.denseB()
            let (z, report) = try system.solve(b)
            return (-1.0 * z, report)
        }
        var j = Matrix(rows: ny, columns: nx)
        var report = LinearSolveReport(method: system.method)
        if nx <= ny {
            for k in 0..<nx {
                let (col, rep) = try pushforwardWithReport(.basis(k, count: nx))
                j.setColumn(k, to: col)
                report.merge(rep)
            }
        } else {
            for i in 0..<ny {
                let (row, rep) = try pullbackWithReport(.basis(i, count: ny))
                j.scalars.replaceSubrange((i * nx)..<((i + 1) * nx), with: row.scalars)
                report.merge(rep)
            }
        }
        return (j, report)
    }
}
