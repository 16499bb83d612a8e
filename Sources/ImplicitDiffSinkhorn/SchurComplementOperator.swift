import _ImplicitDiffKernels

/// The Schur complement of the Sinkhorn system's matrix on its kept block, plus the
/// gauge-fixing rank-one term: the operator ``SchurComplementSystem`` hands to the core's
/// linear solve. Not API.
///
/// With `D_r`, `D_c` the diagonal blocks of `K = [D_r P; P' D_c]`, keeping the targets
/// (`m <= n`):
/// ```
/// S + gamma 1 1' = D_c - P' D_r^-1 P + gamma 1 1'      (m x m, symmetric)
/// ```
/// (`P D_c^-1 P'` and `D_r` when the sources are kept). A product costs two BLAS `dgemv`
/// with the plan (`4 n m` flops); forming it costs one `dsyrk` (`n m^2` flops), so the
/// core's `.automatic` solves it densely only up to ``SchurComplementSystem/automaticDenseLimit``.
struct SchurComplementOperator: AdjointableLinearOperator, Sendable {
    /// Which potential's block is kept.
    enum Side: Sendable { case targets, sources }

    let plan: Matrix
    let rowDiagonal: [Double]
    let columnDiagonal: [Double]
    let side: Side
    let gamma: Double
    /// Whether ``densified()`` forms the balanced `S` as the graph Laplacian it is (the
    /// Newton finish) rather than as `D_c - W` (the derivative).
    let laplacian: Bool

    var n: Int { plan.rows }
    var m: Int { plan.columns }
    var rowCount: Int { side == .targets ? m : n }
    var columnCount: Int { rowCount }
    var kept: [Double] { side == .targets ? columnDiagonal : rowDiagonal }
    var other: [Double] { side == .targets ? rowDiagonal : columnDiagonal }

    /// `diag(S + gamma 1 1')`, clamped at zero: `kept_l - sum_o P_ol^2 / other_o + gamma`
    /// (the Jacobi preconditioner).
    func diagonal() -> [Double] {
        let n = self.n, m = self.m, keepTargets = side == .targets, other = self.other
        var diag = kept
        plan.scalars.withUnsafeBufferPointer { pp in
            for i in 0..<n {
                for j in 0..<m {
                    let p = pp[i * m + j]
                    if keepTargets { diag[j] -= p * p / other[i] } else { diag[i] -= p * p / other[j] }
                }
            }
        }
        return diag.map { d in Swift.max(d + gamma, 0) }
    }

    /// `P v` (`n`) for `v` of length `m`.
    func planTimes(_ v: [Double]) -> [Double] { gemv(transposed: false, v, count: n) }
    /// `P' u` (`m`) for `u` of length `n`.
    func planTransposedTimes(_ u: [Double]) -> [Double] { gemv(transposed: true, u, count: m) }

    func gemv(transposed: Bool, _ x: [Double], count: Int) -> [Double] {
        BLAS.gemv(plan.scalars, rows: n, columns: m, x, transposed: transposed)
    }

    /// `(S + gamma 1 1') v`, matrix-free.
    func applyReduced(_ v: [Double]) -> [Double] {
        let k = v.count
        var out: [Double]
        let total = v.reduce(0, +) * gamma
        if side == .targets {
            var t = planTimes(v)
            for i in 0..<n { t[i] /= rowDiagonal[i] }
            out = planTransposedTimes(t)
            for j in 0..<k { out[j] = columnDiagonal[j] * v[j] - out[j] + total }
        } else {
            var t = planTransposedTimes(v)
            for j in 0..<m { t[j] /= columnDiagonal[j] }
            out = planTimes(t)
            for i in 0..<k { out[i] = rowDiagonal[i] * v[i] - out[i] + total }
        }
        return out
    }

    func apply(_ v: Vector) -> Vector { Vector(applyReduced(v.materialized(count: rowCount).scalars)) }
    func applyTransposed(_ v: Vector) -> Vector { apply(v) }

    /// Dense `S + gamma 1 1'` from one `dsyrk`.
    func densified() -> Matrix {
        let k = rowCount
        return Matrix(rows: k, columns: k, scalars: reducedMatrix())
    }

    /// Dense `S + gamma 1 1'` (row-major, both triangles). With `laplacian: false` (the
    /// derivative's), `S = diag(c) - W` as written; with `laplacian: true` (the Newton
    /// finish's), `S` is formed as the graph Laplacian it is,
    /// ```
    /// W = P' diag(1/r) P  (keep targets; P diag(1/c) P' keep sources),   W_jl >= 0
    /// S_jl = -W_jl (j != l),      S_jj = sum_{l != j} W_jl
    /// ```
    /// (`S 1 = 0` because `W 1 = c`). `W` comes from one `dsyrk` of
    /// `diag(1/sqrt(r)) P` (sums of positive terms, accurate to a few ulp), and the
    /// diagonal is summed from the off-diagonal weights instead of `c_j - W_jj`: when the
    /// plan is nearly a permutation (clouds that overlap, small `eps`), `c_j` and `W_jj`
    /// agree to many digits and their difference would keep none, while the Laplacian's
    /// small eigenvalues, which are what Sinkhorn stalls on and what Newton must resolve,
    /// are determined to high relative accuracy by the weights. (The derivative keeps
    /// the plain form: its conditioning check then refuses what it refused before, and
    /// its answers do not change.)
    func reducedMatrix() -> [Double] {
        let n = self.n, m = self.m, k = rowCount, kept = self.kept
        // R = diag(1/sqrt(r)) P (keep targets) or P diag(1/sqrt(c)) (keep sources).
        var r = plan.scalars
        let scale = other.map { 1 / $0.squareRoot() }
        for i in 0..<n {
            for j in 0..<m { r[i * m + j] *= side == .targets ? scale[i] : scale[j] }
        }
        var s = [Double](repeating: 0, count: k * k)
        BLAS.syrk(r, rows: n, columns: m, into: &s, transposed: side == .targets, beta: 0)
        // Lower triangle of W -> full S + gamma 1 1'.
        if !laplacian {
            for j in 0..<k {
                for l in 0..<j {
                    let v = gamma - s[j * k + l]
                    s[j * k + l] = v
                    s[l * k + j] = v
                }
                s[j * k + j] = kept[j] - s[j * k + j] + gamma
            }
            return s
        }
        var degree = [Double](repeating: 0, count: k)
        for j in 0..<k {
            for l in 0..<j {
                let w = s[j * k + l]
                degree[j] += w
                degree[l] += w
            }
        }
        for j in 0..<k {
            for l in 0..<j {
                let v = gamma - s[j * k + l]
                s[j * k + l] = v
                s[l * k + j] = v
            }
            s[j * k + j] = degree[j] + gamma
        }
        return s
    }
}
