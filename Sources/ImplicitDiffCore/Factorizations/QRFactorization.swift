import _CLAPACK

/// `A = Q R` for an `m x n` matrix with `m >= n` and full column rank (LAPACK `dgeqrf`,
/// Householder reflections).
///
/// `Q` is `m x m` orthogonal, stored implicitly as `n` reflectors; `R` is `n x n` upper
/// triangular. The factorisation answers the two problems that `A` and `A'` pose when
/// `A` is tall:
/// ```
/// leastSquares(b):               x = argmin ||A x - b||_2      = R^-1 (Q' b)[0..<n]
/// minimumNormSolveTransposed(c): x = argmin { ||x||_2 : A' x = c } = Q [R^-T c; 0]
/// ```
///
/// Mathematical properties:
/// - Backward stable: the computed least-squares solution solves a nearby problem
///   `(A + E) x = b + f` with `||E|| / ||A||`, `||f|| / ||b||` of order `m n ulp`
///   (Golub & Van Loan, *Matrix Computations*, 4th ed., §5.3.5). Unlike the normal
///   equations, the sensitivity is `cond(A)`, not `cond(A)^2`.
/// - For square `A` the least-squares solution is `A^-1 b` and the minimum-norm transposed
///   solution is `A^-T c`.
///
/// Construction throws ``LinearAlgebraError/dimensionMismatch(_:)`` when `m < n`,
/// ``LinearAlgebraError/nonFinite(_:)`` for NaN or infinite entries, and
/// ``LinearAlgebraError/singular(routine:reciprocalCondition:)`` when `A` is rank deficient
/// to working precision: the reciprocal 1-norm condition estimate of `R` (`dtrcon`) is below
/// `n * ulp` (which includes an exactly zero diagonal entry of `R`).
public struct QRFactorization: Sendable {
    /// `m`, the number of rows of `A`.
    public let rowCount: Int
    /// `n`, the number of columns of `A` (and the order of `R`).
    public let columnCount: Int
    /// `dgeqrf`'s output, row-major `m x n`: `R` on and above the diagonal, the Householder
    /// vectors below it.
    @usableFromInline let factors: [Double]
    /// The Householder scalars `tau`.
    @usableFromInline let tau: [Double]
    /// Reciprocal condition number estimate of `R` in the 1-norm.
    public let reciprocalCondition: Double

