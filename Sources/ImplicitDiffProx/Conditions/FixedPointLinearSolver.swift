/// Solves the implicit linear systems `A z = r` and `A' z = r` of a proximal fixed point
/// with the method the options ask for. Not API.
///
/// * Direct: the core's `ImplicitLinearSystem` with the (reused or new) factorisation.
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

    /// The core's rule for implicit systems: purely relative, `||A z - r|| <= tol ||r||`.
    var krylovOptions: KrylovOptions {
        KrylovOptions(absoluteTolerance: 0, relativeTolerance: options.linearTolerance,
                      maxIterations: options.linearMaxIterations, recordHistory: false)
    }

    /// One Krylov solve; the reported residual is recomputed from `A z - b` (not the
    /// method's recurrence), and failures become `ImplicitDifferentiationError.linearSolveFailed(_:)`.
    func run<Op: AdjointableLinearOperator>(_ choice: LinearSolverChoice, _ a: Op, _ b: Vector) throws -> (Vector, LinearSolveReport) {
        let o = krylovOptions
        do {
            let result: KrylovResult
            switch choice {
            case .lsqr: result = try LSQR(options: o).solve(a, b, initialGuess: nil)
            case .minres: result = try MINRES(options: o).solve(a, b)
            case .gmres: result = try GMRES(options: o).solve(a, b)
            case .bicgstab: result = try BiCGStab(options: o).solve(a, b)
            case .cg, .automatic, .direct: result = try ConjugateGradient(options: o).solve(a, b)
            }
            let bn = b.norm
            let residual = bn == 0 ? 0 : (a.apply(result.solution) - b).norm / bn
            return (result.solution, LinearSolveReport(method: choice.rawValue, iterations: result.iterations,
                                                      relativeResidual: residual))
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
            if let f = system.factorization as? SupportBlockFactorization {
                // Symmetric: one solve serves both; the residual is checked on K_S only.
                let z = f.solve(rhs)
                guard z.isFinite else { throw ImplicitDifferentiationError.nonFinite("the solution of the implicit linear system") }
                return (z, LinearSolveReport(method: method, relativeResidual: f.relativeResidual(solution: z, rightHandSide: rhs)))
            }
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
