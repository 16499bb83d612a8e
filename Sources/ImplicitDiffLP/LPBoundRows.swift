import _CGLPK

/// Rows of an ``LPSolverForm`` that are bounds on a single variable (`g z_j <= h`, one
/// non-zero: the spec's "variable bounds are rows of G"), handed to GLPK as column bounds
/// instead of rows. Not API.
///
/// A dense LP with `n` variables and `0 <= z <= u` written as rows has `2n` extra rows;
/// the simplex then works with a basis of order `rows + 2n` instead of `rows` (2.1x
/// slower than HiGHS at n = 400 before this). GLPK's solution of the smaller problem is
/// translated back into a basis of the original row form, and the vertex, duals and
/// factorisation are recomputed from that basis as before, so nothing downstream sees
/// the difference:
/// * a column at its lower (upper) bound in GLPK is basic in the row form, and the row
///   that gave that bound is active (at its upper bound, since rows are `... <= h`);
/// * a basic column leaves its bound rows basic (inactive).
/// Only one-sided rows on columns without bounds of their own are moved, and per column
/// only the tightest lower and the tightest upper bound, unless they cross or meet
/// (left to the simplex as rows); any other singleton row stays a row.
struct LPBoundRows {
    /// For each column, the row that gives its lower / upper bound, if any.
    let lowerRow: [Int?]
    let upperRow: [Int?]
    /// The original indices of the rows GLPK keeps, in order.
    let keptRows: [Int]

    /// No bound rows: every row stays a row (the sparse path keeps the model's rows).
    static func none(_ columns: Int) -> LPBoundRows {
        LPBoundRows(lowerRow: [Int?](repeating: nil, count: columns), upperRow: [Int?](repeating: nil, count: columns), keptRows: [])
    }

    private init(lowerRow: [Int?], upperRow: [Int?], keptRows: [Int]) {
        self.lowerRow = lowerRow
        self.upperRow = upperRow
        self.keptRows = keptRows
    }

    /// Finds the bound rows of `form`.
    init(_ form: LPSolverForm) {
        let n = form.columnCount, k = form.matrix
        var lower = [Int?](repeating: nil, count: n), upper = [Int?](repeating: nil, count: n)
        var lowerValue = [Double](repeating: -.infinity, count: n), upperValue = [Double](repeating: .infinity, count: n)
        for i in 0..<form.rowCount where k.rowStart[i + 1] - k.rowStart[i] == 1 {
            let e = k.rowStart[i], j = k.columnIndices[e], g = k.values[e]
            guard g != 0, !form.columnLower[j].isFinite, !form.columnUpper[j].isFinite else { continue }
            let lo = form.rowLower[i], hi = form.rowUpper[i]
            // One-sided rows only: lo <= g z_j (or g z_j <= hi) is a bound on z_j.
            guard lo.isFinite != hi.isFinite else { continue }
            let bound = (lo.isFinite ? lo : hi) / g
            // g z <= hi with g > 0, or lo <= g z with g < 0: an upper bound on z_j.
            let isUpper = hi.isFinite == (g > 0)
            if isUpper {
                if bound < upperValue[j] { upperValue[j] = bound; upper[j] = i }
            } else if bound > lowerValue[j] {
                lowerValue[j] = bound
                lower[j] = i
            }
        }
        // Crossed bounds (an infeasible problem) stay rows, so that the simplex says
        // infeasible; so do equal ones (a fixed variable: which of its two rows is active
        // depends on the duals, a degenerate vertex the row form reports as such).
        for j in 0..<n where lowerValue[j] >= upperValue[j] {
            lower[j] = nil
            upper[j] = nil
        }
        var moved = Set<Int>()
        for j in 0..<n {
            if let i = lower[j] { moved.insert(i) }
            if let i = upper[j] { moved.insert(i) }
        }
        lowerRow = lower
        upperRow = upper
        keptRows = (0..<form.rowCount).filter { !moved.contains($0) }
    }

    /// Whether there is anything to move.
    var isEmpty: Bool { lowerRow.allSatisfy { $0 == nil } && upperRow.allSatisfy { $0 == nil } }

    /// The problem GLPK solves: the kept rows, and the moved rows as column bounds.
    func reduced(_ form: LPSolverForm) -> LPSolverForm {
        var reduced = form
        reduced.matrix = form.matrix.selectingRows(keptRows)
        reduced.rowLower = keptRows.map { form.rowLower[$0] }
        reduced.rowUpper = keptRows.map { form.rowUpper[$0] }
        for j in 0..<form.columnCount {
            if let i = lowerRow[j] { reduced.columnLower[j] = bound(form, row: i) }
            if let i = upperRow[j] { reduced.columnUpper[j] = bound(form, row: i) }
        }
        let kept = keptRows, rowName = form.rowName
        reduced.rowName = { rowName(kept[$0]) }
        return reduced
    }

    /// The bound on its variable that row `i` gives.
    func bound(_ form: LPSolverForm, row i: Int) -> Double {
        let e = form.matrix.rowStart[i], g = form.matrix.values[e]
        return (form.rowLower[i].isFinite ? form.rowLower[i] : form.rowUpper[i]) / g
    }

    /// GLPK's statuses of the reduced problem as statuses of the original row form.
    func originalStatuses(_ form: LPSolverForm, rowStatus: [Int32], columnStatus: [Int32])
        -> (rows: [Int32], columns: [Int32]) {
        var rows = [Int32](repeating: GLP_BS, count: form.rowCount)
        for (r, i) in keptRows.enumerated() { rows[i] = rowStatus[r] }
        var columns = columnStatus
        /// The status of an active row at the bound it states.
        func active(_ i: Int) -> Int32 { form.rowUpper[i].isFinite ? GLP_NU : GLP_NL }
        for j in 0..<form.columnCount where lowerRow[j] != nil || upperRow[j] != nil {
            switch columnStatus[j] {
            case GLP_NL:
                if let i = lowerRow[j] { rows[i] = active(i); columns[j] = GLP_BS }
            case GLP_NU:
                if let i = upperRow[j] { rows[i] = active(i); columns[j] = GLP_BS }
            default:
                break
            }
        }
        return (rows, columns)
    }
}
