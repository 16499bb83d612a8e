/// The (generalised) Jacobian of a proximal operator or projection: a symmetric
/// "diagonal plus low rank" operator
/// ```
/// J = diag(d) + U C U'        (U: n x k, C: k x k symmetric, k small)
/// ```
/// that costs `O(n k)` per product and is never formed densely.
///
/// Every prox in this module has this shape: a mask for separable operators
/// (soft thresholding, box and orthant projections: `k = 0`), a mask plus one rank-one
/// term for the simplex and l1 ball (`J = D_S - s s'/|S|`), one rank-one term per active
/// group for the group lasso, and `I - A'(AA')^-1 A` for an affine set.
///
/// Mathematical properties: a prox of a convex function is the gradient of a convex
/// function (the Moreau envelope of the conjugate), so `J` is symmetric with eigenvalues
/// in `[0, 1]` wherever it exists.
public struct ProxJacobian: AdjointableLinearOperator, Sendable {
    /// `d`: the diagonal part.
    public let diagonal: Vector
    /// `U` (`n x k`); `k = 0` when the Jacobian is diagonal.
    public let factor: Matrix
    /// `C` (`k x k`, symmetric).
    public let core: Matrix

    /// `diag(d) + U C U'`.
    public init(diagonal: Vector, factor: Matrix, core: Matrix) {
        precondition(factor.rows == diagonal.count && factor.columns == core.rows && core.rows == core.columns,
                     "ProxJacobian: diagonal \(diagonal.count), factor \(factor.rows)x\(factor.columns), core \(core.rows)x\(core.columns)")
        self.diagonal = diagonal
        self.factor = factor
        self.core = core
    }

    /// The diagonal Jacobian `diag(d)`.
    public init(diagonal: Vector) {
        self.init(diagonal: diagonal, factor: Matrix(rows: diagonal.count, columns: 0), core: Matrix(rows: 0, columns: 0))
    }

    /// `diag(d) + sum_k c_k u_k u_k'` from rank-one terms (the `u_k` of length `n`).
    public init(diagonal: Vector, rankOneTerms terms: [(vector: Vector, scale: Double)]) {
        let n = diagonal.count, k = terms.count
        var u = Matrix(rows: n, columns: k)
        for (j, t) in terms.enumerated() { u.setColumn(j, to: t.vector) }
        self.init(diagonal: diagonal, factor: u, core: .diagonal(Vector(terms.map(\.scale))))
    }

    /// `s I`.
    public static func scaledIdentity(_ s: Double, count n: Int) -> ProxJacobian {
        ProxJacobian(diagonal: Vector(repeating: s, count: n))
    }

    /// Whether `J` is diagonal (no low-rank part): then it is the mask `diag(m)` with
    /// `m_i >= 0`, and the fixed-point system restricts to `{i : m_i > 0}`.
    public var isDiagonal: Bool { factor.columns == 0 }

    public var rowCount: Int { diagonal.count }
    public var columnCount: Int { diagonal.count }

    /// `J v = d * v + U (C (U' v))`.
    public func apply(_ v: Vector) -> Vector {
        var out = diagonal * v.materialized(count: diagonal.count)
        if factor.columns > 0 {
            out.add(factor * (core * factor.transposedTimes(v)), scaledBy: 1)
        }
        return out
    }

    /// `J' v = J v` (symmetric).
    public func applyTransposed(_ v: Vector) -> Vector { apply(v) }

    /// `J M` for an `n x m` matrix `M`, with BLAS products for the low-rank part.
    public func times(_ m: Matrix) -> Matrix {
        precondition(m.rows == diagonal.count, "ProxJacobian times a matrix with \(m.rows) rows")
        var out = m
        for i in 0..<m.rows {
            let di = diagonal[i]
            for j in 0..<m.columns { out.scalars[i * m.columns + j] *= di }
        }
        if factor.columns > 0 {
            let utm = Matrix.product(factor, transposed: true, m, transposed: false)
            let low = factor * (core * utm)
            out = out + low
        }
        return out
    }

    /// The dense `n x n` matrix.
    public var dense: Matrix { times(.identity(diagonal.count)) }
}
