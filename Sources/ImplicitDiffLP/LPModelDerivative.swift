import _CGLPK

/// The derivative of an ``LPModelSolution``'s outputs `(x, rowDuals, value)` with respect
/// to the model's parameters `(c, rhs)`, at the optimal basis.
///
/// With `B` the optimal basis of GLPK's form (columns of `(I | -K)`, ``LPSolverForm``),
/// nonbasic variables at their bounds, and a nonbasic row's auxiliary at its `rhs`:
/// ```
/// d value    = x'dc + rowDuals'drhs                      (closed form, no solve)
/// dx_B       = -B^-1 E_N drhs,   dx_N = 0                 (E_N: the nonbasic rows)
/// d rowDuals = -(B^-T dc_B) on the nonbasic rows, 0 on the basic ones   (dx/dc = 0)
/// ```
/// and in reverse mode, for `L = <xbar, x> + <rbar, rowDuals> + vbar value`:
/// ```
/// cbar   = vbar x - (B^-1 rbar)_B        rhsbar = vbar rowDuals - E_N'(B^-T xbar_B)
/// ```
/// The closed forms need no factorisation. The two solves use GLPK's own sparse LU of the
/// optimal basis (``LPSolverForm/withGLPKBasis(rowStatus:columnStatus:_:)``: the model is
/// loaded, the basis set and factorised once per call; `glp_ftran` / `glp_btran` with
/// one step of iterative refinement).
///
/// Differentiability is decided for what is asked (``LPDifferentiability``): an output
/// with a zero cotangent (tangent) is not asked, nor is a parameter left out of `wrt`.
/// `d value / d c = x` and `dx/dc = 0` need only a unique `x` (no dual degeneracy), even
/// at a primal-degenerate vertex; anything with respect to `rhs`, and the row duals'
/// derivatives, need primal non-degeneracy; `dx/d rhs` and `d rowDuals / d c` need both.
/// A smoothed derivative (``LPModelSolution/smoothedDerivative(gamma:solverOptions:options:)``)
/// always exists.
public struct LPModelDerivative {
    /// The parameters of a model.
    public enum Parameter: String, Sendable, CaseIterable {
        /// Objective coefficients.
        case c
        /// Right-hand sides of the constraint rows.
        case rhs
    }

    /// The solution being differentiated.
    public let solution: LPModelSolution
    /// The degeneracy that decides which derivatives exist (the solution's, without the
    /// dual part when the uniqueness test proved `x` unique).
    public let degeneracy: LPDegeneracy?
    /// Which derivatives exist.
    public var differentiability: LPDifferentiability { LPDifferentiability(degeneracy: degeneracy) }
    /// The smoothed problem (dense form) when asked, with its implicit derivative.
    let smoothed: LPModelSmoothing?

    /// Reverse mode: `(dL/dc, dL/drhs)` for `L = <xbar, x> + <rbar, rowDuals> + vbar value`,
    /// restricted to the parameters in `wrt` (the others are returned as zeros). Empty
    /// vectors stand for zero cotangents.
    ///
    /// - Throws: ``LPError/notDifferentiable(_:)`` when a derivative this needs does not
    ///   exist at the vertex (the message names what is and is not differentiable);
    ///   ``LPError/invalidProblem(_:)`` for cotangents of the wrong lengths.
    public func pullback(x xbar: Vector, rowDuals rbar: Vector = .zero, value vbar: Double = 0,
                         wrt: Set<Parameter> = Set(Parameter.allCases)) throws -> (c: Vector, rhs: Vector, report: LinearSolveReport) {
        let model = solution.model, n = model.columnCount, m = model.rowCount
        guard xbar.scalars.isEmpty || xbar.count == n, rbar.scalars.isEmpty || rbar.count == m else {
            throw LPError.invalidProblem("cotangents of lengths \(xbar.count) and \(rbar.count) for \(n) columns and \(m) rows")
        }
        if let smoothed { return try smoothedPullback(smoothed, xbar: xbar, rbar: rbar, vbar: vbar, wrt: wrt) }
        let xAsked = xbar.scalars.contains { $0 != 0 }, rAsked = rbar.scalars.contains { $0 != 0 }, vAsked = vbar != 0
        try requireDerivatives(x: xAsked, rowDuals: rAsked, value: vAsked, c: wrt.contains(.c), rhs: wrt.contains(.rhs))
        var cBar = [Double](repeating: 0, count: n), rhsBar = [Double](repeating: 0, count: m)
        if vAsked {
            if wrt.contains(.c) { for j in 0..<n { cBar[j] = vbar * solution.x[j] } }
            if wrt.contains(.rhs) { for i in 0..<m { rhsBar[i] = vbar * solution.rowDuals[i] } }
        }
        let needX = xAsked && wrt.contains(.rhs), needDuals = rAsked && wrt.contains(.c)
        guard needX || needDuals else { return (Vector(cBar), Vector(rhsBar), LinearSolveReport(method: "closed-form")) }
        let basic = solution.basic
        let residual = try solution.form.withGLPKBasis(rowStatus: basic.rowStatus, columnStatus: basic.columnStatus) { basis in
            var worst = 0.0
            if needX {
                // rhsbar -= E_N'(B^-T xbar_B)
                let u = basis.header.map { $0 < m ? 0.0 : xbar[$0 - m] }
                let w = try basis.solveTransposed(u)
                worst = max(worst, Self.relativeResidual(basis.transposedTimes(w), u))
                for i in 0..<m where basic.rowStatus[i] != GLP_BS { rhsBar[i] -= w[i] }
            }
            if needDuals {
                // cbar -= (B^-1 rbar)_B
                let r = rbar.scalars
                let v = try basis.solve(r)
                worst = max(worst, Self.relativeResidual(basis.times(v), r))
                for (k, h) in basis.header.enumerated() where h >= m { cBar[h - m] -= v[k] }
            }
            return worst
        }
        return (Vector(cBar), Vector(rhsBar), LinearSolveReport(method: "glpk-basis-lu", iterations: 1, relativeResidual: residual))
    }

