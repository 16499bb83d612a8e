/// Solves the implicit linear systems `A z = r` and `A' z = r` of a proximal fixed point
/// through the core's `ImplicitLinearSystem`, on the system the structure allows. Not API.
///
/// * Direct: the (reused or new) factorisation of `A`, or of `K_S` for a mask Jacobian.
/// * Krylov, mask Jacobian: the system is `blockdiag(K_S, I)`, so only `K_S z_S = r_S`
///   needs solving, matrix-free (one Hessian-vector product per iteration) on the
///   symmetric positive definite `|S| x |S|` system; every Krylov method applies (CG
///   under `.automatic`).
/// * Krylov, general Jacobian: `A = I - J + eta J H` is not symmetric; CG and MINRES are
///   replaced by GMRES (the report names the method that ran).
///
/// The core chooses nothing here that the options did not ask for; it runs the method,
/// recomputes the residual from `A z - r` and reports failures.
struct FixedPointLinearSolver {
    enum Engine {
        case direct(ImplicitLinearSystem)
        case reduced(support: [Int], system: ImplicitLinearSystem)
        case general(ImplicitLinearSystem)
    }

    let engine: Engine
    let dimension: Int

    /// The Krylov engine for `options` on the support block (mask Jacobians, `support`
    /// given) or on the general `A`.
    static func krylov(options: ImplicitOptions, support: [Int]?, reducedOperator: () -> FunctionOperator,
                       general: ConditionsLinearization) throws -> Engine {
        var o = options
        if let support {
            if o.linearSolver == .automatic { o.linearSolver = .cg }
            return .reduced(support: support, system: try ImplicitLinearSystem(
                operator: reducedOperator(), isSymmetric: true, isPositiveDefinite: true, options: o))
        }
        if [.automatic, .cg, .minres].contains(o.linearSolver) { o.linearSolver = .gmres }
        var lin = general
        lin.factorizedA = nil
        return .general(try ImplicitLinearSystem(lin, options: o))
    }

    /// The method's name for reports.
    var method: String {
        switch engine {
        case let .direct(system): return system.factorization is SupportBlockFactorization ? "cholesky" : system.method
        case let .reduced(_, system), let .general(system): return system.method
        }
    }

    /// The factorisation in use, when direct.
    var factorization: (any Factorization)? {
        if case let .direct(system) = engine { return system.factorization }
        return nil
    }

    /// `A z = r` (or `A' z = r`).
    func solve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        let rhs = r.materialized(count: dimension)
        guard rhs.isFinite else { throw ImplicitDifferentiationError.nonFinite("the right-hand side (cotangent or tangent)") }
        switch engine {
        case let .direct(system):
            // A support-block factorisation is symmetric and measures its residual on K_S.
            var (z, report) = transposed ? try system.solveTransposed(rhs) : try system.solve(rhs)
            report.method = method
            return (z, report)
        case let .reduced(support, system):
            var z = rhs
            let (zs, report) = try system.solve(Vector(support.map { rhs[$0] }))
            for (a, i) in support.enumerated() { z[i] = zs[a] }
            return (z, report)
        case let .general(system):
            return transposed ? try system.solveTransposed(rhs) : try system.solve(rhs)
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
