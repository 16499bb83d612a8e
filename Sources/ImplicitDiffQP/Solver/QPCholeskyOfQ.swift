import _ImplicitDiffKernels

/// The Cholesky factor `Q = L L'` of a positive definite, well-conditioned `Q`, shared by
/// the convexity check, every polish solve and every derivative of one solution. Not API.
struct QPCholeskyOfQ: Sendable {
    let n: Int
    /// Row-major lower factor.
    let factor: [Double]
    /// Reciprocal 1-norm condition estimate of `Q`.
    let reciprocalCondition: Double

    /// Below this reciprocal condition number the range-space factorisation of the KKT
    /// matrix (which works with `C Q^-1 C'`) loses too much accuracy and the
    /// Bunch-Kaufman LDL' of the whole KKT matrix is used instead.
    static let conditionLimit = 1e-10

    /// The factor, or `nil` when `Q` is not positive definite or too ill-conditioned.
    init?(_ q: Matrix) {
        let n = q.rows
        var l = q.scalars
        guard n > 0, LAPACK.choleskyLower(&l, n: n) else { return nil }
        let rcond = LAPACK.choleskyReciprocalCondition(l, n: n, norm1: RowMajor.symmetricNorm1(q.scalars, n: n))
        guard rcond >= Self.conditionLimit else { return nil }
        self.n = n
        factor = l
        reciprocalCondition = rcond
    }
}

/// The range-space (Schur complement) factorisation of `K = [Q C'; C 0]` for `Q`
/// positive definite, with `C = [G_a; A_e]` (`r x n`):
/// ```
/// Q = L L',   Y = L^-1 C',   S = Y'Y = C Q^-1 C' = Ls Ls'
/// K [x; y] = [f; g]:   u = L^-1 f,   y = S^-1 (Y'u - g),   x = L^-T (u - Y y)
/// ```
/// i.e. the block LDL' `K = [L 0; Y' Ls] diag(I, -I) [L' Y; 0 Ls']`. All steps are BLAS-3
/// Cholesky and triangular solves. `S` is singular exactly when the rows of `C` are
/// linearly dependent. Not API.
struct QPRangeSpaceFactor: Sendable {
    let n: Int
    let r: Int
    let l: [Double]
    /// `L^-1 C'`, `n x r`.
    let y: [Double]
    /// Cholesky factor of `S`, `r x r`.
    let ls: [Double]

    /// `nil` when `S` is singular to working precision (dependent constraint rows).
    init?(cholesky: QPCholeskyOfQ, constraints c: [Double], rows r: Int) {
        let n = cholesky.n
        var yy = RowMajor.transpose(c, rows: r, columns: n)
        BLAS.triangularSolve(cholesky.factor, n: n, matrix: &yy, columns: r)
        var s = [Double](repeating: 0, count: r * r)
        BLAS.syrkTransposedLower(yy, k: n, n: r, into: &s, beta: 0)
        // Full symmetric copy for the norm, then factorise the lower triangle.
        for i in 0..<r { for j in 0..<i { s[j * r + i] = s[i * r + j] } }
        let norm1 = RowMajor.symmetricNorm1(s, n: r)
        guard LAPACK.choleskyLower(&s, n: r) else { return nil }
        let rcond = LAPACK.choleskyReciprocalCondition(s, n: r, norm1: norm1)
        guard rcond >= Double(Swift.max(r, 1)) * Double.ulpOfOne else { return nil }
        // Stored properties are assigned only past the last `return nil`.
        self.n = n
        self.r = r
        l = cholesky.factor
        y = yy
        ls = s
    }

    /// `K^-1 R` for a row-major `(n + r) x k` right-hand side.
    func solve(_ rhs: [Double], columns k: Int) -> [Double] {
        var u = Array(rhs[0..<(n * k)])
        BLAS.triangularSolve(l, n: n, matrix: &u, columns: k, transposed: false)
        if r > 0 {
            var w = Array(rhs[(n * k)..<((n + r) * k)])
            // w = Y'u - g
            BLAS.gemm(y, u, into: &w, m: r, n: k, k: n, transposeA: true, alpha: 1, beta: -1)
            BLAS.triangularSolve(ls, n: r, matrix: &w, columns: k, transposed: false)
            BLAS.triangularSolve(ls, n: r, matrix: &w, columns: k, transposed: true)
            // u = u - Y w
            BLAS.gemm(y, w, into: &u, m: n, n: k, k: r, alpha: -1, beta: 1)
            BLAS.triangularSolve(l, n: n, matrix: &u, columns: k, transposed: true)
            return u + w
        }
        BLAS.triangularSolve(l, n: n, matrix: &u, columns: k, transposed: true)
        return u
    }
}
