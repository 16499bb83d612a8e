/// A dense Jacobian, factorised by LU with partial pivoting (LAPACK `dgetrf`) after row
/// equilibration (see ``EquilibratedLUFactorization``).
extension Matrix: JacobianMatrix {
    public func factorized() throws -> EquilibratedLUFactorization { try EquilibratedLUFactorization(self) }

    /// `|A| v`, one pass over the entries.
    public func absoluteProduct(_ v: Vector) -> Vector {
        precondition(v.count == columns, "absoluteProduct: vector of length \(v.count) for \(columns) columns")
        var out = [Double](repeating: 0, count: rows)
        scalars.withUnsafeBufferPointer { a in
            v.scalars.withUnsafeBufferPointer { x in
                for i in 0..<rows {
                    var s = 0.0
                    let base = i * columns
                    for j in 0..<columns { s += abs(a[base + j]) * x[j] }
                    out[i] = s
                }
            }
        }
        return Vector(out)
    }
}
