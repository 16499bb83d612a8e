/// The derivative of an ``LPModelSolution``'s outputs `(x, rowDuals, value)` with respect
/// to the model's parameters `(c, rhs)`, through the implicit derivative of its
/// ``LinearProgram`` form (one factorisation, reused by every call).
///
/// The form's parameters depend linearly on the model's: `c_form = s c` (`s = -1` when
/// maximising), `b_r = rhs_i` for an E row `i`, `h_r = sign_i rhs_i` for an L (`+1`) or
/// G (`-1`) row; the bounds' rows do not depend on them. Outputs map back by
/// `rowDuals_i = -s lambda_r` (E) or `-s sign_i mu_r`, and `value = s value_form + c0`.
public struct LPModelDerivative {
    /// The solution being differentiated.
    public let solution: LPModelSolution
    /// The implicit derivative of the form's `[z, lambda, mu]`.
    public let base: ImplicitDerivative

    /// Reverse mode: `(dL/dc, dL/drhs)` for `L = <xbar, x> + <rowDualsBar, rowDuals> + valueBar value`.
    /// Empty vectors stand for zero cotangents.
    public func pullback(x xbar: Vector, rowDuals rbar: Vector = .zero, value vbar: Double = 0) throws
        -> (c: Vector, rhs: Vector, report: LinearSolveReport) {
        let model = solution.model, map = solution.rowMap, form = solution.formSolution
        let layout = form.problem.layout, s = solution.sense
        guard xbar.scalars.isEmpty || xbar.count == model.columnCount,
              rbar.scalars.isEmpty || rbar.count == model.rowCount else {
            throw LPError.invalidProblem("cotangents of lengths \(xbar.count) and \(rbar.count) for \(model.columnCount) columns and \(model.rowCount) rows")
        }
        var lambdaBar = [Double](repeating: 0, count: layout.equalityCount)
        var muBar = [Double](repeating: 0, count: layout.inequalityCount)
        if !rbar.scalars.isEmpty {
            for (i, target) in map.rows.enumerated() {
                switch target {
                case let .equality(r): lambdaBar[r] = -s * rbar[i]
                case let .inequality(r, sign): muBar[r] = -s * sign * rbar[i]
                }
            }
        }
        let ybar = Vector(xbar.materialized(count: layout.variableCount).scalars + lambdaBar + muBar)
        var (g, report) = try base.pullbackWithReport(ybar)
        if vbar != 0 { g.add(form.valueGradient, scaledBy: s * vbar) }
        let cBar = s * g.slice(layout.cRange)
        let bBar = g.slice(layout.bRange), hBar = g.slice(layout.hRange)
        let rhsBar = map.rows.map { target -> Double in
            switch target {
            case let .equality(r): return bBar[r]
            case let .inequality(r, sign): return sign * hBar[r]
            }
        }
        return (cBar, Vector(rhsBar), report)
    }

    /// Forward mode: the directional derivatives of `(x, rowDuals, value)` along `(dc, drhs)`.
    /// Empty vectors stand for zero tangents.
    public func pushforward(c dc: Vector, rhs drhs: Vector) throws
        -> (x: Vector, rowDuals: Vector, value: Double, report: LinearSolveReport) {
        let model = solution.model, map = solution.rowMap, form = solution.formSolution
        let layout = form.problem.layout, s = solution.sense
        guard dc.scalars.isEmpty || dc.count == model.columnCount,
              drhs.scalars.isEmpty || drhs.count == model.rowCount else {
            throw LPError.invalidProblem("tangents of lengths \(dc.count) and \(drhs.count) for \(model.columnCount) columns and \(model.rowCount) rows")
        }
        var dx = [Double](repeating: 0, count: layout.parameterCount)
        for (j, v) in dc.scalars.enumerated() { dx[layout.cRange.lowerBound + j] = s * v }
        for (i, v) in drhs.scalars.enumerated() {
            switch map.rows[i] {
            case let .equality(r): dx[layout.bRange.lowerBound + r] = v
            case let .inequality(r, sign): dx[layout.hRange.lowerBound + r] = sign * v
            }
        }
        let tangent = Vector(dx)
        let (dy, report) = try base.pushforwardWithReport(tangent)
        let (dz, dLambda, dMu) = layout.split(solution: dy)
        let dDuals = map.rows.map { target -> Double in
            switch target {
            case let .equality(r): return -s * dLambda[r]
            case let .inequality(r, sign): return -s * sign * dMu[r]
            }
        }
        return (dz, Vector(dDuals), s * form.valueGradient.dot(tangent), report)
    }
}
