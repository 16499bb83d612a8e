import _CGLPK

/// A linear program with sparse constraint matrices, solved by GLPK's simplex on the
/// sparse data and differentiated with GLPK's factorisation of the optimal basis:
/// ```
/// minimize  c'z   subject to   A z = b,   G z <= h
/// ```
/// with the multipliers of ``LinearProgram`` (`lambda`, `mu >= 0` of the Lagrangian
/// `c'z + lambda'(A z - b) + mu'(G z - h)`). `A` and `G` are the core's ``SparseMatrix``
/// (compressed columns); their gradients live on their stored patterns
/// (``SparseLinearProgramDerivative``). Nothing of size rows x columns, or of the basis's
/// size squared, is dense: GLPK gets the matrix column by column, the vertex and the
/// multipliers are recomputed from the optimal basis with GLPK's own sparse LU of it,
/// and the answer is checked (``LPCertificate``) on the sparse rows.
///
/// GLPK's form has the rows `[A; G]` (`b <= A z <= b`, `G z <= h`) and free columns; it
/// is solved as `glpsol --nopresol` solves a model (automatic scaling, advanced initial
/// basis, primal simplex). Variable bounds are rows of `G`, as in ``LinearProgram``.
public struct SparseLinearProgram: Sendable {
    /// Objective `c` (n).
    public let c: Vector
    /// Equality matrix `A` (p x n).
    public let A: SparseMatrix
    /// Equality right-hand side `b` (p).
    public let b: Vector
    /// Inequality matrix `G` (m x n).
    public let G: SparseMatrix
    /// Inequality right-hand side `h` (m).
    public let h: Vector

    /// Validates shapes, finiteness and the ranges of ``LPDataLimits`` (entries of `A`
    /// and `G` stored as explicit zeros are allowed); throws ``LPError/invalidProblem(_:)``.
    public init(c: Vector, A: SparseMatrix? = nil, b: Vector? = nil, G: SparseMatrix? = nil, h: Vector? = nil) throws {
        let n = c.count
        guard n >= 1 else { throw LPError.invalidProblem("c is empty: there must be at least one variable") }
        guard (A == nil) == (b == nil) else { throw LPError.invalidProblem("A and b must be given together") }
        guard (G == nil) == (h == nil) else { throw LPError.invalidProblem("G and h must be given together") }
        let a = A ?? .zeros(rows: 0, columns: n), g = G ?? .zeros(rows: 0, columns: n)
        let bb = b ?? Vector([]), hh = h ?? Vector([])
        guard a.columns == n || a.rows == 0 else { throw LPError.invalidProblem("A has \(a.columns) columns but c has \(n) entries") }
        guard g.columns == n || g.rows == 0 else { throw LPError.invalidProblem("G has \(g.columns) columns but c has \(n) entries") }
        guard a.rows == bb.count else { throw LPError.invalidProblem("A has \(a.rows) rows but b has \(bb.count) entries") }
        guard g.rows == hh.count else { throw LPError.invalidProblem("G has \(g.rows) rows but h has \(hh.count) entries") }
        guard c.isFinite, bb.isFinite, hh.isFinite, a.isFinite, g.isFinite else {
            throw LPError.invalidProblem("c, A, b, G or h has non-finite entries")
        }
        try LPDataLimits.check(c, "c")
        try LPDataLimits.check(bb, "b")
        try LPDataLimits.check(hh, "h")
        for (m, name) in [(a, "A"), (g, "G")] {
            for j in 0..<m.columns {
                for e in m.columnStart[j]..<m.columnStart[j + 1] where m.values[e] != 0 {
                    let v = abs(m.values[e])
                    guard v <= LPDataLimits.maximumMagnitude, v >= LPDataLimits.minimumMatrixMagnitude else {
                        throw LPError.invalidProblem(
                            "\(name)[\(m.rowIndices[e]), \(j)] = \(m.values[e]) is outside the range GLPK's scaling can "
                                + "represent (non-zero entries between \(LPDataLimits.minimumMatrixMagnitude) and "
                                + "\(LPDataLimits.maximumMagnitude) in magnitude)")
                    }
                }
            }
        }
        self.c = c
        self.A = a.rows == 0 ? .zeros(rows: 0, columns: n) : a
        self.b = bb
        self.G = g.rows == 0 ? .zeros(rows: 0, columns: n) : g
        self.h = hh
    }

