import ImplicitDiffCore

/// A sparse convex quadratic program in the Maros-Meszaros (OSQP) form
/// ```
/// minimize    1/2 z'P z + q'z
/// subject to  l <= A z <= u          (m two-sided rows; l_i = u_i is an equality)
///             lb <= z <= ub          (variable bounds)
/// ```
/// with `P` (`n x n`, symmetric positive semidefinite, both triangles stored) and `A`
/// (`m x n`) ``SparseMatrix`` values; infinite entries of `l, u, lb, ub` mean "no bound".
/// Bounds are first class: they are never rows of `A`, so the solver eliminates them into
/// the diagonal of its KKT systems.
///
/// The Lagrangian, which fixes the signs of the multipliers, is
/// ```
/// L(z, y, w) = 1/2 z'P z + q'z + y'(A z) + w'z - sum_i (u_i y_i+ - l_i y_i-) - sum_j (ub_j w_j+ - lb_j w_j-)
/// ```
/// so that stationarity reads `P z + q + A'y + w = 0`, and `y_i > 0` means the upper side
/// `A_i z = u_i` binds, `y_i < 0` the lower side (the OSQP convention; `w` likewise for the
/// bounds).
///
/// ``solve(options:)`` runs a sparse primal-dual interior point and polishes its answer
/// to an exact KKT point on the identified active set (``SparseQPSolver``); the answer is
/// certified (``SparseQPResidual``) before it is returned.
public struct SparseQuadraticProgram: Sendable, Equatable {
    /// The quadratic term (`n x n`, symmetric, both triangles stored).
    public let P: SparseMatrix
    /// The linear term (`n`).
    public let q: Vector
    /// The constraint matrix (`m x n`).
    public let A: SparseMatrix
    /// Lower row bounds (`m`, `-infinity` allowed).
    public let l: Vector
    /// Upper row bounds (`m`, `+infinity` allowed).
    public let u: Vector
    /// Lower variable bounds (`n`, `-infinity` allowed).
    public let lb: Vector
    /// Upper variable bounds (`n`, `+infinity` allowed).
    public let ub: Vector

    /// A validated sparse QP. `A`, `l`, `u` may be omitted together (no rows); `lb`, `ub`
    /// default to no bounds.
    ///
    /// - Throws: ``QPError/dimensionMismatch(_:)`` (shapes, `l_i > u_i`, `lb_j > ub_j`),
    ///   ``QPError/nonFinite(_:)`` (NaN anywhere, infinity in `P`, `q`, `A`),
    ///   ``QPError/nonSymmetric(asymmetry:relative:)`` (`P` differs from `P'` by more than
    ///   ``QuadraticProgram/symmetryTolerance`` relative to `max |P_ij|`, or its pattern is
    ///   not symmetric: both triangles must be stored).
    public init(P: SparseMatrix, q: Vector, A: SparseMatrix? = nil, l: Vector? = nil, u: Vector? = nil,
                lb: Vector? = nil, ub: Vector? = nil) throws {
        let n = q.count
        guard P.rows == n, P.columns == n else {
            throw QPError.dimensionMismatch("P is \(P.rows) x \(P.columns) but q has \(n) entries")
        }
        let a = A ?? SparseMatrix.zeros(rows: 0, columns: n)
        let m = a.rows
        guard a.columns == n else { throw QPError.dimensionMismatch("A has \(a.columns) columns but q has \(n) entries") }
        let lo = l ?? Vector(repeating: -.infinity, count: m), up = u ?? Vector(repeating: .infinity, count: m)
        guard lo.count == m, up.count == m else {
            throw QPError.dimensionMismatch("A has \(m) rows but l has \(lo.count) and u has \(up.count) entries")
        }
        let blo = lb ?? Vector(repeating: -.infinity, count: n), bup = ub ?? Vector(repeating: .infinity, count: n)
        guard blo.count == n, bup.count == n else {
            throw QPError.dimensionMismatch("z has \(n) entries but lb has \(blo.count) and ub has \(bup.count)")
        }
        guard P.isFinite else { throw QPError.nonFinite("P") }
        guard q.isFinite else { throw QPError.nonFinite("q") }
        guard a.isFinite else { throw QPError.nonFinite("A") }
        for (name, v) in [("l", lo), ("u", up), ("lb", blo), ("ub", bup)] where v.scalars.contains(where: \.isNaN) {
            throw QPError.nonFinite(name)
        }
        for i in 0..<m where !(lo[i] <= up[i]) || lo[i] == .infinity || up[i] == -.infinity {
            throw QPError.dimensionMismatch("row \(i): l = \(lo[i]) and u = \(up[i]) admit no value")
        }
        for j in 0..<n where !(blo[j] <= bup[j]) || blo[j] == .infinity || bup[j] == -.infinity {
            throw QPError.dimensionMismatch("variable \(j): lb = \(blo[j]) and ub = \(bup[j]) admit no value")
        }
        let pt = P.transposed
        guard pt.columnStart == P.columnStart, pt.rowIndices == P.rowIndices else {
            // Patterns differ (e.g. only one triangle given): report max |P_ij - P_ji| over
            // the union of the patterns. Both triangles must be stored, on a symmetric
            // pattern, so that gradients live on the stored entries.
            var ri = P.rowIndices, ci = [Int](), v = P.values
            for j in 0..<n { for _ in P.columnStart[j]..<P.columnStart[j + 1] { ci.append(j) } }
            for j in 0..<n {
                for e in P.columnStart[j]..<P.columnStart[j + 1] { ri.append(j); ci.append(P.rowIndices[e]); v.append(-P.values[e]) }
            }
            let diff = try! SparseMatrix(rows: n, columns: n, rowIndices: ri, columnIndices: ci, values: v)
            let asym = diff.maxNorm, scale = P.maxNorm
            throw QPError.nonSymmetric(asymmetry: asym, relative: scale > 0 ? asym / scale : .infinity)
        }
        var asym = 0.0
        for e in 0..<P.nonZeroCount { asym = Swift.max(asym, abs(P.values[e] - pt.values[e])) }
        let scale = P.maxNorm
        if asym > QuadraticProgram.symmetryTolerance * scale {
            throw QPError.nonSymmetric(asymmetry: asym, relative: scale > 0 ? asym / scale : .infinity)
        }
        let sym = asym == 0 ? P : P.withValues((0..<P.nonZeroCount).map { 0.5 * (P.values[$0] + pt.values[$0]) })
        self.init(unchecked: sym, q, a, lo, up, blo, bup)
    }

