import _Differentiation
import _ImplicitDiffKernels

extension Matrix: AdditiveArithmetic {
    /// The additive identity: the empty matrix, zero of every shape.
    @inlinable
    public static var zero: Matrix { Matrix(rows: 0, columns: 0, scalars: []) }

    @inlinable
    public static func + (lhs: Matrix, rhs: Matrix) -> Matrix {
        if lhs.scalars.isEmpty { return rhs }
        if rhs.scalars.isEmpty { return lhs }
        precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns,
                     "Matrix shapes \(lhs.rows)x\(lhs.columns) and \(rhs.rows)x\(rhs.columns) differ")
        return Matrix(rows: lhs.rows, columns: lhs.columns, scalars: (Vector(lhs.scalars) + Vector(rhs.scalars)).scalars)
    }

    @inlinable
    @differentiable(reverse)
    public static func - (lhs: Matrix, rhs: Matrix) -> Matrix { lhs + (-1.0) * rhs }
}

extension Matrix {
    /// `s A`.
    @inlinable
    public static func * (lhs: Double, rhs: Matrix) -> Matrix {
        Matrix(rows: rhs.rows, columns: rhs.columns, scalars: rhs.scalars.map { lhs * $0 })
    }

    /// The matrix-vector product `A v` (BLAS `dgemv`).
    @inlinable
    public static func * (lhs: Matrix, rhs: Vector) -> Vector {
        if lhs.scalars.isEmpty && lhs.rows * lhs.columns > 0 { return .zero }
        precondition(lhs.columns == rhs.count || rhs.scalars.isEmpty,
                     "Matrix \(lhs.rows)x\(lhs.columns) times vector of length \(rhs.count)")
        var y = [Double](repeating: 0, count: lhs.rows)
        if rhs.scalars.isEmpty { return Vector(y) }
        BLAS.gemv(lhs.scalars, rows: lhs.rows, columns: lhs.columns, rhs.scalars, into: &y)
        return Vector(y)
    }

    /// The transposed product `A' v` without forming `A'` (BLAS `dgemv`).
    @inlinable
    public func transposedTimes(_ v: Vector) -> Vector {
        precondition(rows == v.count || v.scalars.isEmpty,
                     "Matrix \(rows)x\(columns) transposed times vector of length \(v.count)")
        var y = [Double](repeating: 0, count: columns)
        if v.scalars.isEmpty { return Vector(y) }
        BLAS.gemv(scalars, rows: rows, columns: columns, v.scalars, into: &y, transposed: true)
        return Vector(y)
    }

    /// The matrix product `A B` (BLAS `dgemm`).
    @inlinable
    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
        precondition(lhs.columns == rhs.rows,
                     "Matrix product \(lhs.rows)x\(lhs.columns) times \(rhs.rows)x\(rhs.columns)")
        return Matrix.product(lhs, transposed: false, rhs, transposed: false)
    }

    /// `op(A) op(B)` with `op` the identity or the transpose, in one BLAS `dgemm`.
    @inlinable
    public static func product(_ a: Matrix, transposed ta: Bool, _ b: Matrix, transposed tb: Bool) -> Matrix {
        let m = ta ? a.columns : a.rows
        let k = ta ? a.rows : a.columns
        let kb = tb ? b.columns : b.rows
        let n = tb ? b.rows : b.columns
        precondition(k == kb, "Matrix product: inner dimensions \(k) and \(kb) differ")
        var c = [Double](repeating: 0, count: m * n)
        BLAS.gemm(a.scalars, b.scalars, into: &c, m: m, n: n, k: k, transposeA: ta, transposeB: tb)
        return Matrix(rows: m, columns: n, scalars: c)
    }

    /// The outer product `u v'`.
    @inlinable
    public static func outer(_ u: Vector, _ v: Vector) -> Matrix {
        var m = [Double](repeating: 0, count: u.count * v.count)
        for i in 0..<u.count {
            let ui = u.scalars[i]
            for j in 0..<v.count { m[i * v.count + j] = ui * v.scalars[j] }
        }
        return Matrix(rows: u.count, columns: v.count, scalars: m)
    }

    /// `A <- A + alpha u v'` in place.
    @inlinable
    public mutating func addOuter(_ u: Vector, _ v: Vector, scaledBy alpha: Double = 1) {
        if scalars.isEmpty { self = Matrix(rows: u.count, columns: v.count) }
        precondition(rows == u.count && columns == v.count, "addOuter: shape mismatch")
        for i in 0..<rows {
            let ui = alpha * u.scalars[i]
            if ui == 0 { continue }
            for j in 0..<columns { scalars[i * columns + j] += ui * v.scalars[j] }
        }
    }
}
