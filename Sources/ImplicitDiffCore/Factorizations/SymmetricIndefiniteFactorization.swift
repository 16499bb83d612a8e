import _CLAPACK
import _ImplicitDiffKernels

/// `P A P' = L D L'` with Bunch-Kaufman pivoting (LAPACK `dsytrf`), for symmetric,
/// possibly indefinite `A` such as KKT matrices `[Q A'; A 0]`.
///
/// Only the lower triangle of `A` is read. Construction throws
/// ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` when a block of `D`
/// is exactly singular or the condition estimate (`dsycon`) is below `n * ulp`.
public struct SymmetricIndefiniteFactorization: Factorization {
    public let dimension: Int
    @usableFromInline let factors: [Double]
    @usableFromInline let pivots: [implicitdiff_lapack_int]
    /// Reciprocal condition number estimate in the 1-norm.
    public let reciprocalCondition: Double

    /// Factorises `a` (lower triangle) and estimates its condition.
    ///
    /// - Throws: ``LinearAlgebraError`` as described above, also for a non-square or non-finite `a`.
    public init(_ a: Matrix) throws {
        guard a.rows == a.columns else {
            throw LinearAlgebraError.dimensionMismatch("LDL' of a \(a.rows) x \(a.columns) matrix")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the matrix to factorise") }
        let n = a.rows
        dimension = n
        if n == 0 { factors = []; pivots = []; reciprocalCondition = 1; return }
        // The row-major lower triangle is the column-major upper one (ColumnMajorLAPACK).
        var f = a.scalars
        var ipiv = [implicitdiff_lapack_int](repeating: 0, count: n)
        let upper = ColumnMajorLAPACK.upper
        var iwork = [implicitdiff_lapack_int](repeating: 0, count: n)
        var work = [Double](repeating: 0, count: Swift.max(2 * n, ColumnMajorLAPACK.symmetricIndefiniteWorkspace(&f, n: n, pivots: &ipiv)))
        let anorm = LAPACKE_dlansy_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "1")), upper, Int32(n), f, Int32(n), &work)
        let info = LAPACKE_dsytrf_work(LAPACK_COL_MAJOR, upper, Int32(n), &f, Int32(n), &ipiv, &work, Int32(work.count))
        if info > 0 { throw LinearAlgebraError.singular(routine: "dsytrf", reciprocalCondition: 0) }
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dsytrf", info: Int(info)) }
        var rcond = 0.0
        let cinfo = LAPACKE_dsycon_work(LAPACK_COL_MAJOR, upper, Int32(n), f, Int32(n), ipiv, anorm, &rcond, &work, &iwork)
        if cinfo != 0 { throw LinearAlgebraError.lapack(routine: "dsycon", info: Int(cinfo)) }
        if !(rcond >= singularityThreshold(n)) {
            throw LinearAlgebraError.singular(routine: "dsytrf", reciprocalCondition: rcond)
        }
        factors = f
        pivots = ipiv
        reciprocalCondition = rcond
    }

    @usableFromInline
    func solve(_ b: [Double], columns k: Int) -> [Double] {
        if dimension == 0 || k == 0 { return b }
        let n = dimension
        return ColumnMajorLAPACK.solveColumns(b, rows: n, columns: k) { x in
            LAPACKE_dsytrs_work(LAPACK_COL_MAJOR, ColumnMajorLAPACK.upper, Int32(n), Int32(k), factors, Int32(n), pivots, &x, Int32(n))
        }
    }

    public func solve(_ b: Vector) -> Vector {
        checkRightHandSide(b.count)
        return Vector(solve(b.scalars, columns: 1))
    }

    public func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    public func solve(_ b: Matrix) -> Matrix {
        checkRightHandSide(b.rows)
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns))
    }

    public func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}
