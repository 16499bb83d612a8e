import _CGLPK

/// Whether the optimum `x` of an ``LPSolverForm`` is unique: the test behind
/// ``LPDifferentiability/solutionIsUnique`` for ``LPModel``s. Not API.
///
/// With `d` the reduced costs at the optimal basis, every feasible `x` has
/// `c'x - value = sum over nonbasic j of d_j (x_j - bound_j)`, each term `>= 0`. So the
/// optimal set is the feasible set with every nonbasic variable whose `d_j != 0` held at
/// its bound: a face `F`. The zero test on the reduced costs (``LPOptions``) only lists
/// the candidates `D` (nonbasic with `|d_j|` zero relative to its scale); at a
/// primal-degenerate vertex such a variable often cannot move at all (its entering step
/// is a degenerate pivot), and `x` is still unique. The test decides it with one more
/// LP, warm-started from the optimal basis (which stays feasible):
/// ```
/// maximize  sum over j in D of |x_j - bound_j|   (linear: each moves away from its bound)
/// over      F' = { feasible x : nonbasic variables outside D fixed at their bounds }
/// ```
/// `F' ⊇ F`, so a maximum of 0 proves `F = {x}` (unique), whatever the tolerance put in
/// `D`. A positive maximum shows another point of `F'`; it is optimal unless a `d_j`
/// in `D` is genuinely non-zero, and then `x` is reported as not unique (the safe side).
/// A free nonbasic variable in `D` (it could move both ways) is reported as not unique.
/// The forward solve has already tried each candidate alone (an `ftran` and a ratio test:
/// ``hasOptimalEdge(_:basis:examined:)``); an optimal edge found there settles it without
/// this LP. With one or two candidates `F'` is a segment or a polygon in their movements,
/// and is decided exactly from the edges the forward solve measured
/// (``planarFaceIsPoint(_:candidates:)``), without this LP.
/// The auxiliary LP runs in rounds of 50 simplex iterations and stops as soon as a
/// candidate has moved (greenbea: 0.1 s instead of a full solve).
extension LPSolverForm {
    /// Relative movement (to `1 + |bound|`) below which a candidate counts as not moving:
    /// above GLPK's primal feasibility tolerance (`1e-7`), so that rounding in GLPK's
    /// solution of the auxiliary LP is not taken for an edge.
    static let uniquenessMovementTolerance = 1e-6

    /// `true` when `x` is the only optimum (see above); `basic.zeroReducedCost` lists `D`.
    func optimumIsUnique(_ basic: LPBasicSolution, options: LPOptions) throws -> Bool {
        let m = rowCount, n = columnCount
        let candidates = basic.zeroReducedCost
        if candidates.isEmpty { return true }
        if basic.hasOptimalEdge { return false }
        var inD = [Bool](repeating: false, count: m + n)
        for k in candidates {
            let status = k < m ? basic.rowStatus[k] : basic.columnStatus[k - m]
            if status == GLP_NF { return false }
            inD[k] = status != GLP_NS
        }
        let moving = (0..<(m + n)).filter { inD[$0] }
        if moving.isEmpty { return true }
        // At most two candidates: F' is a polygon in their movements, decided exactly
        // without GLPK (LPSolverForm+PlanarFace.swift).
        if moving.count <= 2, let unique = planarFaceIsPoint(basic, candidates: moving) { return unique }
        var objectiveD = [Double](repeating: 0, count: n)
        var columnLo = columnLower, columnHi = columnUpper, rowLo = rowLower, rowHi = rowUpper
        for j in 0..<n where basic.columnStatus[j] != GLP_BS {
            if inD[m + j] {
                objectiveD[j] += basic.columnStatus[j] == GLP_NL ? -1 : 1
            } else if basic.columnStatus[j] != GLP_NF {
                columnLo[j] = basic.x[j]
                columnHi[j] = basic.x[j]
            }
        }
        for i in 0..<m where basic.rowStatus[i] != GLP_BS {
            let bound = Self.activeBound(basic.rowStatus[i], lower: rowLower[i], upper: rowUpper[i])
            if inD[i] {
                let sign: Double = basic.rowStatus[i] == GLP_NL ? -1 : 1
                for e in matrix.rowStart[i]..<matrix.rowStart[i + 1] { objectiveD[matrix.columnIndices[e]] += sign * matrix.values[e] }
            } else if basic.rowStatus[i] != GLP_NF {
                rowLo[i] = bound
                rowHi[i] = bound
            }
        }
        do {
            return try GLPKProblem.withProblem { glp in
                try glp.setMinimize(true)
                try glp.setSize(rows: m, columns: n)
                for j in 0..<n {
                    try glp.setColumnBounds(j, lower: columnLo[j], upper: columnHi[j])
                    try glp.setObjectiveCoefficient(j, objectiveD[j])
                }
                for i in 0..<m { try glp.setRowBounds(i, lower: rowLo[i], upper: rowHi[i]) }
                if let columns = columnMatrix { try glp.loadColumns(columns) } else { try glp.loadMatrix(matrix) }
                try glp.scale()
                // Fixed variables are GLP_NS in GLPK; the others keep their optimal status.
                let rowStatus = (0..<m).map { i -> Int32 in
                    basic.rowStatus[i] != GLP_BS && !inD[i] && rowLo[i] == rowHi[i] ? GLP_NS : basic.rowStatus[i]
                }
                let columnStatus = (0..<n).map { j -> Int32 in
                    basic.columnStatus[j] != GLP_BS && !inD[m + j] && columnLo[j] == columnHi[j] ? GLP_NS : basic.columnStatus[j]
                }
                try glp.setStatuses(rows: rowStatus, columns: columnStatus)
                // In rounds of `round` iterations: any candidate that has moved beyond the
                // tolerance settles the answer (not unique) without running to the optimum.
                let cap = options.iterationLimit ?? (20 * (m + n) + 1000)
                let round = 50
                let tol = Self.uniquenessMovementTolerance
                var done = 0
                while true {
                    let code = try glp.simplex(iterationLimit: round)
                    let status = try glp.status()
                    let y = try glp.columnPrimals()
                    let activity = matrix.times(y)
                    for k in 0..<(m + n) where inD[k] {
                        let moved = k < m ? activity[k] - basic.rowActivity[k] : y[k - m] - basic.x[k - m]
                        let reference = k < m ? basic.rowActivity[k] : basic.x[k - m]
                        if abs(moved) > tol * (1 + abs(reference)) { return false }
                    }
                    if code == 0 && status == GLP_OPT { break }
                    done += round
                    // Unbounded movement, a failure, or the cap: not proven unique.
                    guard code == GLP_EITLIM, done < cap else { return false }
                }
                return true
            }
        } catch let failure as GLPKFailure {
            throw LPError.notConverged("the uniqueness test of the optimum failed: \(failure)")
        }
    }
}
