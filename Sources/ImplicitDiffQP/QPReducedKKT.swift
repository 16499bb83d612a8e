/// The reduced KKT matrix of a QP on an active set, factorised once (LDL', LAPACK
/// `dsytrf`):
/// ```
///       [ Q    G_a'  A' ]        unknowns  [ z      ]
///   K = [ G_a  0     0  ]                  [ mu_a   ]
///       [ A    0     0  ]                  [ lambda ]
/// ```
/// where `G_a` holds the active inequality rows (``activeInequalities``) and `A` the
/// equality rows in use (``equalities``: all of them unless some were linearly dependent).
///
/// `K` is the Jacobian of the KKT conditions restricted to the active set; the polish
/// step of the solver solves `K [z; mu_a; lambda] = [-q; h_a; b]` with it, and every
/// derivative (pullback, pushforward, Jacobian column) reuses the same factorisation.
///
/// Mathematical properties: `K` is nonsingular exactly when the active constraint rows
/// `[G_a; A]` are linearly independent (LICQ) and `Q` is positive definite on their null
/// space (second-order sufficiency); then the solution is locally unique and, under strict
/// complementarity, a smooth function of the data.
public struct QPReducedKKT: Sendable {
    /// The shape of the problem.
    public let shape: QPShape
    /// Indices of the active inequalities (rows of `G`), increasing.
    public let activeInequalities: [Int]
    /// Indices of the equality rows in use (rows of `A`), increasing.
    public let equalities: [Int]
    /// The LDL' factorisation of `K`.
    public let factorization: SymmetricIndefiniteFactorization

    /// Order of `K`: `n + |active| + |equalities|`.
    public var dimension: Int { shape.n + activeInequalities.count + equalities.count }

    /// Assembles and factorises `K`.
    ///
    /// - Throws: ``QPError/notDifferentiable(_:)`` when `K` is singular, naming the
    ///   linearly dependent constraints or saying that the minimiser is not unique.
    public init(problem: QuadraticProgram, activeInequalities: [Int], equalities: [Int]? = nil) throws {
        let eq = equalities ?? Array(0..<problem.equalityCount)
        let k = QPReducedKKT.matrix(problem: problem, active: activeInequalities, equalities: eq)
        do {
            factorization = try SymmetricIndefiniteFactorization(k)
        } catch {
            throw QPError.notDifferentiable(QPReducedKKT.diagnoseSingular(problem: problem, active: activeInequalities, equalities: eq))
        }
        shape = problem.shape
        self.activeInequalities = activeInequalities
        self.equalities = eq
    }

    /// `K` (full symmetric storage), optionally regularised as
    /// `K + diag(delta I_n, -delta I)` (quasi-definite for `delta > 0` and `Q` PSD).
    static func matrix(problem p: QuadraticProgram, active: [Int], equalities eq: [Int],
                       regularization delta: Double = 0) -> Matrix {
        let n = p.variableCount, k = active.count, pe = eq.count
        let d = n + k + pe
        var s = [Double](repeating: 0, count: d * d)
        p.Q.scalars.withUnsafeBufferPointer { qp in
            for i in 0..<n {
                for j in 0..<n { s[i * d + j] = qp[i * n + j] }
                s[i * d + i] += delta
            }
        }
        func put(_ row: Int, _ source: Matrix, _ r: Int) {
            source.scalars.withUnsafeBufferPointer { sp in
                for j in 0..<n {
                    let v = sp[r * n + j]
                    s[row * d + j] = v
                    s[j * d + row] = v
                }
            }
            s[row * d + row] = -delta
        }
        for (t, i) in active.enumerated() { put(n + t, p.G, i) }
        for (t, i) in eq.enumerated() { put(n + k + t, p.A, i) }
        return Matrix(rows: d, columns: d, scalars: s)
    }

    /// Why `K` is singular: dependent constraint rows (named), or a non-unique minimiser.
    static func diagnoseSingular(problem p: QuadraticProgram, active: [Int], equalities eq: [Int]) -> String {
        let n = p.variableCount
        var rows = [Double]()
        rows.reserveCapacity((eq.count + active.count) * n)
        for i in eq { rows += p.A.row(i).scalars }
        for i in active { rows += p.G.row(i).scalars }
        let count = eq.count + active.count
        let (_, dependent) = QPKernels.pivotedRowRank(rows, rows: count, columns: n, tolerance: 1e-10)
        if !dependent.isEmpty {
            let names = dependent.map { $0 < eq.count ? "equality \(eq[$0])" : "inequality \(active[$0 - eq.count])" }
            return "the active constraints are linearly dependent (\(names.joined(separator: ", ")) depend on the others): the multipliers are not unique"
        }
        return "the reduced KKT matrix [Q G_a' A'; G_a 0 0; A 0 0] is singular: Q is singular on the null space of the active constraints, so the minimiser is not unique"
    }

    /// `K^-1 r`.
    public func solve(_ r: Vector) -> Vector { factorization.solve(r) }

    /// `K^-1 R` for the columns of `R`, in one LAPACK call.
    public func solve(_ r: Matrix) -> Matrix { factorization.solve(r) }

    /// `K v`, from the problem data (no stored copy of `K`).
    public func apply(_ v: Vector, problem p: QuadraticProgram) -> Vector {
        QPReducedKKT.product(problem: p, active: activeInequalities, equalities: equalities, v)
    }

    /// `K v` for the active set `active` and equality rows `eq`, from the data.
    static func product(problem p: QuadraticProgram, active: [Int], equalities eq: [Int], _ v: Vector) -> Vector {
        let n = p.variableCount, k = active.count
        let z = Array(v.scalars[0..<n])
        var out = QPKernels.gemv(p.Q.scalars, rows: n, columns: n, z)
        var tail = [Double](repeating: 0, count: k + eq.count)
        p.G.scalars.withUnsafeBufferPointer { g in
            for (t, i) in active.enumerated() {
                let mu = v[n + t]
                var dot = 0.0
                for j in 0..<n {
                    out[j] += g[i * n + j] * mu
                    dot += g[i * n + j] * z[j]
                }
                tail[t] = dot
            }
        }
        p.A.scalars.withUnsafeBufferPointer { a in
            for (t, i) in eq.enumerated() {
                let l = v[n + k + t]
                var dot = 0.0
                for j in 0..<n {
                    out[j] += a[i * n + j] * l
                    dot += a[i * n + j] * z[j]
                }
                tail[k + t] = dot
            }
        }
        return Vector(out + tail)
    }
}
