import _CGLPK

/// The sparse path of ``LPSolverForm`` (``LPSolverForm/usesGLPKBasis``): the basic
/// solution recomputed, and the derivatives' linear systems solved, with GLPK's own LU
/// factorisation of the optimal basis. Not API.
///
/// GLPK's variables are the rows' auxiliaries `x_R = K x_S` and the columns `x_S`; the
/// basis matrix `B` is made of the columns of `(I | -K)` named by the basis header, and
/// the nonbasic variables `x_N` sit at their active bounds. Then
/// ```
/// x_B = B^-1 b,   b = -(N x_N) = K_N x_SN - x_RN     (x_RN: the nonbasic rows' bounds)
/// lambda = B^-T c_B  (c = 0 on the auxiliaries),   pi = -lambda,   d = c - K' pi
/// ```
/// where `pi_i = d value / d (active bound of row i)` (GLPK's row dual) and `d` the
/// reduced costs. Each solve gets one step of iterative refinement against the form's own
/// sparse rows. Nothing of the basis's size is dense: GLPK's factorisation is sparse
/// (its LU with Schur-complement updates), and every vector here has `m` or `n` entries.
extension LPSolverForm {
    /// The basic solution of GLPK's current (optimal) basis, recomputed in double precision.
    func glpkBasicSolution(_ glp: GLPKProblem, rowStatus: [Int32], columnStatus: [Int32],
                           options: LPOptions) throws -> LPBasicSolution {
        let m = rowCount, n = columnCount
        let code = try glp.factorize()
        guard code == 0 else {
            throw LPError.notConverged("GLPK could not factorise the optimal basis (code \(code)): singular or ill-conditioned")
        }
        let basis = LPGLPKBasis(form: self, header: try glp.basisHeader(),
                                solve: { v, transposed in var w = v; try glp.solveBasis(&w, transposed: transposed); return w })
        // Nonbasic columns at their active bound, nonbasic rows' auxiliaries at theirs.
        var x = [Double](repeating: 0, count: n)
        for j in 0..<n where columnStatus[j] != GLP_BS {
            x[j] = Self.activeBound(columnStatus[j], lower: columnLower[j], upper: columnUpper[j])
        }
        var auxiliary = [Double](repeating: 0, count: m)
        for i in 0..<m where rowStatus[i] != GLP_BS {
            auxiliary[i] = Self.activeBound(rowStatus[i], lower: rowLower[i], upper: rowUpper[i])
        }
        // x_B = B^-1 (K_N x_SN - x_RN), then one refinement step on x_R - K x_S = 0.
        let xB = try basis.solveRefined(residual: { xb in
            var xs = x, xr = auxiliary
            basis.scatter(xb, columns: &xs, rows: &xr)
            let kx = matrix.times(xs)
            return (0..<m).map { xr[$0] - kx[$0] }
        }, transposed: false)
        basis.scatter(xB, columns: &x, rows: &auxiliary)
        // lambda = B^-T c_B, one refinement step; pi = -lambda.
        let cB = basis.header.map { $0 < m ? 0 : objective[$0 - m] }
        let lambda = try basis.solveRefined(residual: { l in
            let bl = basis.transposedTimes(l)
            return (0..<m).map { bl[$0] - cB[$0] }
        }, transposed: true)
        var pi = lambda.map { 0 - $0 }
        for i in 0..<m where rowStatus[i] == GLP_BS { pi[i] = 0 }
        let kpi = matrix.transposedTimes(pi)
        var reduced = (0..<n).map { objective[$0] - kpi[$0] }
        for j in 0..<n where columnStatus[j] == GLP_BS { reduced[j] = 0 }
        let solution = LPBasicSolution(
            x: x, rowActivity: matrix.times(x), rowDuals: pi, reducedCosts: reduced,
            basicColumns: (0..<n).filter { columnStatus[$0] == GLP_BS }, activeRows: (0..<m).filter { rowStatus[$0] != GLP_BS },
            rowStatus: rowStatus, columnStatus: columnStatus, basisFactorization: nil, iterations: try glp.iterationCount())
        var classified = classify(solution, options: options)
        if !classified.zeroReducedCost.isEmpty {
            var examined = [LPCandidateEdge]()
            classified.hasOptimalEdge = try hasOptimalEdge(classified, basis: basis, examined: &examined)
            classified.candidateEdges = examined
            classified.basisHeader = basis.header
        }
        return classified
    }

