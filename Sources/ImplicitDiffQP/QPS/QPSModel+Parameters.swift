import ImplicitDiffCore

extension QPSModel {
    /// The tangent of ``problem``'s data along a tangent `(dc, drhs)` of the file's
    /// parameters: `dq = s dc`, `dl_i = drhs_i` and `du_i = drhs_i` on the finite sides of
    /// row `i` (zero elsewhere; `P`, `A` and the bounds do not move). `nil` entries are zero.
    ///
    /// - Throws: ``QPError/dimensionMismatch(_:)`` when `dc` or `drhs` has the wrong length.
    public func dataTangent(c dc: Vector? = nil, rhs drhs: Vector? = nil) throws -> SparseQPParameters {
        let n = problem.variableCount, m = problem.rowCount
        guard dc.map({ $0.count == n }) ?? true, drhs.map({ $0.count == m }) ?? true else {
            throw QPError.dimensionMismatch("the file has \(n) columns and \(m) rows; tangents of c and rhs have \(dc?.count ?? n) and \(drhs?.count ?? m) entries")
        }
        var t = SparseQPParameters.zeros(like: problem)
        if let dc { t.q = Vector(dc.scalars.map { sign * $0 }) }
        if let drhs {
            for i in 0..<m {
                if lowerFollowsRHS[i] { t.l[i] = drhs[i] }
                if upperFollowsRHS[i] { t.u[i] = drhs[i] }
            }
        }
        return t
    }

    /// The adjoint of ``dataTangent(c:rhs:)``: a gradient with respect to ``problem``'s data
    /// as one with respect to the file's `(c, rhs)`: `cbar = s qbar`,
    /// `rhsbar_i = lbar_i + ubar_i` over the sides that move with `rhs_i`.
    public func parameterGradient(_ g: SparseQPParameters) -> (c: Vector, rhs: Vector) {
        let m = problem.rowCount
        var r = [Double](repeating: 0, count: m)
        for i in 0..<m {
            if lowerFollowsRHS[i] { r[i] += g.l[i] }
            if upperFollowsRHS[i] { r[i] += g.u[i] }
        }
        return (Vector(g.q.scalars.map { sign * $0 }), Vector(r))
    }
}
