extension ImplicitLinearSystem {
    /// The Krylov stopping rule of the implicit system: purely relative,
    /// `||A z - r|| <= linearTolerance * ||r||` (`atol = 0`), since cotangents and
    /// tangents can have any scale.
    var krylovOptions: KrylovOptions {
        KrylovOptions(absoluteTolerance: 0, relativeTolerance: options.linearTolerance,
                      maxIterations: options.linearMaxIterations, recordHistory: false)
    }

    /// One Krylov solve of `A z = r` or `A' z = r`; failures become
    /// ``ImplicitDifferentiationError/linearSolveFailed(_:)``.
    func krylovSolve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        let a = linearization.a
        let op: any AdjointableLinearOperator =
            transposed && !linearization.isSymmetric ? TransposedOperator(AnyAdjointable(a)) : AnyAdjointable(a)
        let o = krylovOptions
        do {
            let result: KrylovResult
            switch krylov ?? .gmres {
            case .cg: result = try ConjugateGradient(options: o).solve(AnyAdjointable(op), r)
            case .minres: result = try MINRES(options: o).solve(AnyAdjointable(op), r)
            case .bicgstab: result = try BiCGStab(options: o).solve(AnyAdjointable(op), r)
            case .lsqr: result = try LSQR(options: o).solve(AnyAdjointable(op), r, initialGuess: nil)
            case .gmres, .automatic, .direct: result = try GMRES(options: o).solve(AnyAdjointable(op), r)
            }
            // The residual each method tracks is a recurrence; recompute it honestly.
            let az = op.apply(result.solution)
            let rn = r.norm
            let rel = rn == 0 ? 0 : (az - r).norm / rn
            return (result.solution, LinearSolveReport(method: method, iterations: result.iterations, relativeResidual: rel))
        } catch let e as KrylovError {
            throw ImplicitDifferentiationError.linearSolveFailed(e)
        }
    }
}

/// A concrete wrapper of an existential operator, so generic solvers can take it. Not API.
struct AnyAdjointable: AdjointableLinearOperator {
    let base: any AdjointableLinearOperator
    init(_ base: any AdjointableLinearOperator) { self.base = base }
    var rowCount: Int { base.rowCount }
    var columnCount: Int { base.columnCount }
    func apply(_ v: Vector) -> Vector { base.apply(v) }
    func applyTransposed(_ v: Vector) -> Vector { base.applyTransposed(v) }
}
