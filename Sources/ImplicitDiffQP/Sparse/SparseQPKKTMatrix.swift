import ImplicitDiffCore

/// The symmetric KKT matrix of a sparse QP, stored as the upper triangle of
/// ```
///       [ P + diag(d_x)   A'          ]     order n + m
///   K = [ A               -diag(d_y)  ]
/// ```
/// on a pattern that never changes (every diagonal entry is stored), so that one symbolic
/// analysis (``SparseSymmetricLDL``) serves every interior-point iteration, the polish and
/// the derivatives. The diagonals `d_x` (bound barriers `sum w_k`, regularisation, or a
/// unit row for a variable fixed at a bound) and `d_y` (`1 / sum w_k` for inequality rows,
/// `delta` for equality rows, `1` for rows taken out) are set per use by
/// ``values(px:ay:diagonalX:diagonalY:)``; entries of `P` or `A` can be masked out (set
/// to zero, pattern kept), which is how the reduced KKT system of an active set is embedded.
struct SparseQPKKTMatrix: Sendable {
    let n: Int
    let m: Int
    let columnStart: [Int]
    let rowIndices: [Int]
    /// Slot of the upper-triangle entries of `P` (`-1` for entries below the diagonal).
    let pSlot: [Int]
    /// Slot of every entry of `A` (in `A`'s storage order).
    let aSlot: [Int]
    /// Slot of diagonal entry `k`, `0 <= k < n + m`.
    let diagonalSlot: [Int]
    /// Row of each entry of `P` and column of each entry of `A` (copied for fast loops).
    let pRow: [Int]
    let pColumn: [Int]
    let aRow: [Int]
    let aColumn: [Int]

    var order: Int { n + m }
    /// The sign every pivot of a quasi-definite `K` has: `+1` on the variables, `-1` on the rows.
    var pivotSigns: [Double] { [Double](repeating: 1, count: n) + [Double](repeating: -1, count: m) }

    init(P: SparseMatrix, A: SparseMatrix) {
        n = P.columns
        m = A.rows
        var start = [0], rows = [Int]()
        rows.reserveCapacity(P.nonZeroCount / 2 + A.nonZeroCount + n + m)
        var ps = [Int](repeating: -1, count: P.nonZeroCount)
        var ds = [Int](repeating: 0, count: n + m)
        var pc = [Int](repeating: 0, count: P.nonZeroCount)
        for j in 0..<n {
            var hasDiagonal = false
            for e in P.columnStart[j]..<P.columnStart[j + 1] {
                pc[e] = j
                let i = P.rowIndices[e]
                if i > j { break }
                if i == j { hasDiagonal = true; ds[j] = rows.count }
                ps[e] = rows.count
                rows.append(i)
            }
            if !hasDiagonal { ds[j] = rows.count; rows.append(j) }
            start.append(rows.count)
        }
        // Rows of A, with the A-entry index of each (a counting transpose).
        var count = [Int](repeating: 0, count: m + 1)
        for i in A.rowIndices { count[i + 1] += 1 }
        for i in 0..<m { count[i + 1] += count[i] }
        var next = count
        var byRow = [Int](repeating: 0, count: A.nonZeroCount)
        var ac = [Int](repeating: 0, count: A.nonZeroCount)
        for j in 0..<A.columns {
            for e in A.columnStart[j]..<A.columnStart[j + 1] {
                ac[e] = j
                byRow[next[A.rowIndices[e]]] = e
                next[A.rowIndices[e]] += 1
            }
        }
        var asl = [Int](repeating: 0, count: A.nonZeroCount)
        for r in 0..<m {
            for t in count[r]..<count[r + 1] {
                let e = byRow[t]
                asl[e] = rows.count
                rows.append(ac[e])
            }
            ds[n + r] = rows.count
            rows.append(n + r)
            start.append(rows.count)
        }
        columnStart = start
        rowIndices = rows
        pSlot = ps
        aSlot = asl
        diagonalSlot = ds
        pRow = P.rowIndices
        pColumn = pc
        aRow = A.rowIndices
        aColumn = ac
    }