    /// Throws ``LPError/notDifferentiable(_:)`` (``LPDifferentiability/require(outputs:parameters:degeneracy:)``'s
    /// message) unless the derivatives of the outputs asked (`x`, `rowDuals`, `value`) with
    /// respect to the parameters asked (`c`, `rhs`) all exist. The verdict is taken from
    /// the flags; the named lists of the message are formed only for a refusal (at a
    /// process's first request they cost more than a small model's whole derivative).
    private func requireDerivatives(x: Bool, rowDuals: Bool, value: Bool, c: Bool, rhs: Bool) throws {
        let verdicts = differentiability
        func exists(_ output: LPDifferentiability.Output) -> Bool {
            (!c || verdicts.exists(output, wrt: .objective)) && (!rhs || verdicts.exists(output, wrt: .rightHandSide))
        }
        guard (x && !exists(.solution)) || (rowDuals && !exists(.duals)) || (value && !exists(.value)) else { return }
        var outputs = [(name: String, role: LPDifferentiability.Output)]()
        if x { outputs.append(("z", .solution)) }
        if rowDuals { outputs.append(("row_duals", .duals)) }
        if value { outputs.append(("value", .value)) }
        var parameters = [(name: String, role: LPDifferentiability.Parameter)]()
        if c { parameters.append(("c", .objective)) }
        if rhs { parameters.append(("rhs", .rightHandSide)) }
        try verdicts.require(outputs: outputs, parameters: parameters, degeneracy: degeneracy)
    }

    /// Forward mode: the directional derivatives of `(x, rowDuals, value)` along `(dc, drhs)`.
    /// Empty vectors stand for zero tangents; a zero tangent is not a request.
    ///
    /// - Throws: ``LPError/notDifferentiable(_:)`` as ``pullback(x:rowDuals:value:wrt:)``.
    public func pushforward(c dc: Vector, rhs drhs: Vector) throws
        -> (x: Vector, rowDuals: Vector, value: Double, report: LinearSolveReport) {
        let model = solution.model, n = model.columnCount, m = model.rowCount
        guard dc.scalars.isEmpty || dc.count == n, drhs.scalars.isEmpty || drhs.count == m else {
            throw LPError.invalidProblem("tangents of lengths \(dc.count) and \(drhs.count) for \(n) columns and \(m) rows")
        }
        if let smoothed { return try smoothedPushforward(smoothed, dc: dc, drhs: drhs) }
        let cAsked = dc.scalars.contains { $0 != 0 }, rhsAsked = drhs.scalars.contains { $0 != 0 }
        try requireDerivatives(x: true, rowDuals: true, value: true, c: cAsked, rhs: rhsAsked)
        var value = 0.0
        if cAsked { value += solution.x.dot(dc) }
        if rhsAsked { value += solution.rowDuals.dot(drhs) }
        var dx = [Double](repeating: 0, count: n), dDuals = [Double](repeating: 0, count: m)
        guard cAsked || rhsAsked else { return (Vector(dx), Vector(dDuals), value, LinearSolveReport(method: "none")) }
        let basic = solution.basic
        let residual = try solution.form.withGLPKBasis(rowStatus: basic.rowStatus, columnStatus: basic.columnStatus) { basis in
            var worst = 0.0
            if rhsAsked {
                var b = [Double](repeating: 0, count: m)
                for i in 0..<m where basic.rowStatus[i] != GLP_BS { b[i] = -drhs[i] }
                let u = try basis.solve(b)
                worst = max(worst, Self.relativeResidual(basis.times(u), b))
                for (k, h) in basis.header.enumerated() where h >= m { dx[h - m] = u[k] }
            }
            if cAsked {
                let cB = basis.header.map { $0 < m ? 0.0 : dc[$0 - m] }
                let t = try basis.solveTransposed(cB)
                worst = max(worst, Self.relativeResidual(basis.transposedTimes(t), cB))
                for i in 0..<m where basic.rowStatus[i] != GLP_BS { dDuals[i] = -t[i] }
            }
            return worst
        }
        return (Vector(dx), Vector(dDuals), value, LinearSolveReport(method: "glpk-basis-lu", iterations: 1, relativeResidual: residual))
    }

