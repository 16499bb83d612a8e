/// The linear system `A z = r` / `A' z = r` of an implicit derivative, with the solver
/// chosen once: a dense factorisation is computed at construction and reused for every
/// right-hand side; Krylov methods run per right-hand side.
public struct ImplicitLinearSystem {
    /// `A`, `B` and what is known about `A`.
    public let linearization: ConditionsLinearization
    /// Which linear solver runs, and its tolerances.
    public let options: ImplicitOptions
    /// The factorisation in use, when the solve is direct.
    public let factorization: (any Factorization)?
    /// The name of the method in use.
    public let method: String
    let krylov: LinearSolverChoice?

    /// Chooses the solver and, for direct solves, factorises `A` (once).
    public init(_ linearization: ConditionsLinearization, options: ImplicitOptions) throws {
        self.linearization = linearization
        self.options = options
        let n = linearization.a.rowCount
        guard linearization.a.columnCount == n else {
            throw ImplicitDifferentiationError.dimensionMismatch("dF/dy is \(n) x \(linearization.a.columnCount); it must be square")
        }
        var choice = options.linearSolver
        if choice == .automatic {
            if linearization.factorizedA != nil || n <= options.denseLimit {
                choice = .direct
            } else {
                choice = linearization.isSymmetric ? .minres : .gmres
            }
        }
        if choice == .direct {
            if let f = linearization.factorizedA {
                factorization = f
                method = "factorization"
            } else {
                (factorization, method) = try Self.factorize(linearization)
            }
            krylov = nil
        } else {
            factorization = nil
            krylov = choice
            method = choice.rawValue
        }
    }

    /// Dense factorisation of `A`, exploiting the structure the conditions declare.
    static func factorize(_ lin: ConditionsLinearization) throws -> (any Factorization, String) {
        let a = lin.denseA()
        guard a.isFinite else { throw ImplicitDifferentiationError.nonFinite("dF/dy has NaN or infinite entries") }
        do {
            if lin.isPositiveDefinite, let c = try? CholeskyFactorization(a) { return (c, "cholesky") }
            if lin.isSymmetric { return (try SymmetricIndefiniteFactorization(a), "ldlt") }
            return (try LUFactorization(a), "lu")
        } catch let e as LinearAlgebraError {
            throw ImplicitDifferentiationError.singularSystem("\(e)")
        }
    }

    /// `A z = r`.
    public func solve(_ r: Vector) throws -> (Vector, LinearSolveReport) {
        try solve(r, transposed: false)
    }

    /// `A' z = r`.
    public func solveTransposed(_ r: Vector) throws -> (Vector, LinearSolveReport) {
        try solve(r, transposed: true)
    }

    func solve(_ r: Vector, transposed: Bool) throws -> (Vector, LinearSolveReport) {
        let n = linearization.a.rowCount
        let rhs = r.materialized(count: n)
        guard rhs.count == n else {
            throw ImplicitDifferentiationError.dimensionMismatch("right-hand side of length \(r.count) for \(n) unknowns")
        }
        guard rhs.isFinite else { throw ImplicitDifferentiationError.nonFinite("the right-hand side (cotangent or tangent)") }
        let z: Vector
        var report = LinearSolveReport(method: method)
        if let f = factorization {
            z = transposed ? f.solveTransposed(rhs) : f.solve(rhs)
        } else {
            (z, report) = try krylovSolve(rhs, transposed: transposed)
        }
        guard z.isFinite else { throw ImplicitDifferentiationError.nonFinite("the solution of the implicit linear system") }
        if factorization != nil {
            let az = transposed ? linearization.a.applyTransposed(z) : linearization.a.apply(z)
            let bnorm = rhs.norm
            report.relativeResidual = bnorm == 0 ? (az.norm) : (az - rhs).norm / bnorm
        }
        return (z, report)
    }

    /// `A^-1 R` for the columns of `R` (one LAPACK call when direct).
    public func solve(_ r: Matrix) throws -> (Matrix, LinearSolveReport) {
        if let f = factorization {
            let z = f.solve(r)
            guard z.isFinite else { throw ImplicitDifferentiationError.nonFinite("the solution of the implicit linear system") }
            var report = LinearSolveReport(method: method)
            if let a = linearization.a as? Matrix ?? (linearization.a as? DenseJacobianBlock)?.matrix, r.columns > 0 {
                let az = a * z
                let rn = Vector(r.scalars).norm
                report.relativeResidual = rn == 0 ? 0 : (Vector(az.scalars) - Vector(r.scalars)).norm / rn
            }
            return (z, report)
        }
        var out = Matrix(rows: r.rows, columns: r.columns)
        var report = LinearSolveReport(method: method)
        for j in 0..<r.columns {
            let (z, rep) = try solve(r.column(j))
            out.setColumn(j, to: z)
            report.merge(rep)
        }
        return (out, report)
    }
}
