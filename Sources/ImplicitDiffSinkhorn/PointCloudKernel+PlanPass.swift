import Glibc
import _ImplicitDiffKernels

/// What one pass over the plan `P_ij = exp((f_i + g_j - C_ij)/eps)` of two point clouds
/// collects, without storing `P`. Not API.
struct PlanPassSums: Sendable {
    /// `P 1` and `P' 1`, each summed with Neumaier's compensation.
    var rowSums: [Double]
    var columnSums: [Double]
    /// `sum_ij P_ij` (compensated) and `sum_ij P_ij log P_ij`.
    var total: Double
    var plogp: Double
    /// `P Y` (`n x d`) and `P' X` (`m x d`) of the centred points (empty unless asked).
    var planTimesY: [Double]
    var planTransposedTimesX: [Double]
    /// Whether every entry was finite and `>= 0` and every sampled entry equals
    /// `exp((f_i + g_j - C_ij)/eps)` recomputed with `Glibc.exp` from
    /// `C_ij = sum_k (x_ik - y_jk)^2` to `1e-12` relative.
    var entriesAreValid: Bool
}

extension PointCloudKernel {
    /// One pass over the plan of `(f, g)`, block by block (``fillBlock``, the core's
    /// vectorised `exp`). With `products`, also `P Y` and `P' X` by two `dgemm` per
    /// block (the cost gradient's `sum_j P_ij y_j`, `sum_i P_ij x_i`). `samples` are
    /// linear indices `i m + j` whose entries are checked against `Glibc.exp`.
    func planPass(f: [Double], g: [Double], epsilon: Double, products: Bool, samples: Int) -> PlanPassSums {
        let inv = 1 / epsilon
        var scaledW = [Double](repeating: 0, count: m)
        for j in 0..<m { scaledW[j] = (g[j] - yy[j]) * inv }
        var rowShift = [Double](repeating: 0, count: n)
        for i in 0..<n { rowShift[i] = (f[i] - xx[i]) * inv }
        let rb = Self.rowBlock, cb = Self.columnBlock
        var logBuffer = [Double](repeating: 0, count: rb * cb), expBuffer = [Double](repeating: 0, count: rb * cb)
        var rowSums = [Double](repeating: 0, count: n), columnSums = [Double](repeating: 0, count: m)
        var columnCompensation = [Double](repeating: 0, count: m)
        var py = [Double](repeating: 0, count: products ? n * d : 0), ptx = [Double](repeating: 0, count: products ? m * d : 0)
        var plogp = 0.0, valid = true
        // Sampled entries: k = t * step, spread over the matrix (as SinkhornCertificate).
        let count = n * m, sampleCount = Swift.min(count, samples), step = Swift.max(1, count / Swift.max(sampleCount, 1))
        var nextSample = 0, checked = 0
        scaledW.withUnsafeBufferPointer { wp in
            logBuffer.withUnsafeMutableBufferPointer { lp in
                expBuffer.withUnsafeMutableBufferPointer { ep in
                    var i0 = 0
                    while i0 < n {
                        let rows = i0..<Swift.min(n, i0 + rb), bi = rows.count
                        var rowSum = [Double](repeating: 0, count: bi), rowCompensation = [Double](repeating: 0, count: bi)
                        var blockSamples: [(Int, Int)] = []
                        while nextSample < sampleCount, (nextSample * step) % count / m < rows.upperBound {
                            let k = (nextSample * step) % count
                            blockSamples.append((k / m, k % m))
                            nextSample += 1
                        }
                        var j0 = 0
                        while j0 < m {
                            let columns = j0..<Swift.min(m, j0 + cb), bj = columns.count
                            fillBlock(rows: rows, columns: columns, scaledW: wp.baseAddress!, inverseEpsilon: inv,
                                      buffer: lp.baseAddress!)
                            for r in 0..<bi {
                                let base = r * bj, shift = rowShift[rows.lowerBound + r]
                                for c in 0..<bj { lp[base + c] += shift }
                                (ep.baseAddress! + base).update(from: lp.baseAddress! + base, count: bj)
                                exponentiate(ep, base..<(base + bj), minus: 0)
                                var s = rowSum[r], comp = rowCompensation[r], plp = 0.0
                                for c in 0..<bj {
                                    let p = ep[base + c]
                                    if !(p >= 0 && p < .infinity) { valid = false }
                                    plp += p * lp[base + c]
                                    let t = s + p
                                    comp += Swift.abs(s) >= p ? (s - t) + p : (p - t) + s
                                    s = t
                                    let j = columns.lowerBound + c, cs = columnSums[j], u = cs + p
                                    columnCompensation[j] += Swift.abs(cs) >= p ? (cs - u) + p : (p - u) + cs
                                    columnSums[j] = u
                                }
                                rowSum[r] = s
                                rowCompensation[r] = comp
                                plogp += plp
                            }
                            // Sampled entries inside this block.
                            for (i, j) in blockSamples where columns.contains(j) {
                                let expected = Glibc.exp((f[i] + g[j] - directCost(i, j)) * inv)
                                let value = ep[(i - rows.lowerBound) * bj + (j - columns.lowerBound)]
                                if !(Swift.abs(value - expected) <= 1e-12 * expected + 1e-300) { valid = false }
                                checked += 1
                            }
                            if products {
                                x.withUnsafeBufferPointer { xp in
                                    y.withUnsafeBufferPointer { yp in
                                        py.withUnsafeMutableBufferPointer { pyp in
                                            ptx.withUnsafeMutableBufferPointer { ptp in
                                                // P_IJ Y_J -> (P Y)_I,  P_IJ' X_I -> (P' X)_J.
                                                BLAS.gemm(ep.baseAddress!, lda: bj, yp.baseAddress! + columns.lowerBound * d, ldb: d,
                                                          into: pyp.baseAddress! + rows.lowerBound * d, ldc: d,
                                                          m: bi, n: d, k: bj, beta: 1)
                                                BLAS.gemm(ep.baseAddress!, lda: bj, xp.baseAddress! + rows.lowerBound * d, ldb: d,
                                                          into: ptp.baseAddress! + columns.lowerBound * d, ldc: d,
                                                          m: bj, n: d, k: bi, transposeA: true, beta: 1)
                                            }
                                        }
                                    }
                                }
                            }
                            j0 += cb
                        }
                        for r in 0..<bi { rowSums[rows.lowerBound + r] = rowSum[r] + rowCompensation[r] }
                        i0 += rb
                    }
                }
            }
        }
        if checked < sampleCount { valid = false }   // every sample must have been seen
        var total = 0.0, totalCompensation = 0.0
        for j in 0..<m {
            columnSums[j] += columnCompensation[j]
            let v = columnSums[j], t = total + v
            totalCompensation += Swift.abs(total) >= v ? (total - t) + v : (v - t) + total
            total = t
        }
        return PlanPassSums(rowSums: rowSums, columnSums: columnSums, total: total + totalCompensation, plogp: plogp,
                            planTimesY: py, planTransposedTimesX: ptx, entriesAreValid: valid)
    }
}
