import ImplicitDiffCore

/// Ruiz equilibration of a sparse QP (Ruiz 2001, as in OSQP): diagonal `D` (variables),
/// `E` (rows) and a cost factor `c` such that the scaled problem
/// ```
/// P^ = c D P D,  q^ = c D q,  A^ = E A D,  l^ = E l,  u^ = E u,  lb^ = lb / D,  ub^ = ub / D
/// ```
/// has the columns of `[P^; A^]` and the rows of `A^` of max-norm close to 1. The scaled
/// problem has the solution `z^ = D^-1 z` and multipliers `y^ = c E^-1 y`, `w^ = c D w`
/// (stationarity `P^ z^ + q^ + A^'y^ + w^ = c D (P z + q + A'y + w)`).
///
/// Each sweep multiplies `D_j` by `1/sqrt(max(||P^_j||, ||A^_j||))` and `E_i` by
/// `1/sqrt(||A^_i||)` (max norms, factors clamped to `[1e-4, 1e4]`); 15 sweeps. Then
/// `c = 1 / max(1e-4, mean_j ||P^_j||, ||q^||)` clamped to `[1e-4, 1e4]`.
struct SparseQPScaling: Sendable {
    let D: [Double]
    let E: [Double]
    let c: Double
    let P: SparseMatrix
    let q: [Double]
    let A: SparseMatrix
    let l: [Double]
    let u: [Double]
    let lb: [Double]
    let ub: [Double]

    init(_ p: SparseQuadraticProgram, sweeps: Int = 15) {
        let n = p.variableCount, m = p.rowCount
        var d = [Double](repeating: 1, count: n), e = [Double](repeating: 1, count: m)
        var pv = p.P.values, av = p.A.values
        let pc = p.P.columnStart, pr = p.P.rowIndices, ac = p.A.columnStart, ar = p.A.rowIndices
        func clamp(_ x: Double) -> Double { x < 1e-4 ? 1e-4 : (x > 1e4 ? 1e4 : x) }
        for _ in 0..<sweeps {
            var colNorm = [Double](repeating: 0, count: n), rowNorm = [Double](repeating: 0, count: m)
            for j in 0..<n {
                var s = 0.0
                for t in pc[j]..<pc[j + 1] { s = Swift.max(s, abs(pv[t])) }
                for t in ac[j]..<ac[j + 1] {
                    let a = abs(av[t])
                    s = Swift.max(s, a)
                    rowNorm[ar[t]] = Swift.max(rowNorm[ar[t]], a)
                }
                colNorm[j] = s
            }
            let dj = colNorm.map { $0 > 0 ? clamp(1 / $0.squareRoot()) : 1 }
            let ei = rowNorm.map { $0 > 0 ? clamp(1 / $0.squareRoot()) : 1 }
            var change = 0.0
            for j in 0..<n { d[j] *= dj[j]; change = Swift.max(change, abs(1 - dj[j])) }
            for i in 0..<m { e[i] *= ei[i]; change = Swift.max(change, abs(1 - ei[i])) }
            for j in 0..<n {
                for t in pc[j]..<pc[j + 1] { pv[t] *= dj[pr[t]] * dj[j] }
                for t in ac[j]..<ac[j + 1] { av[t] *= ei[ar[t]] * dj[j] }
            }
            if change < 1e-3 { break }
        }
        var qs = [Double](repeating: 0, count: n)
        for j in 0..<n { qs[j] = d[j] * p.q[j] }
        var meanCol = 0.0
        for j in 0..<n {
            var s = 0.0
            for t in pc[j]..<pc[j + 1] { s = Swift.max(s, abs(pv[t])) }
            meanCol += s
        }
        meanCol /= Double(Swift.max(n, 1))
        let qn = qs.reduce(0) { Swift.max($0, abs($1)) }
        let cost = clamp(1 / Swift.max(1e-4, meanCol, qn))
        for t in pv.indices { pv[t] *= cost }
        for j in 0..<n { qs[j] *= cost }
        D = d
        E = e
        c = cost
        P = p.P.withValues(pv)
        q = qs
        A = p.A.withValues(av)
        l = (0..<m).map { p.l[$0] * e[$0] }
        u = (0..<m).map { p.u[$0] * e[$0] }
        lb = (0..<n).map { p.lb[$0] / d[$0] }
        ub = (0..<n).map { p.ub[$0] / d[$0] }
    }

    /// `(z, y, w)` of the original problem from a scaled solution.
    func unscale(z zs: [Double], y ys: [Double], w ws: [Double]) -> (z: [Double], y: [Double], w: [Double]) {
        (zip(zs, D).map { $0 * $1 }, zip(ys, E).map { $0 * $1 / c }, zip(ws, D).map { $0 / ($1 * c) })
    }
}