    /// Whether a nonbasic variable with zero reduced cost can enter the basis with a
    /// positive step: then the edge it opens is optimal (its cost changes by `d_q t = 0`)
    /// and `x` is not unique. One `ftran` per candidate (at most 200), with the
    /// factorisation the solve left: `alpha = B^-1 N_q`, the basic variables move by
    /// `-sigma t alpha` (`sigma = +1` from a lower bound, `-1` from an upper one), and the
    /// ratio test gives the longest step inside their bounds. A step beyond `1e-7`
    /// relative counts; a free candidate counts at once. No such edge does not prove
    /// uniqueness (several candidates may move together): the auxiliary LP of
    /// ``optimumIsUnique(_:options:)`` decides then, except for a single candidate, whose
    /// ratio test is already exact. `examined` receives the candidates whose edge was
    /// ratio-tested (all of them, when the answer is `false`, but those skipped: fixed
    /// ones, columns without ``columnMatrix``, beyond the first 200), with the movement of
    /// the basic variables along their edge when there are at most two candidates
    /// (``planarFaceIsPoint(_:candidates:)``).
    func hasOptimalEdge(_ s: LPBasicSolution, basis: LPGLPKBasis, examined: inout [LPCandidateEdge]) throws -> Bool {
        let m = rowCount
        func value(_ v: Int) -> Double { v < m ? s.rowActivity[v] : s.x[v - m] }
        func bounds(_ v: Int) -> (Double, Double) { v < m ? (rowLower[v], rowUpper[v]) : (columnLower[v - m], columnUpper[v - m]) }
        for q in s.zeroReducedCost.prefix(200) {
            let status = q < m ? s.rowStatus[q] : s.columnStatus[q - m]
            if status == GLP_NF { return true }
            guard status == GLP_NL || status == GLP_NU else { continue }
            let sigma: Double = status == GLP_NL ? 1 : -1
            // N_q: e_q for a row's auxiliary, -K_q for a column.
            var column = [Double](repeating: 0, count: m)
            if q < m {
                column[q] = 1
            } else if let k = columnMatrix {
                for e in k.columnStart[q - m]..<k.columnStart[q - m + 1] { column[k.rowIndices[e]] = -k.values[e] }
            } else {
                continue
            }
            let alpha = try basis.solve(column, false)
            let (lq, uq) = bounds(q)
            var step = uq - lq  // the candidate's own range
            let alphaScale = alpha.reduce(0) { max($0, abs($1)) }
            let keep = s.zeroReducedCost.count <= 2
            var changes = keep ? [Double](repeating: 0, count: alpha.count) : []
            if keep {
                for k in 0..<alpha.count where abs(alpha[k]) > 1e-11 * max(1, alphaScale) { changes[k] = -sigma * alpha[k] }
            }
            for (k, v) in basis.header.enumerated() where abs(alpha[k]) > 1e-11 * max(1, alphaScale) {
                let change = -sigma * alpha[k]  // d value(v) / d t
                let (l, u) = bounds(v)
                let room = change > 0 ? u - value(v) : value(v) - l
                step = min(step, max(room, 0) / abs(change))
                if step <= 0 { break }
            }
            if step > 1e-7 * (1 + abs(value(q))) { return true }
            examined.append(LPCandidateEdge(candidate: q, range: uq - lq, changes: changes))
        }
        return false
    }

