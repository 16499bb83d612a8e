/// Solves the implicit linear systems `A z = r` and `A' z = r` of a proximal fixed point
/// with the method the options ask for. Not API.
///
/// * Direct: the core's ``ImplicitLinearSystem`` with the (reused or new) factorisation.
/// * Krylov, mask Jacobian: the system is `blockdiag(K_S, I)`, so only `K_S z_S = r_S`
///   needs solving, matrix-free (one Hessian-vector product per iteration) on the
///   symmetric positive definite `|S| x |S|` system; every Krylov method applies.
/// * Krylov, general Jacobian: `A = I - J + eta J H` is not symmetric; CG and MINRES are
///   replaced by GMRES (the report names the method that ran).
struct FixedPointLinearSolver {
    enum Engine {
        case direct(ImplicitLinearSystem)
        case reduced(support: [Int], operator: FunctionOperator, method: LinearSolverChoice)
        case general(operator: any AdjointableLinearOperator, method: LinearSolverChoice)
    }

    let engine: Engine
    let dimension: Int
    let options: ImplicitOptions

    /// The method's name for reports.
    var method: String {
        switch engine {
        case let .direct(system): return system.factorization is SupportBlockFactorization ? "cholesky" : system.method
        case let .reduced(_, _, m), let .general(_, m): return m.rawValue
        }
    }

    /// The factorisation in use, when direct.
    var factorization: (any Factorization)? {
        if case let .direct(system) = engine { return system.factorization }
        return nil
    }

    func krylov(_ choice: LinearSolverChoice) -> any KrylovSolver {
        let k = KrylovOptions(absoluteTolerance: 1e-3 * options.linearTolerance, relativeTolerance: options.linearTolerance,
                              maxIterations: options.linearMaxIterations, recordHistory: false)
        switch choice {
        case .minres: return MINRES(options: k)
        case .gmres: return GMRES(options: k)
        case .bicgstab: return BiCGStab(options: k)
        default: return ConjugateGradient(options: k)
        }
    }

    func run<Op: AdjointableLinearOperator>(_ choice: LinearSolverChoice, _ a: Op, _ b: Vector) throws -> (Vector, LinearSolveReport) {
        do {
            if choice == .lsqr {
                let k = KrylovOptions(absoluteTolerance: 1e-3 * options.linearTolerance,
                                      relativeTolerance: options.linearTolerance,
                                      maxIterations: options.linearMaxIterations, recordHistory: false)
                let r = try LSQR(options: k).solve(a, b)
                let residual = (a.apply(r.solution) - b).norm / Swift.max(b.norm, Double.leastNormalMagnitude)
                return (r.solution, LinearSolveReport(method: "lsqr", iterations: r.iterations, relativeResidual: residual))
            }
            let r = try krylov(choice).solve(a, b)
            return (r.solution, LinearSolveReport(method: choice.rawValue, iterations: r.iterations,
                                                  relativeResidual: r.relativeResidual))
        } catch let e as KrylovError {
            throw ImplicitDifferentiationError.linearSolveFailed(e)
        }
    }

    /// `A z = r` (or `A' z = r`).
    func solve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        let rhs = r.materialized(count: dimension)
        guard rhs.isFinite else { throw ImplicitDifferentiationError.nonFinite("the right-hand side (cotangent or tangent)") }
        switch engine {
        case let .direct(system):
            var (z, report) = transposed ? try system.solveTransposed(rhs) : try system.solve(rhs)
            report.method = method
            return (z, report)
        case let .reduced(support, op, choice):
            var z = rhs
            let (zs, report) = try run(choice, op, Vector(support.map { rhs[$0] }))
            for (a, i) in support.enumerated() { z[i] = zs[a] }
            return (z, report)
        case let .general(op, choice):
            if transposed { return try run(choice, TransposedOperator(AnyAdjointable(op)), rhs) }
            return try run(choice, AnyAdjointable(op), rhs)
        }
    }

    /// `A Z = R` column by column (one factorised multi-right-hand-side solve when direct).
    func solve(_ r: Matrix) throws -> Matrix {
        if case let .direct(system) = engine { return try system.solve(r).0 }
        var out = Matrix(rows: r.rows, columns: r.columns)
        for j in 0..<r.columns { out.setColumn(j, to: try solve(r.column(j), transposed: false).0) }
        return out
    }
}

/// Opens an existential operator for the generic Krylov methods. Not API.
struct AnyAdjointable: AdjointableLinearOperator {
    let base: any AdjointableLinearOperator
    init(_ base: any AdjointableLinearOperator) { self.base = base }
    var rowCount: Int { base.rowCount }
    var columnCount: Int { base.columnCount }
    func apply(_ v: Vector) -> Vector { base.apply(v) }
    func applyTransposed(_ v: Vector) -> Vector { base.applyTransposed(v) }
}
