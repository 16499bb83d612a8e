import _CGLPK

/// A solved ``LPModel``: the columns' values, the optimal value and the row duals at the
/// optimal basis, checked (``certificate``) before it was returned, with the derivatives
/// with respect to the model's parameters `c` and `rhs` (``derivative()``).
///
/// ```
/// value       = c'x + c0
/// rowDuals    = d value / d rhs      (one per constraint row, zero on basic rows)
/// d value/d c = x
/// ```
/// Everything is held sparse: vectors of the model's sizes, the basis as GLPK's statuses.
public struct LPModelSolution: Sendable {
    /// The model solved.
    public let model: LPModel
    /// The solver's form and its optimal basic solution.
    let form: LPSolverForm
    let basic: LPBasicSolution
    /// The columns' values, file order.
    public let x: Vector
    /// The optimal value `c'x + c0`.
    public let value: Double
    /// `d value / d rhs`, one entry per constraint row.
    public let rowDuals: Vector
    /// The independent check of the answer on the model's data (rows, and its finite
    /// column bounds as rows), which this solution passed.
    public let certificate: LPCertificate

    /// Recomputes nothing: takes the basic solution, checks it, and maps it to the model.
    init(model: LPModel, form: LPSolverForm, basic: LPBasicSolution, options: LPOptions) throws {
        self.model = model
        self.form = form
        self.basic = basic
        let s = model.isMaximization ? -1.0 : 1.0
        x = Vector(basic.x)
        value = s * zip(form.objective, basic.x).reduce(0) { $0 + $1.0 * $1.1 } + model.objectiveConstant
        rowDuals = Vector(basic.rowDuals.map { s * $0 })
        certificate = Self.check(model: model, form: form, basic: basic, tolerance: options.certificateTolerance)
        guard certificate.passed else {
            throw LPError.notConverged("GLPK's answer fails the independent optimality check on the model's data: "
                                       + certificate.description)
        }
    }

    /// `-1` for maximisation (the form minimises `-c'x`), `+1` otherwise.
    var sense: Double { model.isMaximization ? -1 : 1 }

    /// The degeneracy of the vertex (rows and columns named as in the file).
    public var degeneracy: LPDegeneracy? { basic.degeneracy }

    /// Which derivatives exist at this vertex (``LPDifferentiability``).
    public var differentiability: LPDifferentiability { LPDifferentiability(degeneracy: degeneracy) }

    /// Simplex iterations.
    public var iterations: Int { basic.iterations }

    /// The derivative of `(x, rowDuals, value)` with respect to `(c, rhs)` at the optimal
    /// basis. Differentiability is decided per request (``LPModelDerivative``); when the
    /// zero test on the reduced costs finds candidates for dual degeneracy, the test of
    /// uniqueness of `x` (one auxiliary LP, see ``LPDifferentiability``) runs here.
    ///
    /// - Parameter solverOptions: GLPK's settings for that auxiliary LP.
    /// - Throws: ``LPError/notConverged(_:)`` when that test fails inside GLPK.
    public func derivative(solverOptions: LPOptions = .init()) throws -> LPModelDerivative {
        var degeneracy = self.degeneracy
        if let d = degeneracy, d.isDual, try form.optimumIsUnique(basic, options: solverOptions) {
            degeneracy = d.isPrimal ? LPDegeneracy(primal: d.primal) : nil
        }
        return LPModelDerivative(solution: self, degeneracy: degeneracy, smoothed: nil)
    }

    @available(*, deprecated, renamed: "derivative(solverOptions:)")
    public func derivative(options: LPOptions) throws -> LPModelDerivative {
        try derivative(solverOptions: options)
    }

