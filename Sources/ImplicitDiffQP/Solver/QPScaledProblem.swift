import _ImplicitDiffKernels

/// The QP as the interior point sees it: rows of `A` and `G` scaled to unit 2-norm,
/// the objective scaled by `c = 1 / max(max |Q_ij|, max |q_i|)` (1 when both are zero;
/// tiny objectives are scaled up as well as large ones down: with `c = 1 / max(1, ...)`, a
/// QP whose data are of size `1e-12` met the interior point's tolerance at its starting
/// point and a wrong `z` was reported optimal), zero rows of `G`
/// removed (they are constant constraints `0 <= h_i`), and linearly dependent rows of
/// `A` removed (after checking that they are consistent). Not API.
///
/// With row scales `r_i` the multipliers of the scaled problem are
/// `lambda^_i = c lambda_i / rA_i` and `mu^_i = c mu_i / rG_i`; slacks `s^_i = rG_i s_i`.
struct QPScaledProblem {
    let n: Int
    /// Rows of `A` in use.
    let p: Int
    /// Rows of `G` in use.
    let m: Int
    let Q: [Double]
    let q: [Double]
    let A: [Double]
    let b: [Double]
    let G: [Double]
    let h: [Double]
    /// Original indices of the rows of `A` in use, and their scales `1 / ||A_i||`.
    let equalityRows: [Int]
    let equalityScale: [Double]
    /// Original indices of the rows of `G` in use, and their scales `1 / ||G_i||`.
    let inequalityRows: [Int]
    let inequalityScale: [Double]
    /// `||G_i||_2` for every row of the original `G` (0 for a zero row).
    let rowNormsOfG: [Double]
    /// Rows of `A` dropped as linearly dependent on the others.
    let dependentEqualities: [Int]
    /// Objective scale `c`.
    let objectiveScale: Double

    /// Relative rank threshold of the equality rows (`|R_kk| <= 1e-11 |R_11|` in a
    /// pivoted QR of the row-normalised `A'`).
    static let rankTolerance = 1e-11

    init(_ problem: QuadraticProgram) throws {
        // Stored properties are assigned only past the last `throw`.
        let n = problem.variableCount
        let sigma = Swift.max(problem.Q.maxNorm, problem.q.maxNorm)
        let c = sigma > 0 ? 1 / sigma : 1

        // Inequalities: drop zero rows (feasible iff h_i >= 0).
        var gRows = [Int](), gScale = [Double](), gData = [Double](), hData = [Double]()
        var gNorms = [Double]()
        gRows.reserveCapacity(problem.inequalityCount)
        gScale.reserveCapacity(problem.inequalityCount)
        gData.reserveCapacity(problem.inequalityCount * n)
        hData.reserveCapacity(problem.inequalityCount)
        gNorms.reserveCapacity(problem.inequalityCount)
        for i in 0..<problem.inequalityCount {
            let row = problem.G.row(i)
            let norm = row.norm
            gNorms.append(norm)
            if norm == 0 {
                if problem.h[i] < 0 {
                    throw QPError.infeasible("inequality \(i) reads 0 <= \(problem.h[i]) (row \(i) of G is zero)")
                }
                continue
            }
            let r = 1 / norm
            gRows.append(i)
            gScale.append(r)
            gData += row.scalars.map { $0 * r }
            hData.append(problem.h[i] * r)
        }

        // Equalities: drop zero rows (feasible iff b_i = 0) and dependent rows.
        var aRows = [Int](), aScale = [Double](), aData = [Double](), bData = [Double]()
        var dropped = [Int]()
        aData.reserveCapacity(problem.equalityCount * n)
        for i in 0..<problem.equalityCount {
            let row = problem.A.row(i)
            let norm = row.norm
            if norm == 0 {
                if problem.b[i] != 0 {
                    throw QPError.infeasible("equality \(i) reads 0 = \(problem.b[i]) (row \(i) of A is zero)")
                }
                dropped.append(i)
                continue
            }
            let r = 1 / norm
            aRows.append(i)
            aScale.append(r)
            aData += row.scalars.map { $0 * r }
            bData.append(problem.b[i] * r)
        }
        if aRows.count > 0 {
            let (independent, dependent) = LAPACK.pivotedRowRank(aData, rows: aRows.count, columns: n,
                                                                    tolerance: Self.rankTolerance)
            if !dependent.isEmpty {
                dropped += dependent.map { aRows[$0] }
                aRows = independent.map { aRows[$0] }
                aScale = independent.map { aScale[$0] }
                aData = independent.flatMap { Array(aData[($0 * n)..<(($0 + 1) * n)]) }
                bData = independent.map { bData[$0] }
            }
        }
        self.n = n
        objectiveScale = c
        Q = problem.Q.scalars.map { $0 * c }
        q = problem.q.scalars.map { $0 * c }
        inequalityRows = gRows
        inequalityScale = gScale
        rowNormsOfG = gNorms
        G = gData
        h = hData
        m = gRows.count
        equalityRows = aRows
        equalityScale = aScale
        A = aData
        b = bData
        p = aRows.count
        dependentEqualities = dropped.sorted()
    }

    /// The multipliers of the original problem from those of the scaled one (zeros for the
    /// rows the scaled problem does not have).
    func unscaledMultipliers(lambda: [Double], mu: [Double], original: QPShape) -> (Vector, Vector) {
        var l = [Double](repeating: 0, count: original.p)
        for (t, i) in equalityRows.enumerated() { l[i] = lambda[t] * equalityScale[t] / objectiveScale }
        var u = [Double](repeating: 0, count: original.m)
        for (t, i) in inequalityRows.enumerated() { u[i] = mu[t] * inequalityScale[t] / objectiveScale }
        return (Vector(l), Vector(u))
    }
}
