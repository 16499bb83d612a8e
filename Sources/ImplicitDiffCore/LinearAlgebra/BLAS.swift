import _CLAPACK

/// Thin wrappers over the CBLAS routines the package uses. Not API.
///
/// Matrices are row-major throughout the package (`CblasRowMajor`).
@usableFromInline
enum BLAS {
    /// `sqrt(sum x_i^2)` without overflow.
    @inlinable
    static func nrm2(_ x: [Double]) -> Double {
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { cblas_dnrm2(Int32(x.count), $0.baseAddress, 1) }
    }

    /// `sum x_i y_i`.
    @inlinable
    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in cblas_ddot(Int32(x.count), xp.baseAddress, 1, yp.baseAddress, 1) }
        }
    }

    /// `y <- alpha x + y`.
    @inlinable
    static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
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
    static func scal(_ alpha: Double, _ x: inout [Double]) {
        if x.isEmpty { return }
        let n = Int32(x.count)
        x.withUnsafeMutableBufferPointer { cblas_dscal(n, alpha, $0.baseAddress, 1) }
    }

    /// `y <- alpha op(A) x + beta y` for a row-major `rows x columns` matrix `a`.
    @inlinable
    static func gemv(transpose: Bool, rows: Int, columns: Int, alpha: Double, _ a: [Double],
                     _ x: [Double], beta: Double, _ y: inout [Double]) {
        if rows == 0 || columns == 0 {
            if beta == 0 { for i in y.indices { y[i] = 0 } } else if beta != 1 { for i in y.indices { y[i] *= beta } }
            return
        }
        a.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
                                Int32(rows), Int32(columns), alpha, ap.baseAddress, Int32(columns),
                                xp.baseAddress, 1, beta, yp.baseAddress, 1)
                }
            }
        }
    }

    /// `C <- alpha op(A) op(B) + beta C`, all row-major; `op(A)` is `m x k`, `op(B)` is `k x n`.
    @inlinable
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     _ a: [Double], lda: Int, _ b: [Double], ldb: Int, beta: Double,
                     _ c: inout [Double], ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in c.indices { c[i] *= beta }
            return
        }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                                alpha, ap.baseAddress, Int32(lda), bp.baseAddress, Int32(ldb),
                                beta, cp.baseAddress, Int32(ldc))
                }
            }
        }
    }
}
