import _ImplicitDiffKernels

/// The Newton system of one interior-point iteration, in normal-equation form:
/// ```
/// [ H   A' ] [dz]   [r1]        H = Q + G' diag(d) G,  d = mu / s
/// [ A   0  ] [dl] = [r2]
/// ```
/// factorised as the quasi-definite matrix `[H + dp I, A'; A, -dd I]` by a Cholesky
/// factorisation of `H + dp I` and one of the Schur complement `A (H + dp I)^-1 A' + dd I`
/// (both BLAS-3), with small static regularisations `dp`, `dd` that make it work for `Q`
/// only semidefinite; iterative refinement against the unregularised matrix recovers the
/// accuracy. Not API.
struct QPNewtonSystem {
    let n: Int
    let p: Int
    let m: Int
    /// Cholesky factor of `H + dp I` (row-major lower).
    private(set) var l: [Double] = []
    /// `L^-1 A'` (`n x p`, row-major).
    private(set) var y: [Double] = []
    /// Cholesky factor of `Y'Y + dd I` (`p x p`).
    private(set) var ls: [Double] = []
    /// The diagonal weights `d`.
    private(set) var d: [Double] = []
    private(set) var primalRegularization: Double = 0
    let dualRegularization: Double

    init(n: Int, p: Int, m: Int, regularization: Double = 1e-9) {
        self.n = n
        self.p = p
        self.m = m
        self.primalRegularization = regularization
        self.dualRegularization = regularization
    }

    /// Factorises with weights `d` (length `m`). Raises the primal regularisation
    /// (x100, up to five times) when rounding makes `H + dp I` fail to factorise.
    mutating func factor(_ sp: QPScaledProblem, weights: [Double]) -> Bool {
        d = weights
        var gs = sp.G
        if m > 0 {
            gs.withUnsafeMutableBufferPointer { g in
                for i in 0..<m {
                    let r = weights[i].squareRoot()
                    for j in 0..<n { g[i * n + j] *= r }
                }
            }
        }
        var hmat = [Double]()
        var ok = false
        for _ in 0..<6 {
            hmat = sp.Q
            for i in 0..<n { hmat[i * n + i] += primalRegularization }
            BLAS.syrkTransposedLower(gs, k: m, n: n, into: &hmat)
            if LAPACK.choleskyLower(&hmat, n: n) { ok = true; break }
            primalRegularization *= 100
        }
        guard ok else { return false }
        l = hmat
        if p > 0 {
            var yy = RowMajor.transpose(sp.A, rows: p, columns: n)
            BLAS.triangularSolve(l, n: n, matrix: &yy, columns: p)
            y = yy
            var s = [Double](repeating: 0, count: p * p)
            for i in 0..<p { s[i * p + i] = dualRegularization }
            BLAS.syrkTransposedLower(yy, k: n, n: p, into: &s)
            guard LAPACK.choleskyLower(&s, n: p) else { return false }
            ls = s
        }
        return true
    }

    /// Solves the regularised system `[H + dp I, A'; A, -dd I] [x; w] = [r1; r2]`.
    func solveRegularized(_ r1: [Double], _ r2: [Double]) -> ([Double], [Double]) {
        var u = r1
        BLAS.triangularSolve(l, n: n, &u, transposed: false)
        if p == 0 {
            BLAS.triangularSolve(l, n: n, &u, transposed: true)
            return (u, [])
        }
        // (Y'Y + dd I) w = Y'u - r2
        var w = BLAS.gemv(y, rows: n, columns: p, u, transposed: true)
        for i in 0..<p { w[i] -= r2[i] }
        BLAS.triangularSolve(ls, n: p, &w, transposed: false)
        BLAS.triangularSolve(ls, n: p, &w, transposed: true)
        // x = L^-T (u - Y w)
        BLAS.gemv(y, rows: n, columns: p, w, into: &u, alpha: -1, beta: 1)
        BLAS.triangularSolve(l, n: n, &u, transposed: true)
        return (u, w)
    }

    /// `[H A'; A 0] [x; w]`, from the data.
    func apply(_ sp: QPScaledProblem, _ x: [Double], _ w: [Double]) -> ([Double], [Double]) {
        var out = BLAS.gemv(sp.Q, rows: n, columns: n, x)
        if m > 0 {
            var gx = BLAS.gemv(sp.G, rows: m, columns: n, x)
            for i in 0..<m { gx[i] *= d[i] }
            BLAS.gemv(sp.G, rows: m, columns: n, gx, into: &out, transposed: true, beta: 1)
        }
        if p > 0 {
            BLAS.gemv(sp.A, rows: p, columns: n, w, into: &out, transposed: true, beta: 1)
            return (out, BLAS.gemv(sp.A, rows: p, columns: n, x))
        }
        return (out, [])
    }

    /// Where iterative refinement stops: residual `<= 1e-13` of the right-hand side. The
    /// interior point's directions need far less (the final answer is the polish's exact
    /// KKT solve); 1e-15 cost a refinement pass more per solve (2.5 % of a batch of random
    /// QPs n = 50, m = 100, p = 10, by instruction counts) and changed no iterate count and
    /// no digit of the answers.
    static let refinementTarget = 1e-13

    /// Solves the unregularised system `[H A'; A 0] [x; w] = [r1; r2]` by the regularised
    /// factorisation and up to `refinements` steps of iterative refinement.
    func solve(_ sp: QPScaledProblem, _ r1: [Double], _ r2: [Double], refinements: Int = 3) -> ([Double], [Double]) {
        var (x, w) = solveRegularized(r1, r2)
        let rhsNorm = Swift.max(maxAbs(r1), maxAbs(r2))
        if rhsNorm == 0 { return (x, w) }
        var lastResidual = Double.infinity
        for _ in 0..<refinements {
            let (a1, a2) = apply(sp, x, w)
            var e1 = r1, e2 = r2
            for i in 0..<n { e1[i] -= a1[i] }
            for i in 0..<p { e2[i] -= a2[i] }
            let res = Swift.max(maxAbs(e1), maxAbs(e2))
            if res <= Self.refinementTarget * rhsNorm || res >= 0.5 * lastResidual { break }
            lastResidual = res
            let (c1, c2) = solveRegularized(e1, e2)
            for i in 0..<n { x[i] += c1[i] }
            for i in 0..<p { w[i] += c2[i] }
        }
        return (x, w)
    }
}

@inline(__always)
func maxAbs(_ v: [Double]) -> Double {
    var r = 0.0
    for x in v { r = Swift.max(r, abs(x)) }
    return r
}