    /// The stored values: `P` entries (upper triangle, `pMask[e] == false` entries zeroed),
    /// `A` entries (masked likewise) and the two diagonals added to `P`'s diagonal and
    /// negated on the rows' diagonal.
    func values(px: [Double], ay: [Double], diagonalX: [Double], diagonalY: [Double],
                keepP: [Bool]? = nil, keepA: [Bool]? = nil) -> [Double] {
        var v = [Double](repeating: 0, count: rowIndices.count)
        v.withUnsafeMutableBufferPointer { vb in
            for e in 0..<px.count where pSlot[e] >= 0 && (keepP?[e] ?? true) { vb[pSlot[e]] += px[e] }
            for e in 0..<ay.count where keepA?[e] ?? true { vb[aSlot[e]] = ay[e] }
            for j in 0..<n { vb[diagonalSlot[j]] += diagonalX[j] }
            for r in 0..<m { vb[diagonalSlot[n + r]] = -diagonalY[r] }
        }
        return v
    }

    /// `K x` for stored upper-triangle values `v`; with `absolute`, `|K| |x|`.
    func multiply(_ v: [Double], _ x: [Double], absolute: Bool = false) -> [Double] {
        if absolute { return multiply(v.map { Swift.abs($0) }, x.map { Swift.abs($0) }) }
        var y = [Double](repeating: 0, count: order)
        v.withUnsafeBufferPointer { vb in
            rowIndices.withUnsafeBufferPointer { ri in
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { yb in
                        for j in 0..<order {
                            let xj = xb[j]
                            var s = 0.0
                            for e in columnStart[j]..<columnStart[j + 1] {
                                let i = ri[e], a = vb[e]
                                if i == j { s += a * xj } else { yb[i] += a * xj; s += a * xb[i] }
                            }
                            yb[j] += s
                        }
                    }
                }
            }
        }
        return y
    }
}

extension SparseQPKKTMatrix {
    /// `rx = b - K x` (when `first`) and `ry = c - K y` (when `second`), in one pass over
    /// `K` (stored upper-triangle values `v`). Returns the max norms of the two residuals
    /// (0 for one not computed).
    func residuals(_ v: [Double], _ b: [Double], _ x: [Double], _ rx: inout [Double],
                   _ c: [Double], _ y: [Double], _ ry: inout [Double], first: Bool, second: Bool) -> (Double, Double) {
        var normX = 0.0, normY = 0.0
        v.withUnsafeBufferPointer { vb in
            rowIndices.withUnsafeBufferPointer { ri in
                columnStart.withUnsafeBufferPointer { cs in
                    x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                        rx.withUnsafeMutableBufferPointer { ox in ry.withUnsafeMutableBufferPointer { oy in
                            if first { for i in 0..<order { ox[i] = b[i] } }
                            if second { for i in 0..<order { oy[i] = c[i] } }
                            if first && second {
                                for j in 0..<order {
                                    let xj = xb[j], yj = yb[j]
                                    var s = 0.0, t = 0.0
                                    for e in cs[j]..<cs[j + 1] {
                                        let i = ri[e], a = vb[e]
                                        if i == j { s += a * xj; t += a * yj } else {
                                            ox[i] -= a * xj; s += a * xb[i]
                                            oy[i] -= a * yj; t += a * yb[i]
                                        }
                                    }
                                    ox[j] -= s
                                    oy[j] -= t
                                }
                            } else if first {
                                for j in 0..<order {
                                    let xj = xb[j]
                                    var s = 0.0
                                    for e in cs[j]..<cs[j + 1] {
                                        let i = ri[e], a = vb[e]
                                        if i == j { s += a * xj } else { ox[i] -= a * xj; s += a * xb[i] }
                                    }
                                    ox[j] -= s
                                }
                            } else if second {
                                for j in 0..<order {
                                    let yj = yb[j]
                                    var t = 0.0
                                    for e in cs[j]..<cs[j + 1] {
                                        let i = ri[e], a = vb[e]
                                        if i == j { t += a * yj } else { oy[i] -= a * yj; t += a * yb[i] }
                                    }
                                    oy[j] -= t
                                }
                            }
                            if first { for i in 0..<order { normX = Swift.max(normX, Swift.abs(ox[i])) } }
                            if second { for i in 0..<order { normY = Swift.max(normY, Swift.abs(oy[i])) } }
                        } }
                    } }
                }
            }
        }
        return (normX, normY)
    }

    /// `(K x, K y)` for stored upper-triangle values `v`, in one pass over `K`.
    func multiply(_ v: [Double], _ x: [Double], _ y: [Double]) -> ([Double], [Double]) {
        var kx = [Double](repeating: 0, count: order), ky = kx
        v.withUnsafeBufferPointer { vb in
            rowIndices.withUnsafeBufferPointer { ri in
                columnStart.withUnsafeBufferPointer { cs in
                    x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                        kx.withUnsafeMutableBufferPointer { ox in ky.withUnsafeMutableBufferPointer { oy in
                            for j in 0..<order {
                                let xj = xb[j], yj = yb[j]
                                var s = 0.0, t = 0.0
                                for e in cs[j]..<cs[j + 1] {
                                    let i = ri[e], a = vb[e]
                                    if i == j { s += a * xj; t += a * yj } else {
                                        ox[i] += a * xj; s += a * xb[i]
                                        oy[i] += a * yj; t += a * yb[i]
                                    }
                                }
                                ox[j] += s
                                oy[j] += t
                            }
                        } }
                    } }
                }
            }
        }
        return (kx, ky)
    }
}

