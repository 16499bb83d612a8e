import _CLAPACK
import _ImplicitDiffKernels

/// `A = L L'` for symmetric positive definite `A` (LAPACK `dpotrf`).
///
/// Only the lower triangle of `A` is read. Construction throws
/// ``LinearAlgebraError/notPositiveDefinite(leadingMinor:)`` when a pivot is not
/// positive, and ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` when
/// the condition estimate (`dpocon`) is below `n * ulp`.
public struct CholeskyFactorization: Factorization {
    public let dimension: Int
    @usableFromInline let factor: [Double]
    /// Reciprocal condition number estimate in the 1-norm.
    public let reciprocalCondition: Double

    /// Factorises `a` and estimates its condition.
    ///
    /// - Throws: ``LinearAlgebraError`` as described above, also for a non-square or non-finite `a`.
    public init(_ a: Matrix) throws {
        guard a.rows == a.columns else {
            throw LinearAlgebraError.dimensionMismatch("Cholesky of a \(a.rows) x \(a.columns) matrix")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the matrix to factorise") }
        let n = a.rows
        dimension = n
        if n == 0 { factor = []; reciprocalCondition = 1; return }
        // The row-major lower triangle is the column-major upper one (ColumnMajorLAPACK).
        var l = a.scalars
        var work = [Double](repeating: 0, count: 3 * n)
        var iwork = [implicitdiff_lapack_int](repeating: 0, count: n)
        let upper = ColumnMajorLAPACK.upper
        let anorm = LAPACKE_dlansy_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "1")), upper, Int32(n), l, Int32(n), &work)
        let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, upper, Int32(n), &l, Int32(n))
        if info > 0 { throw LinearAlgebraError.notPositiveDefinite(leadingMinor: Int(info)) }
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dpotrf", info: Int(info)) }
        var rcond = 0.0
        let cinfo = LAPACKE_dpocon_work(LAPACK_COL_MAJOR, upper, Int32(n), l, Int32(n), anorm, &rcond, &work, &iwork)
        if cinfo != 0 { throw LinearAlgebraError.lapack(routine: "dpocon", info: Int(cinfo)) }
        if !(rcond >= singularityThreshold(n)) {
            throw LinearAlgebraError.singular(routine: "dpotrf", reciprocalCondition: rcond)
        }
        factor = l
        reciprocalCondition = rcond
    }

    @usableFromInline
    func solve(_ b: [Double], columns k: Int) -> [Double] {
        if dimension == 0 || k == 0 { return b }
        let n = dimension
        return ColumnMajorLAPACK.solveColumns(b, rows: n, columns: k) { x in
            LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, ColumnMajorLAPACK.upper, Int32(n), Int32(k), factor, Int32(n), &x, Int32(n))
        }
    }

    public func solve(_ b: Vector) -> Vector {
        checkRightHandSide(b.count)
        return Vector(solve(b.scalars, columns: 1))
    }

    /// Same as ``solve(_:)-(Vector)``: `A` is symmetric.
    public func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    public func solve(_ b: Matrix) -> Matrix {
        checkRightHandSide(b.rows)
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns))
    }

    public func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}
