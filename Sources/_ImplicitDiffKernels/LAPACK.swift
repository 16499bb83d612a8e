import _CLAPACK

/// Thin wrappers over the LAPACK routines that more than one module calls on row-major
/// `[Double]` storage (LAPACKE). Not API (underscored module).
///
/// Each wrapper calls the routine its callers called before it existed (same layout,
/// same triangle), so that moving a call here changes no rounding.
public enum LAPACK {
    /// In-place Cholesky `C = L L'` of the lower triangle of the row-major `n x n` `c`
    /// (`dpotrf`, row-major `'L'`); `false` when not positive definite.
    @inlinable
    public static func choleskyLower(_ c: inout [Double], n: Int) -> Bool {
        if n == 0 { return true }
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), &c, Int32(n))
        return info == 0
    }

    /// In-place Cholesky of the lower triangle of a row-major `n x n` `c`, read as the
    /// column-major upper triangle (`dpotrf_work`, `'U'`: no transposed copy); the factor
    /// is the lower triangle. `false` when not positive definite.
    @inlinable
    public static func choleskyLowerInPlace(_ c: inout [Double], n: Int) -> Bool {
        if n == 0 { return true }
        let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), &c, Int32(n))
        return info == 0
    }

    /// `x <- (L L')^-1 x` for one right-hand side, with the factor of
    /// ``choleskyLowerInPlace(_:n:)`` (`dpotrs_work`, column-major `'U'`: no transposed copy).
    @inlinable
    public static func choleskySolveLowerInPlace(_ l: [Double], n: Int, _ x: inout [Double]) {
        if n == 0 { return }
        let info = LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), 1, l, Int32(n), &x, Int32(n))
        precondition(info == 0, "dpotrs: info \(info)")
    }

    /// `x <- (L L')^-1 x` for one right-hand side, with the factor of ``choleskyLower(_:n:)``
    /// (`dpotrs`, row-major `'L'`).
    @inlinable
    public static func choleskySolveLower(_ l: [Double], n: Int, _ x: inout [Double]) {
        if n == 0 { return }
        let info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), 1, l, Int32(n), &x, 1)
        precondition(info == 0, "dpotrs: info \(info)")
    }

    /// Reciprocal 1-norm condition estimate of `L L'` from its Cholesky factor and the
    /// 1-norm of the original matrix (LAPACK `dpocon`).
    @inlinable
    public static func choleskyReciprocalCondition(_ l: [Double], n: Int, norm1: Double) -> Double {
        if n == 0 { return 1 }
        var rcond = 0.0
        let info = LAPACKE_dpocon(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), l, Int32(n), norm1, &rcond)
        return info == 0 ? rcond : 0
    }

    /// Rank-revealing QR with column pivoting of `M'` for a row-major `rows x columns`
    /// matrix `M` (LAPACK `dgeqp3`): the rows of `M` in pivot order and `|R_kk|`.
    /// Rows whose `|R_kk|` falls below `tolerance * |R_11|` are linearly dependent on the
    /// rows before them.
    public static func pivotedRowRank(_ m: [Double], rows: Int, columns: Int, tolerance: Double)
        -> (independent: [Int], dependent: [Int]) {
        if rows == 0 { return ([], []) }
        if columns == 0 { return ([], Array(0..<rows)) }
        // Row-major M (rows x columns) is column-major M' (columns x rows).
        var a = m
        var jpvt = [implicitdiff_lapack_int](repeating: 0, count: rows)
        var tau = [Double](repeating: 0, count: Swift.min(rows, columns))
        let info = LAPACKE_dgeqp3(LAPACK_COL_MAJOR, Int32(columns), Int32(rows), &a, Int32(columns), &jpvt, &tau)
        guard info == 0 else { return (Array(0..<rows), []) }
        let order = jpvt.map { Int($0) - 1 }
        let kmax = Swift.min(rows, columns)
        let r11 = abs(a[0])
        var rank = 0
        if r11 > 0 {
            while rank < kmax && abs(a[rank * columns + rank]) > tolerance * r11 { rank += 1 }
        }
        return (Array(order[0..<rank]).sorted(), Array(order[rank...]).sorted())
    }
}