/// A factorised KKT matrix with iterative refinement: the factors are of a regularised
/// matrix `K_reg`, solves are refined against the exact `K` (values ``exact``):
/// `x_{k+1} = x_k + K_reg^-1 (b - K x_k)`, which converges to `K^-1 b` when `K` is
/// nonsingular and the regularisation small.
struct SparseQPRefinedSolver: Sendable {
    let matrix: SparseQPKKTMatrix
    let exact: [Double]
    let ldl: SparseSymmetricLDL

    /// Solves `K x = b` with at most `steps` refinement steps, stopping when the
    /// componentwise backward error `max_i |b - K x|_i / (|b|_i + (|K| |x|)_i)` (Oettli-Prager)
    /// is below `tolerance` or stops decreasing. Componentwise, because the rows of an
    /// interior-point KKT system differ by up to 30 orders of magnitude (barrier weights
    /// `1/Omega` of inactive rows): a normwise residual would let the huge rows hide errors
    /// in the others. Returns the best iterate, its backward error and the number of
    /// residual evaluations (`passes`: one more than the refinement steps taken).
    ///
    /// With `componentwise == false` the measure is the normwise `||b - K x|| / (1 + ||b||)`
    /// (the reduced KKT systems of the polish and the derivatives, whose rows are of
    /// comparable size, and where a row of `K` that vanishes, as on a wrong active set,
    /// must not stop the refinement of the others).
    func solve(_ b: [Double], steps: Int = 10, tolerance: Double = 1e-14, initial: [Double]? = nil,
               componentwise: Bool = true) -> (x: [Double], residual: Double, passes: Int) {
        var x: [Double]
        if let x0 = initial {
            // Proximal-point start: on a singular but consistent K the iteration converges
            // to a solution near x0 (the interior point's iterate), not an arbitrary one.
            x = x0
            let kx = matrix.multiply(exact, x0)
            var r = [Double](repeating: 0, count: b.count)
            for i in 0..<b.count { r[i] = b[i] - kx[i] }
            ldl.solve(&r)
            for i in 0..<x.count { x[i] += r[i] }
        } else {
            x = b
            ldl.solve(&x)
        }
        let absExact = componentwise ? exact.map { Swift.abs($0) } : []
        let bNorm = b.reduce(0) { Swift.max($0, Swift.abs($1)) }
        var best = x, bestError = Double.infinity
        var history = [Double]()
        var passes = 0
        for _ in 0...steps {
            passes += 1
            let kx = matrix.multiply(exact, x)
            var r = [Double](repeating: 0, count: b.count)
            var err = 0.0
            if componentwise {
                let scale = matrix.multiply(absExact, x.map { Swift.abs($0) })
                for i in 0..<b.count {
                    r[i] = b[i] - kx[i]
                    // A row whose |K||x| vanishes (a variable no active row or P entry
                    // touches, on a wrong active set) cannot be refined: left out.
                    if r[i] != 0 && scale[i] > 0 { err = Swift.max(err, Swift.abs(r[i]) / (Swift.abs(b[i]) + scale[i])) }
                }
            } else {
                for i in 0..<b.count { r[i] = b[i] - kx[i]; err = Swift.max(err, Swift.abs(r[i])) }
                err /= 1 + bNorm
            }
            if err < bestError { bestError = err; best = x } else { break }  // no progress
            if !(err > tolerance) { break }
            history.append(err)
            if Self.stagnated(history) { break }
            ldl.solve(&r)
            for i in 0..<x.count { x[i] += r[i] }
        }
        return (best, bestError, passes)
    }