    /// `[A; G]` in compressed columns (rows of `A` first).
    var stacked: SparseMatrix {
        let p = A.rows, n = c.count
        var start = [0], rows = [Int](), values = [Double]()
        start.reserveCapacity(n + 1)
        rows.reserveCapacity(A.nonZeroCount + G.nonZeroCount)
        values.reserveCapacity(A.nonZeroCount + G.nonZeroCount)
        for j in 0..<n {
            for e in A.columnStart[j]..<A.columnStart[j + 1] { rows.append(A.rowIndices[e]); values.append(A.values[e]) }
            for e in G.columnStart[j]..<G.columnStart[j + 1] { rows.append(p + G.rowIndices[e]); values.append(G.values[e]) }
            start.append(rows.count)
        }
        // Rows strictly increase within each column: A's rows, then G's shifted by p.
        return try! SparseMatrix(rows: p + G.rows, columns: n, columnStart: start, rowIndices: rows, values: values)
    }

    /// The solver's form (see the type's description).
    var solverForm: LPSolverForm {
        let p = A.rows, m = G.rows, n = c.count
        let k = stacked, rowsT = k.transposed
        var form = LPSolverForm(
            objective: c.scalars,
            matrix: LPSparseRows(rowCount: p + m, columnCount: n, rowStart: rowsT.columnStart,
                                 columnIndices: rowsT.rowIndices, values: rowsT.values),
            rowLower: b.scalars + [Double](repeating: -.infinity, count: m),
            rowUpper: b.scalars + h.scalars,
            columnLower: [Double](repeating: -.infinity, count: n),
            columnUpper: [Double](repeating: .infinity, count: n),
            rowName: { i in i < p ? "equality row \(i)" : "inequality row \(i - p)" },
            columnName: { j in "variable z[\(j)] (free, nonbasic)" })
        form.usesGLPKBasis = true
        form.columnMatrix = k
        return form
    }

    /// The dense ``LinearProgram`` with the same data, when it has at most `entries`
    /// matrix entries (`nil` otherwise): used only for the certificates of infeasibility
    /// and unboundedness and for the smoothed derivative (`lp_smoothing`).
    public func denseProgram(maximumEntries entries: Int = 1 << 20) throws -> LinearProgram? {
        let n = c.count
        guard (A.rows + G.rows).multipliedReportingOverflow(by: n).partialValue <= entries,
              !(A.rows + G.rows).multipliedReportingOverflow(by: n).overflow else { return nil }
        return try LinearProgram(c: c, A: A.rows > 0 ? A.dense : nil, b: A.rows > 0 ? b : nil,
                                 G: G.rows > 0 ? G.dense : nil, h: G.rows > 0 ? h : nil)
    }

    /// Solves with GLPK's simplex (see the type's description), recomputes the vertex and
    /// multipliers from the optimal basis, and checks them (``LPCertificate``) on this
    /// problem's sparse data before returning them.
    ///
    /// - Throws: ``LPError/notConverged(_:)`` (also for an answer that fails its check);
    ///   ``LPError/infeasible(_:)`` / ``LPError/unbounded(_:)`` when certified, which is
    ///   done on the dense form for problems of at most 2^20 matrix entries; larger
    ///   problems report GLPK's verdict as ``LPError/notConverged(_:)`` (uncertified).
    public func solve(options: LPOptions = .init()) throws -> SparseLinearProgramSolution {
        let form = solverForm
        let basic = try form.solve(options: options) { try certifiedExit($0, options: options) }
        return try SparseLinearProgramSolution(problem: self, form: form, basic: basic, options: options)
    }

    /// GLPK's verdict "infeasible" or "unbounded", certified on the dense form when small.
    private func certifiedExit(_ why: String, options: LPOptions) throws -> LPError {
        guard let dense = try denseProgram() else {
            return .notConverged("GLPK stopped without an optimum (\(why)); the verdict is not certified for problems "
                                 + "of more than 2^20 matrix entries")
        }
        do {
            _ = try dense.solve(options: options)
            return .notConverged("GLPK stopped without an optimum on the sparse problem (\(why)) but found one on the dense form")
        } catch let e as LPError {
            return e
        }
    }
}
