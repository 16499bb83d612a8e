import Dispatch
import FoundationEssentials
import Glibc
import _ImplicitDiffKernels

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
    /// The centred `y` by coordinate (`d x m`, row-major): the fused passes of
    /// ``update(columnPotential:logWeights:epsilon:into:)`` read `y_jk` for four `j` at once.
    let yByCoordinate: [Double]

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
        yByCoordinate = Self.transposed(cy, rows: m, columns: d)
    }

    private init(n: Int, m: Int, d: Int, x: [Double], y: [Double], xx: [Double], yy: [Double]) {
        (self.n, self.m, self.d, self.x, self.y, self.xx, self.yy) = (n, m, d, x, y, xx, yy)
        yByCoordinate = Self.transposed(y, rows: m, columns: d)
    }

    static func transposed(_ p: [Double], rows: Int, columns: Int) -> [Double] {
        var out = [Double](repeating: 0, count: p.count)
        for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = p[r * columns + c] } }
        return out
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
                BLAS.gemm(xp.baseAddress! + rows.lowerBound * d, lda: d, yp.baseAddress! + columns.lowerBound * d, ldb: d,
                          into: buffer, ldc: bj, m: bi, n: bj, k: d, transposeB: true, alpha: 2 * inverseEpsilon, beta: 1)
            }
        }
    }

    /// `out_i = eps log a_i - eps LSE_j((h_j - C_ij) / eps)`: the exact Sinkhorn update of
    /// the row potential against the column potential `h` (`logWeights_i = log a_i`).
    ///
    /// One fused pass per row and block of ``columnBlock`` columns: the exponents
    /// `t_j = w_j + sum_k (2 x_ik / eps) y_jk` (`w_j = (h_j - ||y_j||^2)/eps`) four lanes
    /// at a time with their maximum, then the core's vectorised `exp` and sum against a
    /// running maximum (the online log-sum-exp). For `d > 8` the exponents come from one
    /// `dgemm` per block of rows instead. Rows are shared among
    /// ``PointCloudKernel/workerCount`` threads for large problems.
    func update(columnPotential h: [Double], logWeights: [Double], epsilon: Double, into out: inout [Double]) {
        let inv = 1 / epsilon
        var scaledW = [Double](repeating: 0, count: m)
        for j in 0..<m { scaledW[j] = (h[j] - yy[j]) * inv }
        let rb = Self.rowBlock
        let blocks = (n + rb - 1) / rb
        let workers = Swift.min(Self.workerCount(pairs: n * m), blocks)
        out.withUnsafeMutableBufferPointer { op in
            // Workers write disjoint rows of `out` and only read the rest.
            let outBase = UncheckedSendable(op.baseAddress!)
            scaledW.withUnsafeBufferPointer { wbuf in
                let wp = UncheckedSendable(wbuf)
                let run: @Sendable (Int) -> Void = { worker in
                    var buffer = [Double](repeating: 0, count: rb * Self.columnBlock)
                    buffer.withUnsafeMutableBufferPointer { bp in
                        var block = worker
                        while block < blocks {
                            let rows = (block * rb)..<Swift.min(n, block * rb + rb)
                            for i in rows {
                                let w = wp.value.baseAddress!
                                let lse = d <= 8 ? fusedRowLogSumExp(i, scaledW: w, inverseEpsilon: inv, buffer: bp.baseAddress!)
                                    : gemmRowLogSumExp(i, scaledW: w, inverseEpsilon: inv, buffer: bp.baseAddress!)
                                // LSE_j((h_j - C_ij)/eps) = lse - ||x_i||^2 / eps.
                                outBase.value[i] = epsilon * (logWeights[i] - lse + xx[i] * inv)
                            }
                            block += workers
                        }
                    }
                }
                if workers <= 1 { run(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: run) }
            }
        }
    }

    /// `LSE_j(w_j + (2/eps) x_i . y_j)` by the fused SIMD pass (`d <= 8`).
    @inline(__always)
    func fusedRowLogSumExp(_ i: Int, scaledW: UnsafePointer<Double>, inverseEpsilon inv: Double,
                           buffer: UnsafeMutablePointer<Double>) -> Double {
        var coefficient = [Double](repeating: 0, count: 8)
        for k in 0..<d { coefficient[k] = 2 * inv * x[i * d + k] }
        var runMax = -Double.infinity, runSum = 0.0
        yByCoordinate.withUnsafeBufferPointer { yp in
            let yBase = yp.baseAddress!
            var j0 = 0
            while j0 < m {
                let count = Swift.min(Self.columnBlock, m - j0)
                let mx = exponents(coefficient, yBase + j0, stride: m, dimension: d, scaledW + j0, count: count, into: buffer)
                if mx > runMax {
                    if runMax > -.infinity { runSum *= Glibc.exp(runMax - mx) }
                    runMax = mx
                }
                runSum += exponentiateAndSum(buffer, count: count, minus: runMax)
                j0 += count
            }
        }
        return runMax + Glibc.log(runSum)
    }

    /// `LSE_j(w_j + (2/eps) x_i . y_j)` with the exponents of each column block by `dgemm`
    /// (one row; for `d > 8`).
    func gemmRowLogSumExp(_ i: Int, scaledW: UnsafePointer<Double>, inverseEpsilon inv: Double,
                          buffer: UnsafeMutablePointer<Double>) -> Double {
        var runMax = -Double.infinity, runSum = 0.0
        var j0 = 0
        while j0 < m {
            let columns = j0..<Swift.min(m, j0 + Self.columnBlock), count = columns.count
            fillBlock(rows: i..<(i + 1), columns: columns, scaledW: scaledW, inverseEpsilon: inv, buffer: buffer)
            let mx = blockMaximum(buffer, count: count)
            if mx > runMax {
                if runMax > -.infinity { runSum *= Glibc.exp(runMax - mx) }
                runMax = mx
            }
            runSum += exponentiateAndSum(buffer, count: count, minus: runMax)
            j0 += count
        }
        return runMax + Glibc.log(runSum)
    }

    /// Threads for a pass over `pairs` entries: one below 2^20 pairs (the work would not
    /// pay for the threads), otherwise the active processors (at most 8).
    static func workerCount(pairs: Int) -> Int {
        pairs < 1 << 20 ? 1 : Swift.max(1, Swift.min(8, ProcessInfo.processInfo.activeProcessorCount))
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

/// A value handed to the workers of a parallel pass that is not `Sendable` by type (a
/// buffer pointer), used so that each worker touches a disjoint part. Not API.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// `out[j] = w[j] + sum_k c[k] y[k * stride + j]` for `j < count` (`d <= 8` coordinates,
/// the common `d = 1, 2, 3` written out), four lanes at a time; returns `max_j out[j]`.
/// Not API.
@inline(__always)
func exponents(_ c: [Double], _ y: UnsafePointer<Double>, stride: Int, dimension d: Int, _ w: UnsafePointer<Double>,
               count: Int, into out: UnsafeMutablePointer<Double>) -> Double {
    typealias V = SIMD4<Double>
    @inline(__always) func load(_ p: UnsafePointer<Double>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func larger(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }
    var best = V(repeating: -.infinity)
    var j = 0
    let c0 = c[0], c1 = c[1], c2 = c[2]
    switch d {
    case 1:
        while j + 4 <= count {
            let t = load(w + j) + c0 * load(y + j)
            UnsafeMutableRawPointer(out + j).storeBytes(of: t, as: V.self)
            best = larger(best, t)
            j += 4
        }
    case 2:
        while j + 4 <= count {
            let t = load(w + j) + c0 * load(y + j) + c1 * load(y + stride + j)
            UnsafeMutableRawPointer(out + j).storeBytes(of: t, as: V.self)
            best = larger(best, t)
            j += 4
        }
    case 3:
        while j + 4 <= count {
            let t = load(w + j) + c0 * load(y + j) + c1 * load(y + stride + j) + c2 * load(y + 2 * stride + j)
            UnsafeMutableRawPointer(out + j).storeBytes(of: t, as: V.self)
            best = larger(best, t)
            j += 4
        }
    default:
        c.withUnsafeBufferPointer { cp in
            while j + 4 <= count {
                var t = load(w + j)
                for k in 0..<d { t += cp[k] * load(y + k * stride + j) }
                UnsafeMutableRawPointer(out + j).storeBytes(of: t, as: V.self)
                best = larger(best, t)
                j += 4
            }
        }
    }
    var result = Swift.max(Swift.max(best[0], best[1]), Swift.max(best[2], best[3]))
    while j < count {
        var t = w[j]
        for k in 0..<d { t += c[k] * y[k * stride + j] }
        out[j] = t
        result = Swift.max(result, t)
        j += 1
    }
    return result
}
