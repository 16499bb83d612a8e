import _CLAPACK

/// `P A = L U` with partial pivoting (LAPACK `dgetrf`), for general square matrices.
///
/// Construction throws ``LinearAlgebraError/singular(routine:reciprocalCondition:)``
/// when a pivot is exactly zero or when the reciprocal 1-norm condition estimate
/// (`dgecon`) is below `n * ulp`.
public struct LUFactorization: Factorization {
    public let dimension: Int
    /// The packed factors, row-major (LAPACK's layout after `dgetrf`).
    @usableFromInline let factors: [Double]
    @usableFromInline let pivots: [implicitdiff_lapack_int]
    /// Reciprocal condition number estimate in the 1-norm.
    public let reciprocalCondition: Double

    /// Factorises `a` and estimates its condition.
    ///
    /// - Throws: ``LinearAlgebraError`` as described above, also for a non-square or non-finite `a`.
    public init(_ a: Matrix) throws {
        guard a.rows == a.columns else {
            throw LinearAlgebraError.dimensionMismatch("LU of a \(a.rows) x \(a.columns) matrix")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the matrix to factorise") }
        let n = a.rows
        dimension = n
        var lu = a.scalars
        var ipiv = [implicitdiff_lapack_int](repeating: 0, count: Swift.max(n, 1))
        if n == 0 {
            factors = []; pivots = []; reciprocalCondition = 1
            return
        }
        let anorm = lu.withUnsafeBufferPointer {
            LAPACKE_dlange(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "1")), Int32(n), Int32(n), $0.baseAddress, Int32(n))
        }
        let info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), &lu, Int32(n), &ipiv)
        if info > 0 { throw LinearAlgebraError.singular(routine: "dgetrf", reciprocalCondition: 0) }
        if info < 0 { throw LinearAlgebraError.lapack(routine: "dgetrf", info: Int(info)) }
        var rcond = 0.0
        let cinfo = LAPACKE_dgecon(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "1")), Int32(n), &lu, Int32(n), anorm, &rcond)
        if cinfo != 0 { throw LinearAlgebraError.lapack(routine: "dgecon", info: Int(cinfo)) }
        if !(rcond >= singularityThreshold(n)) {
            throw LinearAlgebraError.singular(routine: "dgetrf", reciprocalCondition: rcond)
        }
        factors = lu
        pivots = ipiv
        reciprocalCondition = rcond
    }

    @usableFromInline
    func solve(_ b: [Double], columns k: Int, transposed: Bool) -> [Double] {
        if dimension == 0 || k == 0 { return b }
        var x = b
        let info = LAPACKE_dgetrs(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: transposed ? "T" : "N")),
                                  Int32(dimension), Int32(k), factors, Int32(dimension), pivots, &x, Int32(k))
        precondition(info == 0, "dgetrs: info \(info)")
        return x
    }

    public func solve(_ b: Vector) -> Vector {
        checkRightHandSide(b.count)
        return Vector(solve(b.scalars, columns: 1, transposed: false))
    }

    public func solveTransposed(_ b: Vector) -> Vector {
        checkRightHandSide(b.count)
        return Vector(solve(b.scalars, columns: 1, transposed: true))
    }

    public func solve(_ b: Matrix) -> Matrix {
        checkRightHandSide(b.rows)
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns, transposed: false))
    }

    public func solveTransposed(_ b: Matrix) -> Matrix {
        checkRightHandSide(b.rows)
        return Matrix(rows: b.rows, columns: b.columns, scalars: solve(b.scalars, columns: b.columns, transposed: true))
    }
}
