import _CLAPACK

/// Thin wrappers over the CBLAS routines the package uses, shared by the core and the
/// problem modules. Not API (underscored module).
///
/// Matrices are row-major throughout the package (`CblasRowMajor`). Every wrapper is
/// `@inlinable`: they sit in the inner loops of the solvers of other modules.
public enum BLAS {
    /// `sqrt(sum x_i^2)` without overflow.
    @inlinable
    public static func nrm2(_ x: [Double]) -> Double {
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { cblas_dnrm2(Int32(x.count), $0.baseAddress, 1) }
    }

    /// `sum x_i y_i`.
    @inlinable
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in cblas_ddot(Int32(x.count), xp.baseAddress, 1, yp.baseAddress, 1) }
        }
    }

    /// `y <- alpha x + y`.
    @inlinable
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
        if x.isEmpty { return }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                cblas_daxpy(Int32(x.count), alpha, xp.baseAddress, 1, yp.baseAddress, 1)
            }
        }
    }

    /// `x <- alpha x`.
    @inlinable
    public static func scal(_ alpha: Double, _ x: inout [Double]) {
        if x.isEmpty { return }
        let n = Int32(x.count)
        x.withUnsafeMutableBufferPointer { cblas_dscal(n, alpha, $0.baseAddress, 1) }
    }

    /// `y = M x` for a row-major `rows x columns` matrix (`transposed`: `y = M' x`).
    @inlinable
    public static func gemv(_ m: [Double], rows: Int, columns: Int, _ x: [Double], transposed: Bool = false) -> [Double] {
        var y = [Double](repeating: 0, count: transposed ? columns : rows)
        gemv(m, rows: rows, columns: columns, x, into: &y, transposed: transposed, beta: 0)
        return y
    }

    /// `y <- alpha op(M) x + beta y` for a row-major `rows x columns` matrix `m`.
    @inlinable
    public static func gemv(_ m: [Double], rows: Int, columns: Int, _ x: [Double], into y: inout [Double],
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

    /// `C <- alpha op(A) op(B) + beta C`, all row-major and contiguous; `op(A)` is `m x k`,
    /// `op(B)` is `k x n`.
    @inlinable
    public static func gemm(_ a: [Double], _ b: [Double], into c: inout [Double], m: Int, n: Int, k: Int,
                            transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1, beta: Double = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in c.indices { c[i] *= beta }
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    gemm(ap.baseAddress!, lda: transposeA ? m : k, bp.baseAddress!, ldb: transposeB ? k : n,
                         into: cp.baseAddress!, ldc: n, m: m, n: n, k: k,
                         transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta)
                }
            }
        }
    }

    /// `C <- alpha op(A) op(B) + beta C` on row-major blocks given by their first entry and
    /// leading dimension (blocks of larger matrices); `op(A)` is `m x k`, `op(B)` is `k x n`.
    @inlinable @inline(__always)
    public static func gemm(_ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                            into c: UnsafeMutablePointer<Double>, ldc: Int, m: Int, n: Int, k: Int,
                            transposeA: Bool = false, transposeB: Bool = false, alpha: Double = 1, beta: Double = 0) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// One triangle of `C <- alpha op(M) op(M)' + beta C` for a row-major `rows x columns`
    /// matrix `M`: `op(M) = M'` when `transposed` (`C` is `columns x columns`), else `M`
    /// (`C` is `rows x rows`); `lower` or upper triangle of the row-major `C`.
    @inlinable
    public static func syrk(_ mat: [Double], rows: Int, columns: Int, into c: inout [Double], transposed: Bool,
                            lower: Bool = true, alpha: Double = 1, beta: Double = 1) {
        let order = transposed ? columns : rows, inner = transposed ? rows : columns
        if order == 0 { return }
        if inner == 0 {
            if beta != 1 { for i in c.indices { c[i] *= beta } }
            return
        }
        mat.withUnsafeBufferPointer { mp in
            c.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasRowMajor, lower ? CblasLower : CblasUpper, transposed ? CblasTrans : CblasNoTrans,
                            Int32(order), Int32(inner), alpha, mp.baseAddress, Int32(columns),
                            beta, cp.baseAddress, Int32(order))
            }
        }
    }

    /// Lower triangle of `C <- alpha M' M + beta C` for a row-major `k x n` matrix `M`
    /// (`C` is `n x n`).
    @inlinable
    public static func syrkTransposedLower(_ mat: [Double], k: Int, n: Int, into c: inout [Double],
                                           alpha: Double = 1, beta: Double = 1) {
        syrk(mat, rows: k, columns: n, into: &c, transposed: true, alpha: alpha, beta: beta)
    }

    /// `x <- op(L)^-1 x` for the lower-triangular `n x n` factor `l` (row-major, leading
    /// dimension `ld`, `n` when `nil`; `transposed`: `L'`).
    @inlinable
    public static func triangularSolve(_ l: [Double], n: Int, leadingDimension ld: Int? = nil, _ x: inout [Double],
                                       transposed: Bool) {
        if n == 0 { return }
        l.withUnsafeBufferPointer { lp in
            x.withUnsafeMutableBufferPointer { xp in
                cblas_dtrsv(CblasRowMajor, CblasLower, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
                            Int32(n), lp.baseAddress, Int32(ld ?? n), xp.baseAddress, 1)
            }
        }
    }

    /// `B <- op(L)^-1 B` for a row-major `n x k` matrix `B` (`transposed`: `L'`).
    @inlinable
    public static func triangularSolve(_ l: [Double], n: Int, matrix b: inout [Double], columns k: Int,
                                       transposed: Bool = false) {
        if n == 0 || k == 0 { return }
        l.withUnsafeBufferPointer { lp in
            b.withUnsafeMutableBufferPointer { bp in
                cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, transposed ? CblasTrans : CblasNoTrans, CblasNonUnit,
                            Int32(n), Int32(k), 1, lp.baseAddress, Int32(n), bp.baseAddress, Int32(k))
            }
        }
    }

    /// OpenBLAS's own thread count (`openblas_get_num_threads`).
    @inlinable
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
    }

    /// Sets OpenBLAS's thread count (`openblas_set_num_threads`).
    @inlinable
    public static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }
}