    /// `||B u - r||_inf / ||r||_inf` (0 for `r = 0`).
    static func relativeResidual(_ bu: [Double], _ r: [Double]) -> Double {
        let scale = r.reduce(0) { max($0, abs($1)) }
        let error = zip(bu, r).reduce(0) { max($0, abs($1.0 - $1.1)) }
        return scale > 0 ? error / scale : error
    }

    // MARK: - The smoothed derivative (dense form)

    private func smoothedPullback(_ sm: LPModelSmoothing,
                                  xbar: Vector, rbar: Vector, vbar: Double, wrt: Set<Parameter>) throws
        -> (c: Vector, rhs: Vector, report: LinearSolveReport) {
        let layout = sm.form.problem.layout, s = solution.sense
        var lambdaBar = [Double](repeating: 0, count: layout.equalityCount)
        var muBar = [Double](repeating: 0, count: layout.inequalityCount)
        if !rbar.scalars.isEmpty {
            for (i, target) in sm.map.rows.enumerated() {
                switch target {
                case let .equality(r): lambdaBar[r] = -s * rbar[i]
                case let .inequality(r, sign): muBar[r] = -s * sign * rbar[i]
                }
            }
        }
        let ybar = Vector(xbar.materialized(count: layout.variableCount).scalars + lambdaBar + muBar)
        var (g, report) = try sm.base.pullbackWithReport(ybar)
        if vbar != 0 { g.add(sm.form.valueGradient, scaledBy: s * vbar) }
        let bBar = g.slice(layout.bRange), hBar = g.slice(layout.hRange)
        let rhsBar = sm.map.rows.map { target -> Double in
            switch target {
            case let .equality(r): return bBar[r]
            case let .inequality(r, sign): return sign * hBar[r]
            }
        }
        let n = solution.model.columnCount, m = solution.model.rowCount
        return (wrt.contains(.c) ? s * g.slice(layout.cRange) : .zeros(n), wrt.contains(.rhs) ? Vector(rhsBar) : .zeros(m), report)
    }

    private func smoothedPushforward(_ sm: LPModelSmoothing,
                                     dc: Vector, drhs: Vector) throws
        -> (x: Vector, rowDuals: Vector, value: Double, report: LinearSolveReport) {
        let layout = sm.form.problem.layout, s = solution.sense
        var dx = [Double](repeating: 0, count: layout.parameterCount)
        for (j, v) in dc.scalars.enumerated() { dx[layout.cRange.lowerBound + j] = s * v }
        for (i, v) in drhs.scalars.enumerated() {
            switch sm.map.rows[i] {
            case let .equality(r): dx[layout.bRange.lowerBound + r] = v
            case let .inequality(r, sign): dx[layout.hRange.lowerBound + r] = sign * v
            }
        }
        let tangent = Vector(dx)
        let (dy, report) = try sm.base.pushforwardWithReport(tangent)
        let (dz, dLambda, dMu) = layout.split(solution: dy)
        let dDuals = sm.map.rows.map { target -> Double in
            switch target {
            case let .equality(r): return -s * dLambda[r]
            case let .inequality(r, sign): return -s * sign * dMu[r]
            }
        }
        return (dz, Vector(dDuals), s * sm.form.valueGradient.dot(tangent), report)
    }
}
