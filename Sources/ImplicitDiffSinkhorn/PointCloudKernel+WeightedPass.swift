import Glibc
import _ImplicitDiffKernels

/// What ``PointCloudKernel/weightedPass(f:g:epsilon:rowSide:columnSide:width:)`` collects
/// from the plan `P_ij = exp((f_i + g_j - C_ij)/eps)`, without storing it. Not API.
struct WeightedPassSums: Sendable {
    /// `P V` (`n x k`) for the column-side matrix `V` (`m x k`).
    var planTimesColumnSide: [Double]
    /// `P' U` (`m x k`) for the row-side matrix `U` (`n x k`).
    var planTransposedTimesRowSide: [Double]
    /// `(P o log P) 1` and `(P o log P)' 1`.
    var rowPlogP: [Double]
    var columnPlogP: [Double]
}

extension PointCloudKernel {
    /// One blocked pass over the plan of `(f, g)` that multiplies it by a column-side
    /// matrix `V` (`m x k`) and its transpose by a row-side matrix `U` (`n x k`), two
    /// `dgemm` per block, and sums `P o log P` by rows and columns. With `k = 1` these are
    /// the products `P v`, `P' u` of the derivative's matrix-free solve; with `U`, `V`
    /// made of `x`, `y` and the solution they give the gradient's sums.
    func weightedPass(f: [Double], g: [Double], epsilon: Double, rowSide: [Double], columnSide: [Double],
                      width k: Int) -> WeightedPassSums {
        let inv = 1 / epsilon
        var scaledW = [Double](repeating: 0, count: m)
        for j in 0..<m { scaledW[j] = (g[j] - yy[j]) * inv }
        let rb = Self.rowBlock, cb = Self.columnBlock
        var logBuffer = [Double](repeating: 0, count: rb * cb), expBuffer = [Double](repeating: 0, count: rb * cb)
        var pv = [Double](repeating: 0, count: n * k), ptu = [Double](repeating: 0, count: m * k)
        var rowPlogP = [Double](repeating: 0, count: n), columnPlogP = [Double](repeating: 0, count: m)
        scaledW.withUnsafeBufferPointer { wp in
            logBuffer.withUnsafeMutableBufferPointer { lp in
                expBuffer.withUnsafeMutableBufferPointer { ep in
                    rowSide.withUnsafeBufferPointer { up in
                        columnSide.withUnsafeBufferPointer { vp in
                            pv.withUnsafeMutableBufferPointer { pvp in
                                ptu.withUnsafeMutableBufferPointer { ptp in
                                    var i0 = 0
                                    while i0 < n {
                                        let rows = i0..<Swift.min(n, i0 + rb), bi = rows.count
                                        var j0 = 0
                                        while j0 < m {
                                            let columns = j0..<Swift.min(m, j0 + cb), bj = columns.count
                                            fillBlock(rows: rows, columns: columns, scaledW: wp.baseAddress!, inverseEpsilon: inv,
                                                      buffer: lp.baseAddress!)
                                            for r in 0..<bi {
                                                let base = r * bj, i = rows.lowerBound + r
                                                let shift = (f[i] - xx[i]) * inv
                                                for c in 0..<bj { lp[base + c] += shift }
                                                (ep.baseAddress! + base).update(from: lp.baseAddress! + base, count: bj)
                                                exponentiate(ep, base..<(base + bj), minus: 0)
                                                var s = 0.0
                                                for c in 0..<bj {
                                                    let t = ep[base + c] * lp[base + c]
                                                    s += t
                                                    columnPlogP[columns.lowerBound + c] += t
                                                }
                                                rowPlogP[i] += s
                                            }
                                            // P_IJ V_J -> (P V)_I,   P_IJ' U_I -> (P' U)_J.
                                            BLAS.gemm(ep.baseAddress!, lda: bj, vp.baseAddress! + columns.lowerBound * k, ldb: k,
                                                      into: pvp.baseAddress! + rows.lowerBound * k, ldc: k,
                                                      m: bi, n: k, k: bj, beta: 1)
                                            BLAS.gemm(ep.baseAddress!, lda: bj, up.baseAddress! + rows.lowerBound * k, ldb: k,
                                                      into: ptp.baseAddress! + columns.lowerBound * k, ldc: k,
                                                      m: bj, n: k, k: bi, transposeA: true, beta: 1)
                                            j0 += cb
                                        }
                                        i0 += rb
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return WeightedPassSums(planTimesColumnSide: pv, planTransposedTimesRowSide: ptu, rowPlogP: rowPlogP,
                                columnPlogP: columnPlogP)
    }
}
