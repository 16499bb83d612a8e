import _CLAPACK

/// `A = P L U` for a tridiagonal `A` with partial pivoting (LAPACK `dgttrf`), in `O(n)`
/// time and memory; solves with `A` and `A'` in `O(n)` per right-hand side (`dgttrs`).
///
/// `U` has two superdiagonals (pivoting fills one in), `L` is unit lower bidiagonal.
/// Construction estimates the reciprocal condition number in the 1-norm (`dgtcon`) and,
/// like the core's dense factorisations, throws
/// ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` when a pivot is exactly
/// zero or the estimate is below `n * ulp`.
public struct TridiagonalFactorization: Factorization {
    public let dimension: Int
    /// Reciprocal condition number estimate in the 1-norm.
    public let reciprocalCondition: Double
    @usableFromInline let lower: [Double]
    @usableFromInline let diagonal: [Double]
    @usableFromInline let upper: [Double]
    @usableFromInline let upper2: [Double]
    @usableFromInline let pivots: [implicitdiff_lapack_int]

    /// Factorises `a`.
    ///
    /// - Throws: ``LinearAlgebraError/nonFinite(_:)`` for NaN or infinite entries,
    ///   ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` for a singular matrix.
    public init(_ a: TridiagonalMatrix) throws {
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the tridiagonal matrix to factorise") }
        let n = a.order
        dimension = n
        if n == 0 {
            reciprocalCondition = 1
            lower = []; diagonal = []; upper = []; upper2 = []; pivots = []
            return
        }
        // LAPACK never reads the off-diagonals when n = 1, but give it valid storage.
        var dl = n > 1 ? a.subdiagonal : [0]
        var d = a.diagonal
        var du = n > 1 ? a.superdiagonal : [0]
        var du2 = [Double](repeating: 0, count: Swift.max(n - 2, 1))
        var ipiv = [implicitdiff_lapack_int](repeating: 0, count: n)
        // 1-norm: the largest column sum |u_(j-1)| + |d_j| + |l_j|.
        var anorm = 0.0
        for j in 0..<n {
            var s = abs(d[j])
            if j > 0 { s += abs(du[j - 1]) }
            if j < n - 1 { s += abs(dl[j]) }
            anorm = Swift.max(anorm, s)
        }
        let info = LAPACKE_dgttrf_work(implicitdiff_lapack_int(n), &dl, &d, &du, &du2, &ipiv)
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dgttrf", info: Int(info)) }
        if info > 0 { throw LinearAlgebraError.singular(routine: "dgttrf", reciprocalCondition: 0) }
        var rcond = 0.0
        var work = [Double](repeating: 0, count: 2 * n)
        var iwork = [implicitdiff_lapack_int](repeating: 0, count: n)
        let cinfo = LAPACKE_dgtcon_work(Int8(UInt8(ascii: "O")), implicitdiff_lapack_int(n), dl, d, du, du2, ipiv,
                                        anorm, &rcond, &work, &iwork)
        if cinfo != 0 { throw LinearAlgebraError.lapack(routine: "dgtcon", info: Int(cinfo)) }
        // The same rule as the core's factorisations: singular below n * ulp.
        guard rcond >= Double(n) * Double.ulpOfOne else {
            throw LinearAlgebraError.singular(routine: "dgttrf", reciprocalCondition: rcond)
        }
        reciprocalCondition = rcond
        lower = dl; diagonal = d; upper = du; upper2 = du2; pivots = ipiv
    }

    /// Solves in place for `columns` right-hand sides stored row-major (`n x columns`).
    @usableFromInline
    func solve(_ b: [Double], columns k: Int, transposed: Bool) -> [Double] {
        if dimension == 0 || k == 0 { return b }
        var x = b
        let layout = k == 1 ? LAPACK_COL_MAJOR : LAPACK_ROW_MAJOR
        let info = LAPACKE_dgttrs_work(layout, Int8(UInt8(ascii: transposed ? "T" : "N")),
                                       implicitdiff_lapack_int(dimension), implicitdiff_lapack_int(k),
                                       lower, diagonal, upper, upper2, pivots, &x,
                                       implicitdiff_lapack_int(k == 1 ? dimension : k))
        precondition(info == 0, "dgttrs: info \(info)")
        return x
    }

    public func solve(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        return Vector(solve(b.scalars, columns: 1, transposed: false))
    }

    public func solveTransposed(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        return Vector(solve(b.scalars, columns: 1, transposed: true))
    }

    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for order \(dimension)")
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns, transposed: false))
    }

    public func solveTransposed(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for order \(dimension)")
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns, transposed: true))
    }
}
