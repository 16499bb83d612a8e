/// The factorisation of the full `dF/dy` of ``QPConditions``: the reduced LDL' plus the
/// identity on the inactive multipliers. It measures its residual in its refinement step
/// (the identity block is exact), so the core's solve makes one product with `K`. Not API.
struct QPFullKKTFactorization: Factorization {
    let kkt: QPReducedKKT
    let map: QPFullOrdering
    var dimension: Int { map.shape.solutionCount }

    func solve(_ b: Vector) -> Vector { map.expandRows(kkt.solve(map.reduceColumns(b)), passthrough: b) }

    /// `K` is symmetric: both directions are the same solve.
    func solveMeasuringResidual(_ b: Vector, transposed: Bool) -> (solution: Vector, relativeResidual: Double)? {
        let reduced = map.reduceColumns(b)
        let (x, relative) = kkt.solveMeasuringResidual(reduced)
        // The residual lives on the reduced rows; relative to the whole right-hand side.
        let bn = b.norm, rn = reduced.norm
        return (map.expandRows(x, passthrough: b), bn == 0 ? 0 : relative * rn / bn)
    }

    func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    func solve(_ b: Matrix) -> Matrix {
        var reduced = Matrix(rows: kkt.dimension, columns: b.columns)
        for c in 0..<b.columns { reduced.setColumn(c, to: map.reduceColumns(b.column(c))) }
        let x = kkt.solve(reduced)
        var out = Matrix(rows: dimension, columns: b.columns)
        for c in 0..<b.columns { out.setColumn(c, to: map.expandRows(x.column(c), passthrough: b.column(c))) }
        return out
    }

    func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}
