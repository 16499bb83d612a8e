import Foundation
import _CLAPACK

/// The squared Euclidean cost between two point clouds, never stored: blocks of it are
/// recomputed from the points whenever a pass over the plan needs them. Not API.
///
/// For a block of rows `I` and columns `J`,
/// ```
/// (h_j - C_ij) / eps = (2 x_i . y_j + h_j - ||y_j||^2) / eps - ||x_i||^2 / eps
/// ```
/// is one BLAS `dgemm` of `X_I Y_J'` (scaled by `2 / eps`) onto rows pre-filled with
/// `(h_j - ||y_j||^2) / eps`; the row constant `-||x_i||^2 / eps` leaves the log-sum-exp
/// (it is added back) and the plan entries (it is added before `exp`). The points are
/// centred first (by the mean of `x`, which leaves every `C_ij` unchanged), so that
/// `||x||^2 + ||y||^2 - 2 x . y` loses no more than `u (||x_i||^2 + ||y_j||^2)` of the
/// clouds' own extent. Blocks are `rowBlock x columnBlock` (64 x 1024: 512 KB, in
/// cache); working memory is `O(rowBlock * columnBlock + (n + m) d)`.
struct PointCloudKernel: Sendable {
    let n: Int
    let m: Int
    let d: Int
    /// Centred points, row-major.
    let x: [Double]
    let y: [Double]
    /// `||x_i||^2`, `||y_j||^2` of the centred points.
    let xx: [Double]
    let yy: [Double]

    static let rowBlock = 64
    static let columnBlock = 1024

    init(x: Matrix, y: Matrix) {
        n = x.rows
        m = y.rows
        d = x.columns
        var center = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { center[k] += x.scalars[i * d + k] } }
        for k in 0..<d { center[k] /= Double(Swift.max(n, 1)) }
        var cx = x.scalars, cy = y.scalars
        for i in 0..<n { for k in 0..<d { cx[i * d + k] -= center[k] } }
        for j in 0..<m { for k in 0..<d { cy[j * d + k] -= center[k] } }
        self.x = cx
        self.y = cy
        xx = Self.squaredNorms(cx, count: n, d: d)
        yy = Self.squaredNorms(cy, count: m, d: d)
    }

    private init(n: Int, m: Int, d: Int, x: [Double], y: [Double], xx: [Double], yy: [Double]) {
        (self.n, self.m, self.d, self.x, self.y, self.xx, self.yy) = (n, m, d, x, y, xx, yy)
    }

    /// The same cost seen from the other side (`C'`: rows are the `y` points).
    var transposed: PointCloudKernel { PointCloudKernel(n: m, m: n, d: d, x: y, y: x, xx: yy, yy: xx) }

    static func squaredNorms(_ p: [Double], count: Int, d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var s = 0.0
            for k in 0..<d { s += p[i * d + k] * p[i * d + k] }
            out[i] = s
        }
        return out
    }

    /// `C_ij` computed directly, `sum_k (x_ik - y_jk)^2` (the certificate's reference).
    func directCost(_ i: Int, _ j: Int) -> Double {
        var s = 0.0
        for k in 0..<d { let t = x[i * d + k] - y[j * d + k]; s += t * t }
        return s
    }

    /// Writes `t_ij = (2 x_i . y_j + w_j) / eps` for `i` in `rows`, `j` in `columns` into
    /// `buffer` (row stride `columns.count`), with `w = (h - ||y||^2)` given per column
    /// (`scaledW[j] = w_j / eps`).
    @inline(__always)
    func fillBlock(rows: Range<Int>, columns: Range<Int>, scaledW: UnsafePointer<Double>, inverseEpsilon: Double,
                   buffer: UnsafeMutablePointer<Double>) {
        let bi = rows.count, bj = columns.count
        for r in 0..<bi { (buffer + r * bj).update(from: scaledW + columns.lowerBound, count: bj) }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(bi), Int32(bj), Int32(d), 2 * inverseEpsilon,
                            xp.baseAddress! + rows.lowerBound * d, Int32(d), yp.baseAddress! + columns.lowerBound * d, Int32(d),
                            1, buffer, Int32(bj))
            }
        }
    }

    /// `out_i = eps log a_i - eps LSE_j((h_j - C_ij) / eps)`: the exact Sinkhorn update of
    /// the row potential against the column potential `h` (`logWeights_i = log a_i`).
    /// One pass over all blocks with a running maximum per row (the online log-sum-exp).
    func update(columnPotential h: [Double], logWeights: [Double], epsilon: Double, into out: inout [Double]) {
        let inv = 1 / epsilon
        var scaledW = [Double](repeating: 0, count: m)
        for j in 0..<m { scaledW[j] = (h[j] - yy[j]) * inv }
        let rb = Self.rowBlock, cb = Self.columnBlock
        var buffer = [Double](repeating: 0, count: rb * cb)
        var runMax = [Double](repeating: 0, count: rb), runSum = [Double](repeating: 0, count: rb)
        scaledW.withUnsafeBufferPointer { wp in
            buffer.withUnsafeMutableBufferPointer { bp in
                var i0 = 0
                while i0 < n {
                    let rows = i0..<Swift.min(n, i0 + rb)
                    for r in 0..<rows.count { runMax[r] = -.infinity; runSum[r] = 0 }
                    var j0 = 0
                    while j0 < m {
                        let columns = j0..<Swift.min(m, j0 + cb), bj = columns.count
                        fillBlock(rows: rows, columns: columns, scaledW: wp.baseAddress!, inverseEpsilon: inv,
                                  buffer: bp.baseAddress!)
                        for r in 0..<rows.count {
                            let row = bp.baseAddress! + r * bj
                            let mx = blockMaximum(row, count: bj)
                            if mx > runMax[r] {
                                if runMax[r] > -.infinity { runSum[r] *= Foundation.exp(runMax[r] - mx) }
                                runMax[r] = mx
                            }
                            runSum[r] += exponentiateAndSum(row, count: bj, minus: runMax[r])
                        }
                        j0 += cb
                    }
                    for (r, i) in rows.enumerated() {
                        // LSE_j((h_j - C_ij)/eps) = runMax + log(runSum) - ||x_i||^2 / eps.
                        out[i] = epsilon * (logWeights[i] - runMax[r] - Foundation.log(runSum[r]) + xx[i] * inv)
                    }
                    i0 += rb
                }
            }
        }
    }
}

/// `max_j p[j]` for `j < count`, four lanes at a time. Not API.
@inline(__always)
func blockMaximum(_ p: UnsafePointer<Double>, count: Int) -> Double {
    var j = 0
    var best = SIMD4<Double>(repeating: -.infinity)
    while j + 4 <= count {
        best = pointwiseMax(best, UnsafeRawPointer(p + j).loadUnaligned(as: SIMD4<Double>.self))
        j += 4
    }
    var result = best.max()
    while j < count {
        result = Swift.max(result, p[j])
        j += 1
    }
    return result
}
