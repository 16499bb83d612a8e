import Glibc

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
    /// For matrix-free conditions solved by Krylov under `.automatic`: the dense
    /// factorisation that forward solves and many right-hand sides use, formed on first need.
    let deferred: DeferredFactorization?

    /// Chooses the solver and, for direct solves, factorises `A` (once).
    ///
    /// The structure hints of `options` (``ImplicitOptions/symmetric``,
    /// ``ImplicitOptions/positiveDefinite``) are added to what the conditions declare, after
    /// a probe confirms symmetry (`u'Av = v'Au` for two fixed vectors, by two products
    /// with `A'`); the same probe runs when CG or MINRES is chosen for conditions that do
    /// not declare symmetry, so that a symmetric method never runs on a non-symmetric `A`
    /// (its transposed solves would silently use `A` for `A'`).
    ///
    /// - Throws: ``ImplicitDifferentiationError/unsuitableLinearSolver(_:)`` when the probe
    ///   finds `A` not symmetric; ``ImplicitDifferentiationError/singularSystem(_:)`` when a
    ///   direct factorisation fails.
    public init(_ linearization: ConditionsLinearization, options: ImplicitOptions) throws {
        var lin = linearization
        self.options = options
        let n = lin.a.rowCount
        guard lin.a.columnCount == n else {
            throw ImplicitDifferentiationError.dimensionMismatch("dF/dy is \(n) x \(lin.a.columnCount); it must be square")
        }
        let symmetricMethod = options.linearSolver == .cg || options.linearSolver == .minres
        if !lin.isSymmetric && (options.symmetric || symmetricMethod) {
            let asymmetry = Self.asymmetry(of: lin.a)
            guard asymmetry <= Self.symmetryTolerance else {
                let why = options.symmetric ? "ImplicitOptions.symmetric declares dF/dy symmetric"
                    : "\(options.linearSolver.rawValue) needs a symmetric dF/dy"
                throw ImplicitDifferentiationError.unsuitableLinearSolver(
                    "\(why), but it is not: |u'Av - v'Au| / (|A'u||v| + |A'v||u|) = \(asymmetry) for fixed probe vectors u, v; "
                        + "use .gmres, .bicgstab, .direct or .automatic (which choose by the structure the conditions declare)")
            }
            lin.isSymmetric = true
        }
        if options.positiveDefinite { lin.isPositiveDefinite = true }
        self.linearization = lin
        var choice = options.linearSolver
        var deferDense = false
        if choice == .automatic {
            if lin.factorizedA != nil {
                choice = .direct
            } else if lin.isMatrixFree {
                if n <= options.matrixFreeDenseLimit {
                    choice = .direct
                } else {
                    choice = lin.isPositiveDefinite ? .cg : lin.isSymmetric ? .minres : .gmres
                    deferDense = true
                }
            } else if n <= Swift.min(options.denseLimit, lin.denseLimit ?? .max) {
                choice = .direct
            } else {
                choice = lin.isPositiveDefinite ? .cg : lin.isSymmetric ? .minres : .gmres
            }
        }
        if choice == .direct {
            if let f = lin.factorizedA {
                factorization = f
                method = "factorization"
            } else {
                (factorization, method) = try Self.factorize(lin)
            }
            krylov = nil
        } else {
            factorization = nil
            krylov = choice
            method = choice.rawValue
        }
        deferred = deferDense ? DeferredFactorization(lin) : nil
    }

    /// The system `A z = r` of a bare operator (no parameters): for conditions that reduce
    /// their linear system themselves (a Schur complement, the support block of a sparse
    /// fixed point) and solve the reduced one with the core's choice of method, checks and
    /// reports. `B` is empty.
    public init(operator a: any AdjointableLinearOperator, isSymmetric: Bool = false, isPositiveDefinite: Bool = false,
                preconditioner: ImplicitPreconditioner? = nil, denseLimit: Int? = nil, options: ImplicitOptions) throws {
        let empty = Matrix(rows: a.rowCount, columns: 0)
        try self.init(ConditionsLinearization(a: a, b: empty, isSymmetric: isSymmetric, isPositiveDefinite: isPositiveDefinite,
                                              preconditioner: preconditioner, denseLimit: denseLimit),
                      options: options)
    }

    /// Relative asymmetry of `A` below which it counts as symmetric (products with `A'`
    /// are exact up to rounding, so a symmetric `A` probes at ~1e-15).
    static let symmetryTolerance = 1e-8

    /// `|u'Av - v'Au| / (|A'u||v| + |A'v||u|)` for two fixed vectors, from two products
    /// with `A'` only (`u'(A'v) = v'Au`, `v'(A'u) = u'Av`): zero for symmetric `A`.
    static func asymmetry(of a: any AdjointableLinearOperator) -> Double {
        let n = a.rowCount
        let u = Vector((0..<n).map { i in sin(Double(i) * 1.618 + 0.3) })
        let v = Vector((0..<n).map { i in cos(Double(i) * 2.718 + 0.7) })
        let atv = a.applyTransposed(v).materialized(count: n), atu = a.applyTransposed(u).materialized(count: n)
        let scale = atu.norm * v.norm + atv.norm * u.norm
        guard scale > 0 else { return 0 }
        return abs(u.dot(atv) - v.dot(atu)) / scale
    }

    /// Whether many right-hand sides (a Jacobian) are solved with one factorisation.
    var factorizesForManyRightHandSides: Bool { factorization != nil || deferred != nil }

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
        if !transposed, let deferred {
            return try deferred.system().solve(rhs, transposed: false)
        }
        let z: Vector
        var report = LinearSolveReport(method: method)
        var measured = false
        if let f = factorization {
            if let (solution, residual) = f.solveMeasuringResidual(rhs, transposed: transposed) {
                (z, report.relativeResidual, measured) = (solution, residual, true)
            } else {
                z = transposed ? f.solveTransposed(rhs) : f.solve(rhs)
            }
        } else {
            (z, report) = try krylovSolve(rhs, transposed: transposed)
        }
        guard z.isFinite else { throw ImplicitDifferentiationError.nonFinite("the solution of the implicit linear system") }
        if factorization != nil, !measured {
            let az = transposed ? linearization.a.applyTransposed(z) : linearization.a.apply(z)
            let bnorm = rhs.norm
            report.relativeResidual = bnorm == 0 ? (az.norm) : (az - rhs).norm / bnorm
        }
        return (z, report)
    }

    /// `A^-1 R` for the columns of `R` (one LAPACK call when direct; matrix-free
    /// conditions under `.automatic` form and factorise `A` for it).
    public func solve(_ r: Matrix) throws -> (Matrix, LinearSolveReport) {
        if let deferred { return try deferred.system().solve(r) }
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

/// The dense direct system of matrix-free conditions, formed and factorised on first
/// need (forward mode, Jacobians) and kept. Not API.
final class DeferredFactorization {
    let linearization: ConditionsLinearization
    private var direct: ImplicitLinearSystem?

    init(_ linearization: ConditionsLinearization) { self.linearization = linearization }

    func system() throws -> ImplicitLinearSystem {
        if let direct { return direct }
        var lin = linearization
        lin.isMatrixFree = false
        let made = try ImplicitLinearSystem(lin, options: ImplicitOptions(linearSolver: .direct))
        direct = made
        return made
    }
}
