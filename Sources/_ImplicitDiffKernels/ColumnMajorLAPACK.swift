import _CLAPACK

/// How the core's factorisations call LAPACK without copies. Not API (underscored module).
///
/// The package stores matrices row-major, LAPACK works column-major, and LAPACKE's
/// row-major wrappers transpose every matrix in and out of each call (and scan it for
/// NaN): `O(n^2)` per solve, as much as the triangular solves themselves. A row-major
/// buffer *is* the column-major buffer of the transpose, so the factorisations call the
/// column-major `_work` routines on the buffer as it is. For symmetric `A` (Cholesky,
/// LDL') the row-major lower triangle is the column-major upper triangle, so
/// `uplo = 'U'` factorises `A` itself. (LU keeps LAPACKE's row-major path: on the buffer
/// as it is, LAPACK would factorise `A'`, pivoting on the columns of `A`, which changed
/// answers on badly scaled LP bases.) Finiteness is checked by the callers.
public enum ColumnMajorLAPACK {
    public static let upper = Int8(UInt8(ascii: "U"))

    /// Applies a column-major solve `body(x, ldb)` to the `n x k` row-major right-hand
    /// sides `b`: in place for one column, through a transposed copy for several.
    public static func solveColumns(_ b: [Double], rows n: Int, columns k: Int,
                             _ body: (inout [Double]) -> implicitdiff_lapack_int) -> [Double] {
        if k == 1 {
            var x = b
            let info = body(&x)
            precondition(info == 0, "LAPACK solve: info \(info)")
            return x
        }
        var columns = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for j in 0..<k { columns[j * n + i] = b[i * k + j] } }
        let info = body(&columns)
        precondition(info == 0, "LAPACK solve: info \(info)")
        var x = [Double](repeating: 0, count: n * k)
        for j in 0..<k { for i in 0..<n { x[i * k + j] = columns[j * n + i] } }
        return x
    }

    /// The `dsytrf` workspace for order `n` (LAPACK's own query).
    public static func symmetricIndefiniteWorkspace(_ a: inout [Double], n: Int, pivots: inout [implicitdiff_lapack_int]) -> Int {
        var query = 0.0
        _ = LAPACKE_dsytrf_work(LAPACK_COL_MAJOR, upper, Int32(n), &a, Int32(n), &pivots, &query, -1)
        return Swift.max(Int(query), n)
    }
}
