/// A linear map `v -> A v` from `R^columnCount` to `R^rowCount`, known only through
/// its action: the matrix need never be formed.
///
/// Krylov methods that need only products (CG, MINRES, GMRES, BiCGStab) accept any
/// `LinearOperator`; methods that also need `A' v` (LSQR) require
/// ``AdjointableLinearOperator``.
public protocol LinearOperator {
    /// Length of `A v`.
    var rowCount: Int { get }
    /// Length of `v`.
    var columnCount: Int { get }
    /// `A v`.
    func apply(_ v: Vector) -> Vector
    /// The dense matrix of the operator. The default builds it from `columnCount`
    /// products; an operator that has a cheaper way (a Gram matrix by one BLAS `syrk`)
    /// implements it, and the direct solvers use it.
    func densified() -> Matrix
}

/// A linear operator that can also apply its transpose `v -> A' v`.
public protocol AdjointableLinearOperator: LinearOperator {
    /// `A' v`.
    func applyTransposed(_ v: Vector) -> Vector
}

extension LinearOperator {
    /// The dense matrix of the operator, built column by column from `A e_j`
    /// (`columnCount` applications).
    public func densified() -> Matrix {
        var m = Matrix(rows: rowCount, columns: columnCount)
        for j in 0..<columnCount { m.setColumn(j, to: apply(.basis(j, count: columnCount))) }
        return m
    }
}

extension AdjointableLinearOperator {
    /// The dense matrix of the operator built row by row from `A' e_i` (`rowCount`
    /// applications of the transpose): cheaper than ``LinearOperator/densified()``
    /// when the operator has fewer rows than columns or when only the transpose is cheap.
    public func densifiedByRows() -> Matrix {
        var m = Matrix(rows: rowCount, columns: columnCount)
        for i in 0..<rowCount {
            let r = applyTransposed(.basis(i, count: rowCount))
            m.scalars.replaceSubrange((i * columnCount)..<((i + 1) * columnCount), with: r.materialized(count: columnCount).scalars)
        }
        return m
    }
}

/// A dense matrix is an operator whose products run in BLAS.
extension Matrix: AdjointableLinearOperator {
    public var rowCount: Int { rows }
    public var columnCount: Int { columns }
    public func apply(_ v: Vector) -> Vector { self * v }
    public func applyTransposed(_ v: Vector) -> Vector { transposedTimes(v) }
    public func densified() -> Matrix { self }
}