    /// Runs `body` with GLPK's factorisation of the basis given by the statuses (the
    /// optimal basis of an earlier ``solve(options:)``): the form is loaded and scaled as
    /// for the solve, the statuses set, and the basis factorised (`glp_factorize`), all
    /// inside one GLPK problem that is deleted when `body` returns.
    func withGLPKBasis<R>(rowStatus: [Int32], columnStatus: [Int32], _ body: (LPGLPKBasis) throws -> R) throws -> R {
        do {
            return try GLPKProblem.withProblem { glp in
                try glp.setMinimize(true)
                try glp.setSize(rows: rowCount, columns: columnCount)
                for j in 0..<columnCount {
                    try glp.setColumnBounds(j, lower: columnLower[j], upper: columnUpper[j])
                    try glp.setObjectiveCoefficient(j, objective[j])
                }
                for i in 0..<rowCount { try glp.setRowBounds(i, lower: rowLower[i], upper: rowUpper[i]) }
                if let columns = columnMatrix { try glp.loadColumns(columns) } else { try glp.loadMatrix(matrix) }
                try glp.scale()
                try glp.setStatuses(rows: rowStatus, columns: columnStatus)
                let code = try glp.factorize()
                guard code == 0 else {
                    throw LPError.notConverged("GLPK could not factorise the optimal basis (code \(code))")
                }
                let basis = LPGLPKBasis(form: self, header: try glp.basisHeader(),
                                        solve: { v, transposed in var w = v; try glp.solveBasis(&w, transposed: transposed); return w })
                return try body(basis)
            }
        } catch let failure as GLPKFailure {
            throw LPError.notConverged(failure.description)
        }
    }
}

/// GLPK's factorisation of an LP basis, usable only inside the call that made it
/// (``LPSolverForm/withGLPKBasis(rowStatus:columnStatus:_:)``). Not API.
///
/// `B` has one column per basis position `k`: `e_i` when ``header``[k] `= i < m` (row
/// `i`'s auxiliary variable), `-K_j` when it is `m + j` (column `j`).
struct LPGLPKBasis {
    let form: LPSolverForm
    /// The basic variable of each basis position (`i < m`: row `i`; `m + j`: column `j`).
    let header: [Int]
    /// GLPK's `B x = b` (`false`) or `B' x = b` (`true`).
    let solve: (_ b: [Double], _ transposed: Bool) throws -> [Double]

    var m: Int { form.rowCount }

    /// `B u`.
    func times(_ u: [Double]) -> [Double] {
        var xs = [Double](repeating: 0, count: form.columnCount), out = [Double](repeating: 0, count: m)
        for (k, v) in header.enumerated() {
            if v < m { out[v] += u[k] } else { xs[v - m] = u[k] }
        }
        let kx = form.matrix.times(xs)
        for i in 0..<m { out[i] -= kx[i] }
        return out
    }

    /// `B' w`.
    func transposedTimes(_ w: [Double]) -> [Double] {
        let kw = form.matrix.transposedTimes(w)
        return header.map { $0 < m ? w[$0] : -kw[$0 - m] }
    }

    /// Writes basis-ordered values into the columns and rows they belong to.
    func scatter(_ values: [Double], columns: inout [Double], rows: inout [Double]) {
        for (k, v) in header.enumerated() {
            if v < m { rows[v] = values[k] } else { columns[v - m] = values[k] }
        }
    }

    /// The solution `u` of `B u = r` (`B' u = r` when `transposed`) for the `r` with
    /// `residual(u) = (B u or B' u) - r` (`residual(0) = -r`), with one step of
    /// iterative refinement: `u = B^-1 r`, then `u -= B^-1 residual(u)`.
    func solveRefined(residual: ([Double]) -> [Double], transposed: Bool) throws -> [Double] {
        let zero = [Double](repeating: 0, count: m)
        var u = try solve(residual(zero).map { 0 - $0 }, transposed)
        let correction = try solve(residual(u), transposed)
        for k in 0..<m { u[k] -= correction[k] }
        return u
    }

    /// `B^-1 r` with one refinement step.
    func solve(_ r: [Double]) throws -> [Double] {
        try solveRefined(residual: { u in let bu = times(u); return (0..<m).map { bu[$0] - r[$0] } }, transposed: false)
    }

    /// `B^-T r` with one refinement step.
    func solveTransposed(_ r: [Double]) throws -> [Double] {
        try solveRefined(residual: { u in let bu = transposedTimes(u); return (0..<m).map { bu[$0] - r[$0] } }, transposed: true)
    }
}
