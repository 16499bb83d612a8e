extension ImplicitLinearSystem {
    /// The Krylov stopping rule of the implicit system: purely relative,
    /// `||A z - r|| <= linearTolerance * ||r||` (`atol = 0`), since cotangents and
    /// tangents can have any scale.
    var krylovOptions: KrylovOptions {
        KrylovOptions(absoluteTolerance: 0, relativeTolerance: options.linearTolerance,
                      maxIterations: options.linearMaxIterations, restart: options.restart, recordHistory: false)
    }

    /// Factor between the residual a Krylov method tracks by its recurrence and the one
    /// recomputed from `A z - r` that is still accepted: rounding makes them drift apart
    /// by a small factor; a method run on an operator it does not suit (MINRES on a
    /// non-symmetric `A`) makes them disagree by orders of magnitude.
    static let residualDriftFactor = 1e3

    /// One Krylov solve of `A z = r` or `A' z = r`; failures become
    /// ``ImplicitDifferentiationError/linearSolveFailed(_:)``.
    ///
    /// A *breakdown* of the chosen method (CG on an indefinite `A`, such as a KKT matrix;
    /// BiCGStab when `r' A r = 0`) is not the end: the solve is repeated with a method
    /// that cannot break down that way (MINRES for symmetric `A`, GMRES otherwise), and the
    /// report names the method that produced the answer, e.g. `"minres (cg broke down)"`.
    /// Not converging within the iteration cap is an error for every method.
    func krylovSolve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        let a = linearization.a
        let op = AnyAdjointable(transposed && !linearization.isSymmetric ? TransposedOperator(AnyAdjointable(a)) : a)
        let choice = krylov ?? .gmres
        let preconditioner = (options.preconditioner ?? linearization.preconditioner)?
            .krylovPreconditioner(transposed: transposed && !linearization.isSymmetric)
        do {
            return try krylovSolve(r, op, choice, name: method, preconditioner: preconditioner)
        } catch ImplicitDifferentiationError.linearSolveFailed(KrylovError.breakdown) where choice == .cg || choice == .bicgstab {
            let fallback: LinearSolverChoice = linearization.isSymmetric ? .minres : .gmres
            return try krylovSolve(r, op, fallback, name: "\(fallback.rawValue) (\(choice.rawValue) broke down)",
                                   preconditioner: fallback == .minres ? nil : preconditioner)
        }
    }

    /// One solve by `choice`, with the residual recomputed from `A z - r`: the answer is
    /// returned only when that honest residual is within ``residualDriftFactor`` of the
    /// stopping rule.
    func krylovSolve(_ r: Vector, _ op: AnyAdjointable, _ choice: LinearSolverChoice, name: String,
                     options o: KrylovOptions? = nil, preconditioner: (any Preconditioner)? = nil) throws -> (Vector, LinearSolveReport) {
        let o = o ?? krylovOptions
        do {
            let result: KrylovResult
            switch choice {
            case .cg: result = try ConjugateGradient(options: o).solve(op, r, initialGuess: nil, preconditioner: preconditioner)
            case .minres: result = try MINRES(options: o).solve(op, r, initialGuess: nil, preconditioner: preconditioner)
            case .bicgstab: result = try BiCGStab(options: o).solve(op, r, initialGuess: nil, preconditioner: preconditioner)
            case .lsqr: result = try LSQR(options: o).solve(op, r, initialGuess: nil)
            case .gmres, .automatic, .direct: result = try GMRES(options: o).solve(op, r, initialGuess: nil, preconditioner: preconditioner)
            }
            // The residual each method tracks is a recurrence; recompute it honestly.
            let az = op.apply(result.solution)
            let rn = r.norm
            let residual = (az - r).norm
            let rel = rn == 0 ? 0 : residual / rn
            if choice != .lsqr, rel > Self.residualDriftFactor * Swift.max(o.relativeTolerance, 1e-13) {
                throw KrylovError.notConverged(method: name, iterations: result.iterations, residual: residual, relativeResidual: rel)
            }
            return (result.solution, LinearSolveReport(method: name, iterations: result.iterations, relativeResidual: rel))
        } catch let e as KrylovError {
            throw ImplicitDifferentiationError.linearSolveFailed(e)
        }
    }
}

extension ImplicitLinearSystem {
    /// Relative residual of the Krylov solve that estimates the conditions' Newton
    /// correction for the residual check: `||delta||` is needed to about this accuracy,
    /// not to `linearTolerance`.
    static let correctionTolerance = 1e-2

    /// `||A^-1 f||_inf`, the Newton correction of the residual check: one solve with the
    /// factorisation, or a Krylov solve to ``correctionTolerance`` (the method chosen for
    /// the derivative; MINRES/GMRES when CG/BiCGStab break down). `approximateA` stands in
    /// for `A v` when given (matrix-free conditions, whose `A v` would otherwise form `A`:
    /// a central difference of `F` is accurate far beyond the estimate's 1e-2).
    func correction(_ f: Vector, approximateA: ((Vector) -> Vector)? = nil) throws -> Double {
        let n = linearization.a.rowCount
        let rhs = f.materialized(count: n)
        let delta: Vector
        if let factorization {
            delta = factorization.solve(rhs)
        } else {
            let o = KrylovOptions(absoluteTolerance: 0,
                                  relativeTolerance: Swift.max(options.linearTolerance, Self.correctionTolerance),
                                  maxIterations: options.linearMaxIterations, recordHistory: false)
            let op = approximateA.map { apply in
                AnyAdjointable(ApproximateOperator(size: n, product: apply, exact: linearization.a))
            } ?? AnyAdjointable(linearization.a)
            let choice = krylov ?? .gmres
            do {
                delta = try krylovSolve(rhs, op, choice, name: method, options: o).0
            } catch ImplicitDifferentiationError.linearSolveFailed(KrylovError.breakdown) where choice == .cg || choice == .bicgstab {
                delta = try krylovSolve(rhs, op, linearization.isSymmetric ? .minres : .gmres, name: method, options: o).0
            }
        }
        // A non-finite correction (A numerically singular) cannot certify y.
        return delta.isFinite ? delta.maxNorm : .infinity
    }
}

/// `A` with its product `A v` approximated (the transpose stays exact). Not API.
struct ApproximateOperator: AdjointableLinearOperator {
    let size: Int
    let product: (Vector) -> Vector
    let exact: any AdjointableLinearOperator
    var rowCount: Int { size }
    var columnCount: Int { size }
    func apply(_ v: Vector) -> Vector { product(v) }
    func applyTransposed(_ v: Vector) -> Vector { exact.applyTransposed(v) }
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