    /// Whether a refinement whose residuals so far are `history` has stagnated: less than
    /// halved over the last five steps. At that rate (above 0.87 a step) the remaining steps
    /// gain at most a few digits; it is what an inconsistent system does (the reduced KKT
    /// system of a wrong active set keeps its inconsistency: 1.6e-6 for all 60 steps of each
    /// of CONT-300's failed polish rounds), and each step costs a product with `K` and two
    /// triangular solves. A consistent system refines by orders of magnitude a step.
    static func stagnated(_ history: [Double]) -> Bool {
        history.count > 5 && history[history.count - 1] > 0.5 * history[history.count - 6]
    }

    /// Two systems `K x = b` and `K y = c` refined together, normwise
    /// (`||r||_inf / (1 + ||rhs||_inf)`): while both refine, every step is one pass over
    /// `K` and one over `L` for both (``SparseSymmetricLDL/correct(_:_:residuals:_:corrections:_:work:)``); each stops on
    /// its own tolerance or when its residual stops decreasing (its last correction is then
    /// taken back), and the other goes on alone. Returns the best iterate of each and its
    /// residual. Every vector is allocated once, before the first pass.
    func solve(_ b: [Double], _ c: [Double], steps: Int, tolerances: (Double, Double))
        -> (x: [Double], xResidual: Double, y: [Double], yResidual: Double) {
        let count = b.count
        var x = b, y = c
        var work = [Double](unsafeUninitializedCapacity: 2 * count) { _, c in c = 2 * count }  // overwritten by every solve
        ldl.solve(&x, &y, work: &work)
        var bNorm = 0.0, cNorm = 0.0
        for i in 0..<count { bNorm = Swift.max(bNorm, Swift.abs(b[i])); cNorm = Swift.max(cNorm, Swift.abs(c[i])) }
        // Written before they are read: residuals by `residuals`, corrections by `correct`
        // (or copied from the residuals).
        func uninitialized() -> [Double] { [Double](unsafeUninitializedCapacity: count) { _, c in c = count } }
        var rx = uninitialized(), ry = uninitialized(), dx = uninitialized(), dy = uninitialized()
        var errX = Double.infinity, errY = Double.infinity
        var doneX = false, doneY = false
        var correctedX = false, correctedY = false
        for _ in 0...steps {
            let (ex, ey) = matrix.residuals(exact, b, x, &rx, c, y, &ry, first: !doneX, second: !doneY)
            if !doneX {
                let e = ex / (1 + bNorm)
                if e < errX { errX = e } else {
                    if correctedX { for i in 0..<count { x[i] -= dx[i] } }  // back to the best iterate
                    doneX = true
                }
                if !(errX > tolerances.0) { doneX = true }
            }
            if !doneY {
                let e = ey / (1 + cNorm)
                if e < errY { errY = e } else {
                    if correctedY { for i in 0..<count { y[i] -= dy[i] } }
                    doneY = true
                }
                if !(errY > tolerances.1) { doneY = true }
            }
            if doneX && doneY { break }
            if !doneX && !doneY {
                ldl.correct(&x, &y, residuals: rx, ry, corrections: &dx, &dy, work: &work)
            } else if !doneX {
                dx = rx
                ldl.solve(&dx)
                x.withUnsafeMutableBufferPointer { X in dx.withUnsafeBufferPointer { D in for i in 0..<count { X[i] += D[i] } } }
            } else {
                dy = ry
                ldl.solve(&dy)
                y.withUnsafeMutableBufferPointer { Y in dy.withUnsafeBufferPointer { D in for i in 0..<count { Y[i] += D[i] } } }
            }
            correctedX = !doneX
            correctedY = !doneY
        }
        return (x, errX, y, errY)
    }
}
