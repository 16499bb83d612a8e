import _CLAPACK

/// Dense kernels of the QP solver on row-major `[Double]` storage (CBLAS / LAPACKE).
/// Not API.
enum QPKernels {
    /// `y = M x` for a row-major `rows x columns` matrix (`transposed`: `y = M' x`).
    static func gemv(_ m: [Double], rows: Int, columns: Int, _ x: [Double], transposed: Bool = false) -> [Double] {
        var y = [Double](repeating: 0, count: transposed ? columns : rows)
        gemv(m, rows: rows, columns: columns, x, into: &y, transposed: transposed, beta: 0)
        return y
    }

    /// `y = alpha op(M) x + beta y`.
    static func gemv(_ m: [Double], rows: Int, columns: Int, _ x: [Double], into y: inout [Double],
                     transposed: Bool = false, alpha: Double = 1, beta: Double = 0) {
        if rows == 0 || columns == 0 {
            if beta == 0 { for i in y.indices { y[i] = 0 } } else if beta != 1 { for i in y.indices { y[i] *= beta } }
            return
        }
        m.withUnsafeBufferPointer { mp in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
                                alpha, mp.baseAddress, Int32(columns), xp.baseAddress, 1, beta, yp.baseAddress, 1)
                }
            }
        }
    }

    /// Lower triangle of `C <- C + alpha M' M` for a row-major `k x n` matrix `M` (`C` is `n x n`).
    static func syrkTransposedLower(_ mat: [Double], k: Int, n: Int, into c: inout [Double], alpha: Double = 1, beta: Double = 1) {
        if n == 0 { return }
        if k == 0 {
            if beta != 1 { for i in c.indices { c[i] *= beta } }
            return
        }
        mat.withUnsafeBufferPointer { mp in
            c.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(n), Int32(k), alpha, mp.baseAddress, Int32(n),
                            beta, cp.baseAddress, Int32(n))
            }
        }
    }

    /// In-place Cholesky `C = L L'` of the lower triangle; `false` when not positive definite.
    static func choleskyLower(_ c: inout [Double], n: Int) -> Bool {
        if n == 0 { return true }
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), &c, Int32(n))
        return info == 0
    }

    /// `x <- L^-1 x` (or `L^-T x`) for the lower-triangular factor `l`.
    static func triangularSolve(_ l: [Double], n: Int, _ x: inout [Double], transposed: Bool) {
        if n == 0 { return }
        l.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { xp in
                cblas_dtrsv(CblasRowMajor, CblasLower, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
                            Int32(n), lp.baseAddress, Int32(n), xp.baseAddress, 1)
            }
        }
    }

    /// `B <- L^-1 B` for a row-major `n x k` matrix `B`.
    static func triangularSolve(_ l: [Double], n: Int, matrix b: inout [Double], columns k: Int) {
        if n == 0 || k == 0 { return }
        l.withUnsafeBufferPointer { lp in
            b.withUnsafeMutableBufferPointer { bp in
                cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), Int32(k), 1,
                            lp.baseAddress, Int32(n), bp.baseAddress, Int32(k))
            }
        }
    }

    /// The transpose of a row-major `rows x columns` matrix.
    static func transpose(_ m: [Double], rows: Int, columns: Int) -> [Double] {
        var t = [Double](repeating: 0, count: m.count)
        m.withUnsafeBufferPointer { mp in
            t.withUnsafeMutableBufferPointer { tp in
                for i in 0..<rows {
                    for j in 0..<columns { tp[j * rows + i] = mp[i * columns + j] }
                }
            }
        }
        return t
    }

    /// Rank-revealing QR with column pivoting of `M'` for a row-major `rows x columns`
    /// matrix `M` (LAPACK `dgeqp3`): the rows of `M` in pivot order and `|R_kk|`.
    /// Rows whose `|R_kk|` falls below `tolerance * |R_11|` are linearly dependent on the
    /// rows before them.
    static func pivotedRowRank(_ m: [Double], rows: Int, columns: Int, tolerance: Double)
        -> (independent: [Int], dependent: [Int]) {
        if rows == 0 { return ([], []) }
        if columns == 0 { return ([], Array(0..<rows)) }
        // Row-major M (rows x columns) is column-major M' (columns x rows).
        var a = m
        var jpvt = [implicitdiff_lapack_int](repeating: 0, count: rows)
        var tau = [Double](repeating: 0, count: Swift.min(rows, columns))
        let info = LAPACKE_dgeqp3(LAPACK_COL_MAJOR, Int32(columns), Int32(rows), &a, Int32(columns), &jpvt, &tau)
        guard info == 0 else { return (Array(0..<rows), []) }
        let order = jpvt.map { Int($0) - 1 }
        let kmax = Swift.min(rows, columns)
        let r11 = abs(a[0])
        var rank = 0
        if r11 > 0 {
            while rank < kmax && abs(a[rank * columns + rank]) > tolerance * r11 { rank += 1 }
        }
        return (Array(order[0..<rank]).sorted(), Array(order[rank...]).sorted())
    }
}

extension QPKernels {
    /// `B <- op(L)^-1 B` for a row-major `n x k` matrix `B` (`transposed`: `L'`).
    static func triangularSolve(_ l: [Double], n: Int, matrix b: inout [Double], columns k: Int, transposed: Bool) {
        if n == 0 || k == 0 { return }
        l.withUnsafeBufferPointer { lp in
            b.withUnsafeMutableBufferPointer { bp in
                cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
                            Int32(n), Int32(k), 1, lp.baseAddress, Int32(n), bp.baseAddress, Int32(k))
            }
        }
    }

    /// `C <- alpha op(A) op(B) + beta C`, all row-major; `op(A)` is `m x k`, `op(B)` is `k x n`.
    static func gemm(_ a: [Double], _ b: [Double], into c: inout [Double], m: Int, n: Int, k: Int,
                     transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1, beta: Double = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in c.indices { c[i] *= beta }
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), alpha, ap.baseAddress, Int32(transposeA ? m : k),
                                bp.baseAddress, Int32(transposeB ? k : n), beta, cp.baseAddress, Int32(n))
                }
            }
        }
    }

    /// Reciprocal 1-norm condition estimate of `L L'` from its Cholesky factor and the
    /// 1-norm of the original matrix (LAPACK `dpocon`).
    static func choleskyReciprocalCondition(_ l: [Double], n: Int, norm1: Double) -> Double {
        if n == 0 { return 1 }
        var rcond = 0.0
        let info = LAPACKE_dpocon(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "L")), Int32(n), l, Int32(n), norm1, &rcond)
        return info == 0 ? rcond : 0
    }

    /// The 1-norm (max column sum) of a symmetric matrix given in full row-major storage.
    static func symmetricNorm1(_ a: [Double], n: Int) -> Double {
        var best = 0.0
        a.withUnsafeBufferPointer { ap in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += abs(ap[i * n + j]) }
                best = Swift.max(best, s)
            }
        }
        return best
    }
}