    /// Factorises `a` (`m >= n`).
    ///
    /// - Throws: ``LinearAlgebraError`` as described above, also for a non-finite `a`.
    public init(_ a: Matrix) throws {
        let m = a.rows, n = a.columns
        guard m >= n else {
            throw LinearAlgebraError.dimensionMismatch("QR needs rows >= columns, got a \(m) x \(n) matrix")
        }
        guard a.isFinite else { throw LinearAlgebraError.nonFinite("the matrix to factorise") }
        rowCount = m
        columnCount = n
        if n == 0 { factors = []; tau = []; reciprocalCondition = 1; return }
        var f = a.scalars
        var t = [Double](repeating: 0, count: n)
        let info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), &f, Int32(n), &t)
        if info != 0 { throw LinearAlgebraError.lapack(routine: "dgeqrf", info: Int(info)) }
        var rcond = 0.0
        let cinfo = LAPACKE_dtrcon(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "1")), Int8(UInt8(ascii: "U")),
                                   Int8(UInt8(ascii: "N")), Int32(n), f, Int32(n), &rcond)
        if cinfo != 0 { throw LinearAlgebraError.lapack(routine: "dtrcon", info: Int(cinfo)) }
        if !(rcond >= singularityThreshold(n)) {
            throw LinearAlgebraError.singular(routine: "dgeqrf", reciprocalCondition: rcond)
        }
        factors = f
        tau = t
        reciprocalCondition = rcond
    }

    /// The `n x n` upper triangular factor `R`.
    public var upperTriangularFactor: Matrix {
        let n = columnCount
        var r = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in i..<n { r[i, j] = factors[i * n + j] }
        }
        return r
    }

    /// The first `n` columns of `Q` (the "thin" `Q`, `m x n`, orthonormal columns, `dorgqr`),
    /// so that `A = thin Q * R`.
    public var orthogonalFactor: Matrix {
        let m = rowCount, n = columnCount
        if n == 0 { return Matrix(rows: m, columns: 0) }
        var q = factors
        let info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), &q, Int32(n), tau)
        precondition(info == 0, "dorgqr: info \(info)")
        return Matrix(rows: m, columns: n, scalars: q)
    }

    /// `C <- op(Q) C` for a row-major `m x k` array (`dormqr`).
    @usableFromInline
    func applyQ(_ c: inout [Double], columns k: Int, transposed: Bool) {
        let info = LAPACKE_dormqr(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: transposed ? "T" : "N")),
                                  Int32(rowCount), Int32(k), Int32(columnCount), factors, Int32(columnCount),
                                  tau, &c, Int32(k))
        precondition(info == 0, "dormqr: info \(info)")
    }

    /// `C <- op(R)^-1 C` on the first `n` rows of a row-major array with `k` columns (`dtrtrs`).
    @usableFromInline
    func solveR(_ c: inout [Double], columns k: Int, transposed: Bool) {
        let info = LAPACKE_dtrtrs(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int8(UInt8(ascii: transposed ? "T" : "N")),
                                  Int8(UInt8(ascii: "N")), Int32(columnCount), Int32(k), factors, Int32(columnCount),
                                  &c, Int32(k))
        precondition(info == 0, "dtrtrs: info \(info)")
    }

    /// `argmin ||A X - B||_F` for a row-major `m x k` right-hand side, as `n x k`.
    @usableFromInline
    func leastSquares(_ b: [Double], columns k: Int) -> [Double] {
        if columnCount == 0 || k == 0 { return [Double](repeating: 0, count: columnCount * k) }
        var c = b
        applyQ(&c, columns: k, transposed: true)
        solveR(&c, columns: k, transposed: false)
        return Array(c[0..<(columnCount * k)])
    }

    /// `argmin { ||X||_F : A' X = B }` for a row-major `n x k` right-hand side, as `m x k`.
    @usableFromInline
    func minimumNormSolveTransposed(_ b: [Double], columns k: Int) -> [Double] {
        if columnCount == 0 || k == 0 { return [Double](repeating: 0, count: rowCount * k) }
        var c = b
        solveR(&c, columns: k, transposed: true)
        c.append(contentsOf: repeatElement(0, count: (rowCount - columnCount) * k))
        applyQ(&c, columns: k, transposed: false)
        return c
    }

    /// `x = argmin ||A x - b||_2` for `b` of length `m` (`dormqr` then `dtrtrs`).
    public func leastSquares(_ b: Vector) -> Vector {
        precondition(b.count == rowCount, "right-hand side of length \(b.count) for a \(rowCount) x \(columnCount) QR")
        return Vector(leastSquares(b.scalars, columns: 1))
    }

    /// Column-wise least squares: column `j` of the `n x k` result minimises `||A x - B e_j||`.
    public func leastSquares(_ b: Matrix) -> Matrix {
        precondition(b.rows == rowCount, "right-hand side with \(b.rows) rows for a \(rowCount) x \(columnCount) QR")
        return Matrix(rows: columnCount, columns: b.columns, scalars: leastSquares(b.scalars, columns: b.columns))
    }

    /// `x = argmin { ||x||_2 : A' x = c }` for `c` of length `n`: the minimum-norm solution of
    /// the underdetermined system `A' x = c` (`dtrtrs` with `R'`, then `dormqr`).
    public func minimumNormSolveTransposed(_ c: Vector) -> Vector {
        precondition(c.count == columnCount, "right-hand side of length \(c.count) for the transpose of a \(rowCount) x \(columnCount) QR")
        return Vector(minimumNormSolveTransposed(c.scalars, columns: 1))
    }

    /// Column-wise ``minimumNormSolveTransposed(_:)-(Vector)`` for an `n x k` right-hand side.
    public func minimumNormSolveTransposed(_ c: Matrix) -> Matrix {
        precondition(c.rows == columnCount, "right-hand side with \(c.rows) rows for the transpose of a \(rowCount) x \(columnCount) QR")
        return Matrix(rows: rowCount, columns: c.columns, scalars: minimumNormSolveTransposed(c.scalars, columns: c.columns))
    }
}