    init(unchecked P: SparseMatrix, _ q: Vector, _ A: SparseMatrix, _ l: Vector, _ u: Vector, _ lb: Vector, _ ub: Vector) {
        self.P = P
        self.q = q
        self.A = A
        self.l = l
        self.u = u
        self.lb = lb
        self.ub = ub
    }

    /// The QP `min 1/2 z'Qz + q'z  s.t.  A_eq z = b, l <= G z <= h, lb <= z <= ub` (the
    /// form of ``QuadraticProgram`` with optional lower sides and bounds) on sparse data:
    /// rows `[A_eq; G]` with `l = [b; l or -inf]`, `u = [b; h]`. The stacked matrix stores,
    /// column by column, the entries of `A_eq` then those of `G`.
    public init(Q: SparseMatrix, q: Vector, equalities: SparseMatrix? = nil, b: Vector? = nil,
                inequalities: SparseMatrix? = nil, h: Vector? = nil, l: Vector? = nil,
                lb: Vector? = nil, ub: Vector? = nil) throws {
        let n = q.count
        let ae = equalities ?? .zeros(rows: 0, columns: n), g = inequalities ?? .zeros(rows: 0, columns: n)
        let bb = b ?? Vector.zeros(0), hh = h ?? Vector.zeros(0)
        guard ae.rows == bb.count, g.rows == hh.count, ae.columns == n, g.columns == n, (l?.count ?? hh.count) == hh.count else {
            throw QPError.dimensionMismatch("A is \(ae.rows) x \(ae.columns) with \(bb.count) right-hand sides, G is \(g.rows) x \(g.columns) with \(hh.count) (and \(l?.count ?? hh.count) lower sides), z has \(n) entries")
        }
        try self.init(P: Q, q: q, A: SparseMatrix.stacked(ae, g),
                      l: Vector(bb.scalars + (l?.scalars ?? [Double](repeating: -.infinity, count: hh.count))),
                      u: Vector(bb.scalars + hh.scalars), lb: lb, ub: ub)
    }

    /// Number of variables `n`.
    public var variableCount: Int { q.count }
    /// Number of rows `m` of `A`.
    public var rowCount: Int { A.rows }

    /// The objective `1/2 z'P z + q'z`.
    public func objective(at z: Vector) -> Double { 0.5 * z.dot(P * z) + q.dot(z) }

    /// Solves and certifies (see ``SparseQPSolver``).
    ///
    /// - Throws: ``QPError/infeasible(_:)``, ``QPError/unbounded(_:)``,
    ///   ``QPError/nonConvex(_:)``, ``QPError/notConverged(iterations:residual:)``,
    ///   ``QPError/invalidOptions(_:)``, and ``SparseQPError/uncertified(_:tolerance:)``
    ///   when the answer fails the independent check.
    public func solve(options: QPSolverOptions = .init()) throws -> SparseQPSolution {
        try SparseQPSolver(problem: self, options: options).solve()
    }
}

extension SparseMatrix {
    /// `[top; bottom]` (same column count), `O(nnz)`.
    static func stacked(_ top: SparseMatrix, _ bottom: SparseMatrix) -> SparseMatrix {
        precondition(top.columns == bottom.columns)
        var start = [0], rows = [Int](), values = [Double]()
        rows.reserveCapacity(top.nonZeroCount + bottom.nonZeroCount)
        values.reserveCapacity(top.nonZeroCount + bottom.nonZeroCount)
        for j in 0..<top.columns {
            for e in top.columnStart[j]..<top.columnStart[j + 1] { rows.append(top.rowIndices[e]); values.append(top.values[e]) }
            for e in bottom.columnStart[j]..<bottom.columnStart[j + 1] {
                rows.append(top.rows + bottom.rowIndices[e]); values.append(bottom.values[e])
            }
            start.append(rows.count)
        }
        return try! SparseMatrix(rows: top.rows + bottom.rows, columns: top.columns, columnStart: start,
                                 rowIndices: rows, values: values)
    }
}
