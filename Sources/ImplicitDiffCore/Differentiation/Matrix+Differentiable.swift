import _Differentiation

/// `Matrix` is its own tangent space (row-major entries).
extension Matrix: Differentiable {
    public typealias TangentVector = Matrix

    @inlinable
    public mutating func move(by offset: Matrix) {
        if offset.scalars.isEmpty { return }
        self = self + offset
    }
}

extension Matrix {
    @inlinable @derivative(of: +)
    static func _vjpAdd(lhs: Matrix, rhs: Matrix) -> (value: Matrix, pullback: (Matrix) -> (Matrix, Matrix)) {
        (lhs + rhs, { v in (v, v) })
    }

    @inlinable @derivative(of: *)
    static func _vjpScale(lhs: Double, rhs: Matrix) -> (value: Matrix, pullback: (Matrix) -> (Double, Matrix)) {
        (lhs * rhs, { v in
            if v.scalars.isEmpty { return (0, .zero) }
            return (Vector(v.scalars).dot(Vector(rhs.scalars)), lhs * v)
        })
    }

    /// `d(A v)`: `Abar = vbar v'`, `vbar_in = A' ybar`.
    @inlinable @derivative(of: *)
    static func _vjpMatVec(lhs: Matrix, rhs: Vector) -> (value: Vector, pullback: (Vector) -> (Matrix, Vector)) {
        (lhs * rhs, { ybar in
            if ybar.scalars.isEmpty { return (.zero, .zero) }
            return (Matrix.outer(ybar, rhs.materialized(count: lhs.columns)), lhs.transposedTimes(ybar))
        })
    }

    /// `d(A' v)`: `Abar = v ybar'`, `vbar = A ybar`.
    @inlinable @derivative(of: transposedTimes)
    func _vjpTransposedTimes(_ v: Vector) -> (value: Vector, pullback: (Vector) -> (Matrix, Vector)) {
        (transposedTimes(v), { ybar in
            if ybar.scalars.isEmpty { return (.zero, .zero) }
            return (Matrix.outer(v.materialized(count: self.rows), ybar), self * ybar)
        })
    }

    /// `d(A B)`: `Abar = Cbar B'`, `Bbar = A' Cbar`.
    @inlinable @derivative(of: *)
    static func _vjpMatMul(lhs: Matrix, rhs: Matrix) -> (value: Matrix, pullback: (Matrix) -> (Matrix, Matrix)) {
        (lhs * rhs, { cbar in
            if cbar.scalars.isEmpty { return (.zero, .zero) }
            return (Matrix.product(cbar, transposed: false, rhs, transposed: true),
                    Matrix.product(lhs, transposed: true, cbar, transposed: false))
        })
    }

    @inlinable @derivative(of: transposed)
    func _vjpTransposed() -> (value: Matrix, pullback: (Matrix) -> Matrix) {
        (transposed, { v in v.scalars.isEmpty ? .zero : v.transposed })
    }

    @inlinable @derivative(of: flattened)
    func _vjpFlattened() -> (value: Vector, pullback: (Vector) -> Matrix) {
        let r = rows, c = columns
        return (flattened, { v in Matrix(rows: r, columns: c, scalars: v.materialized(count: r * c).scalars) })
    }

    @inlinable @derivative(of: init(reshaping:rows:columns:))
    static func _vjpReshaping(_ v: Vector, rows: Int, columns: Int)
        -> (value: Matrix, pullback: (Matrix) -> Vector) {
        (Matrix(reshaping: v, rows: rows, columns: columns), { m in Vector(m.scalars) })
    }
}