    /// The derivative of the smoothed problem `min c'x + gamma/2 ||x||^2` (maximisation:
    /// `max c'x - gamma/2 ||x||^2`) over the same constraints, started from this vertex.
    /// It is computed on the dense ``LinearProgram`` form of the model, so the model must
    /// fit ``LPDataLimits/maximumDenseBytes``.
    ///
    /// - Parameters:
    ///   - solverOptions: GLPK's and the smoothed solver's settings.
    ///   - options: the implicit derivative's settings.
    public func smoothedDerivative(gamma: Double, solverOptions: LPOptions = .init(),
                                   options: ImplicitOptions = .init()) throws -> LPModelDerivative {
        let lp = try model.linearProgram()
        let vertex = try lp.solve(options: solverOptions)
        let smoothed = try lp.solveRegularized(gamma: gamma, startingFrom: vertex, options: solverOptions)
        let base = try smoothed.derivative(options: options)
        return LPModelDerivative(solution: self, degeneracy: nil, smoothed: LPModelSmoothing(map: LPModelRowMap(model), form: smoothed, base: base))
    }

    @available(*, deprecated, renamed: "smoothedDerivative(gamma:solverOptions:options:)")
    public func smoothedDerivative(gamma: Double, lpOptions: LPOptions,
                                   options: ImplicitOptions = .init()) throws -> LPModelDerivative {
        try smoothedDerivative(gamma: gamma, solverOptions: lpOptions, options: options)
    }

    /// The certificate on the ``LinearProgram`` form, in sparse rows: `[E rows; fixed
    /// columns]` as equalities, `[L rows; -G rows; column bounds]` as inequalities, with
    /// multipliers from the row duals `pi` and the reduced costs `d` of the form
    /// (`lambda = -pi` on an equality, `mu = -sign pi` on an inequality of sign `sign`, and
    /// the same with `d` on the active bound of a nonbasic column).
    static func check(model: LPModel, form: LPSolverForm, basic: LPBasicSolution, tolerance: Double) -> LPCertificate {
        let map = LPModelRowMap(model)
        let p = map.equalityCount, total = p + map.inequalityCount
        var rowStart = [Int](repeating: 0, count: total + 1)
        let k = form.matrix
        for (i, target) in map.rows.enumerated() {
            let r = Self.index(target, p)
            rowStart[r + 1] = k.rowStart[i + 1] - k.rowStart[i]
        }
        for (_, target) in map.bounds { rowStart[Self.index(target, p) + 1] = 1 }
        for r in 0..<total { rowStart[r + 1] += rowStart[r] }
        var columns = [Int](repeating: 0, count: rowStart[total]), values = [Double](repeating: 0, count: rowStart[total])
        var rhs = [Double](repeating: 0, count: total), y = [Double](repeating: 0, count: total)
        for (i, target) in map.rows.enumerated() {
            let r = Self.index(target, p), sign = Self.sign(target)
            var e = rowStart[r]
            for f in k.rowStart[i]..<k.rowStart[i + 1] {
                columns[e] = k.columnIndices[f]
                values[e] = sign * k.values[f]
                e += 1
            }
            rhs[r] = sign * model.rhs[i]
            y[r] = -sign * basic.rowDuals[i]
        }
        for (j, target) in map.bounds {
            let r = Self.index(target, p), sign = Self.sign(target)
            columns[rowStart[r]] = j
            values[rowStart[r]] = sign
            rhs[r] = sign > 0 || Self.isEquality(target) ? (Self.isEquality(target) ? model.columnLower[j] : model.columnUpper[j])
                : -model.columnLower[j]
            let status = basic.columnStatus[j]
            let active = Self.isEquality(target) || (sign < 0 ? status == GLP_NL : status == GLP_NU)
            y[r] = active ? -sign * basic.reducedCosts[j] : 0
        }
        let rows = LPSparseRows(rowCount: total, columnCount: model.columnCount, rowStart: rowStart,
                                columnIndices: columns, values: values)
        return LPCertificate.check(c: form.objective, matrix: rows, rhs: rhs, equalityCount: p,
                                   z: basic.x, y: y, tolerance: tolerance)
    }

    private static func index(_ t: LPModelRowMap.Target, _ p: Int) -> Int {
        switch t {
        case let .equality(r): return r
        case let .inequality(r, _): return p + r
        }
    }

    private static func sign(_ t: LPModelRowMap.Target) -> Double {
        switch t {
        case .equality: return 1
        case let .inequality(_, sign): return sign
        }
    }

    private static func isEquality(_ t: LPModelRowMap.Target) -> Bool {
        if case .equality = t { return true }
        return false
    }
}
