import _CSuiteSparse

/// A sparse `L D L'` factorisation of a symmetric *quasi-definite* matrix
/// `K = [H  B'; B  -C]` (`H`, `C` positive definite), with a fill-reducing ordering:
/// ```
/// P K P' = L D L'      (L unit lower triangular, D diagonal)
/// ```
/// `P` is SuiteSparse's AMD ordering of the pattern of `K` and the elimination tree and
/// column counts are SuiteSparse LDL's symbolic analysis; the numeric factorisation is
/// LDL's up-looking algorithm (Davis 2005, no pivoting) written here with dynamic
/// regularisation, and so are the triangular solves. Quasi-definite matrices are
/// strongly factorisable (Vanderbei 1995): every symmetric permutation has an `L D L'`
/// with `D` having as many positive entries as `H` has rows, so the ordering can be chosen
/// for sparsity alone and fixed once. The solvers make their systems quasi-definite by
/// static regularisation (`H + rho I`, `C + delta I`) and recover the exact solution by
/// iterative refinement with the unregularised matrix.
///
/// The pattern (upper triangle, compressed columns, diagonal present in every column) is
/// analysed once (``init(order:columnStart:rowIndices:)``: AMD and the elimination tree);
/// ``factor(_:)`` then refactorises for new values on the same pattern in
/// `O(flops of L)` with no allocation beyond the factors. Memory: `O(nnz(K) + nnz(L))`;
/// `L`'s row indices are 32-bit (12 bytes per entry of `L` instead of 16: `L` is the
/// largest array of a sparse solve, and its reads bound the factorisation and the
/// triangular solves), which limits the order to ``maximumOrder``.
struct SparseSymmetricLDL: Sendable {
    /// Order of `K`.
    let order: Int
    /// `perm[k]` = original index of the `k`-th pivot; `inverse[perm[k]] == k`.
    let perm: [Int]
    let inverse: [Int]
    /// Upper triangle of `P K P'` (compressed columns) and, for every stored entry of the
    /// caller's pattern, its slot there.
    let permutedStart: [Int]
    let permutedRows: [Int]
    let slotOfEntry: [Int]
    /// Elimination tree data of LDL (column pointers of `L`, parents, column counts).
    let lStart: [Int]
    let parent: [Int]
    let lCount: [Int]
    /// The largest order whose pivot indices fit `L`'s 32-bit row indices.
    static let maximumOrder = Int(Int32.max)
    /// Numeric factors (after ``factor(_:)``).
    private(set) var lRows: [Int32]
    private(set) var lValues: [Double]
    private(set) var diagonal: [Double]
    /// Original indices of the pivots replaced by dynamic regularisation in the last factorisation.
    private(set) var regularizedPivots: [Int] = []

    /// Stored entries of `L` (strictly lower part).
    var factorNonZeros: Int { lStart.last ?? 0 }

    /// Symbolic analysis of the symmetric pattern given by its upper triangle
    /// (`rowIndices` within each column increasing and `<=` the column; the diagonal
    /// must be stored in every column).
    init(order n: Int, columnStart: [Int], rowIndices: [Int]) {
        precondition(n <= Self.maximumOrder, "order \(n) above \(Self.maximumOrder): callers check")
        order = n
        // AMD on the upper triangle (it orders the pattern of K + K').
        var p = [Int](repeating: 0, count: n)
        if n > 0 {
            var control = [Double](repeating: 0, count: Int(AMD_CONTROL))
            var info = [Double](repeating: 0, count: Int(AMD_INFO))
            amd_l_defaults(&control)
            var cs = columnStart, ri = rowIndices
            let status = amd_l_order(n, &cs, &ri, &p, &control, &info)
            if status != AMD_OK && status != AMD_OK_BUT_JUMBLED { p = Array(0..<n) }
        }
        perm = p
        var inv = [Int](repeating: 0, count: n)
        for k in 0..<n { inv[p[k]] = k }
        inverse = inv
        // Upper triangle of P K P': entry (i, j), i <= j, goes to (min, max) of (inv i, inv j).
        let nnz = rowIndices.count
        var count = [Int](repeating: 0, count: n + 1)
        for j in 0..<n {
            for e in columnStart[j]..<columnStart[j + 1] {
                count[Swift.max(inv[rowIndices[e]], inv[j]) + 1] += 1
            }
        }
        for j in 0..<n { count[j + 1] += count[j] }
        var next = count
        var rows = [Int](repeating: 0, count: nnz), slot = [Int](repeating: 0, count: nnz)
        // Fill column by column of the permuted matrix in increasing row order: visit the
        // original entries sorted by permuted row (a counting pass over min(inv i, inv j)).
        var byRow = [Int](repeating: 0, count: n + 1)
        for j in 0..<n {
            for e in columnStart[j]..<columnStart[j + 1] { byRow[Swift.min(inv[rowIndices[e]], inv[j]) + 1] += 1 }
        }
        for j in 0..<n { byRow[j + 1] += byRow[j] }
        var order = [Int](repeating: 0, count: nnz), column = [Int](repeating: 0, count: nnz)
        var nextRow = byRow
        for j in 0..<n {
            for e in columnStart[j]..<columnStart[j + 1] {
                let r = Swift.min(inv[rowIndices[e]], inv[j])
                order[nextRow[r]] = e
                column[nextRow[r]] = j
                nextRow[r] += 1
            }
        }
        for t in 0..<nnz {
            let e = order[t], j = column[t]
            let a = inv[rowIndices[e]], b = inv[j]
            let c = Swift.max(a, b)
            rows[next[c]] = Swift.min(a, b)
            slot[e] = next[c]
            next[c] += 1
        }
        permutedStart = count
        permutedRows = rows
        slotOfEntry = slot
        var lp = [Int](repeating: 0, count: n + 1), par = [Int](repeating: 0, count: n)
        var lnz = [Int](repeating: 0, count: n), flag = [Int](repeating: 0, count: n)
        if n > 0 {
            var ap = count, ai = rows
            ldl_l_symbolic(n, &ap, &ai, &lp, &par, &lnz, &flag, nil, nil)
        }
        lStart = lp
        parent = par
        lCount = lnz
        lRows = []
        lValues = []
        diagonal = []
    }

    /// Numeric factorisation of the matrix with the analysed pattern and the given values
    /// (in the caller's storage order): LDL's up-looking algorithm (row `k` of `L` from a
    /// sparse triangular solve along the elimination tree), with *dynamic regularisation*
    /// as in QDLDL/Clarabel: pivot `k` of original index `i` must have the sign
    /// `signs[i]` (`+1` for the `H` block, `-1` for the `C` block of a quasi-definite
    /// matrix); a pivot with `signs[i] * D_k <= epsilon` is replaced by `signs[i] * delta`
    /// and counted in ``regularizedPivots``. Returns the first pivot (original index) that
    /// is not finite, or `nil` on success.
    mutating func factor(_ values: [Double], signs: [Double], epsilon: Double = 1e-13, delta: Double = 2e-7) -> Int? {
        let n = order
        regularizedPivots = []
        if n == 0 { diagonal = []; return nil }
        var ax = [Double](repeating: 0, count: permutedRows.count)
        values.withUnsafeBufferPointer { v in
            ax.withUnsafeMutableBufferPointer { a in
                slotOfEntry.withUnsafeBufferPointer { s in
                    for e in 0..<v.count { a[s[e]] = v[e] }
                }
            }
        }
        let lnz = lStart[n]
        if lRows.count != lnz { lRows = [Int32](repeating: 0, count: lnz); lValues = [Double](repeating: 0, count: lnz) }
        if diagonal.count != n { diagonal = [Double](repeating: 0, count: n) }
        var y = [Double](repeating: 0, count: n), pattern = [Int](repeating: 0, count: n)
        var flag = [Int](repeating: 0, count: n), count = [Int](repeating: 0, count: n)
        var regularized = [Int](), bad: Int? = nil
        ax.withUnsafeBufferPointer { A in
        permutedStart.withUnsafeBufferPointer { Ap in
        permutedRows.withUnsafeBufferPointer { Ai in
        lStart.withUnsafeBufferPointer { Lp in
        parent.withUnsafeBufferPointer { Parent in
        perm.withUnsafeBufferPointer { P in
        signs.withUnsafeBufferPointer { S in
        lRows.withUnsafeMutableBufferPointer { Li in
        lValues.withUnsafeMutableBufferPointer { Lx in
        diagonal.withUnsafeMutableBufferPointer { D in
        y.withUnsafeMutableBufferPointer { Y in
        pattern.withUnsafeMutableBufferPointer { Pattern in
        flag.withUnsafeMutableBufferPointer { Flag in
        count.withUnsafeMutableBufferPointer { Lnz in
            for k in 0..<n {
                Y[k] = 0
                var top = n
                Flag[k] = k
                Lnz[k] = 0
                for p in Ap[k]..<Ap[k + 1] {
                    var i = Ai[p]
                    Y[i] += A[p]
                    var len = 0
                    while Flag[i] != k {
                        Pattern[len] = i
                        len += 1
                        Flag[i] = k
                        i = Parent[i]
                    }
                    while len > 0 { top -= 1; len -= 1; Pattern[top] = Pattern[len] }
                }
                var dk = Y[k]
                Y[k] = 0
                while top < n {
                    let i = Pattern[top]
                    top += 1
                    let yi = Y[i]
                    Y[i] = 0
                    let p2 = Lp[i] + Lnz[i]
                    var p = Lp[i]
                    while p < p2 { Y[Int(Li[p])] -= Lx[p] * yi; p += 1 }
                    let lki = yi / D[i]
                    dk -= lki * yi
                    Li[p2] = Int32(truncatingIfNeeded: k)
                    Lx[p2] = lki
                    Lnz[i] += 1
                }
                let sk = S[P[k]]
                if !dk.isFinite { bad = P[k]; return }
                if sk * dk <= epsilon { dk = sk * delta; regularized.append(P[k]) }
                D[k] = dk
            }
        }}}}}}}}}}}}}}
        regularizedPivots = regularized
        return bad
    }

    /// The analysis without numeric factors (to keep for later refactorisations).
    var symbolicOnly: SparseSymmetricLDL {
        var copy = self
        copy.lRows = []
        copy.lValues = []
        copy.diagonal = []
        return copy
    }

    /// The pivot `D_k` of original index `i` (after ``factor(_:)``).
    func pivot(ofOriginal i: Int) -> Double { diagonal[inverse[i]] }

    /// `x <- K^-1 x` with the current factors.
    func solve(_ x: inout [Double]) {
        let n = order
        guard n > 0 else { return }
        var w = [Double](repeating: 0, count: n)
        w.withUnsafeMutableBufferPointer { W in
            x.withUnsafeBufferPointer { X in perm.withUnsafeBufferPointer { P in for k in 0..<n { W[k] = X[P[k]] } } }
            lStart.withUnsafeBufferPointer { Lp in
                lRows.withUnsafeBufferPointer { Li in
                    lValues.withUnsafeBufferPointer { Lx in
                        diagonal.withUnsafeBufferPointer { D in
                            // L w = b
                            for j in 0..<n {
                                let a = W[j]
                                if a == 0 { continue }
                                for p in Lp[j]..<Lp[j + 1] { W[Int(Li[p])] -= Lx[p] * a }
                            }
                            // D w = w
                            for j in 0..<n { W[j] /= D[j] }
                            // L' w = w
                            var j = n - 1
                            while j >= 0 {
                                var a = W[j]
                                for p in Lp[j]..<Lp[j + 1] { a -= Lx[p] * W[Int(Li[p])] }
                                W[j] = a
                                j -= 1
                            }
                        }
                    }
                }
            }
            x.withUnsafeMutableBufferPointer { X in perm.withUnsafeBufferPointer { P in for k in 0..<n { X[P[k]] = W[k] } } }
        }
    }
}

extension SparseSymmetricLDL {
    /// `x <- K^-1 x` and `y <- K^-1 y` with the current factors, in one pass over `L`
    /// (the two right-hand sides interleaved): the triangular solves are bound by reading
    /// `L`, so two cost little more than one.
    func solve(_ x: inout [Double], _ y: inout [Double]) {
        var w = [Double](repeating: 0, count: 2 * order)
        solve(&x, &y, work: &w)
    }

    /// ``solve(_:_:)`` with a caller's workspace of at least `2 * order` entries (no allocation).
    func solve(_ x: inout [Double], _ y: inout [Double], work w: inout [Double]) {
        let n = order
        guard n > 0 else { return }
        w.withUnsafeMutableBufferPointer { W in
            perm.withUnsafeBufferPointer { P in
                x.withUnsafeBufferPointer { X in y.withUnsafeBufferPointer { Y in
                    for k in 0..<n { W[2 * k] = X[P[k]]; W[2 * k + 1] = Y[P[k]] }
                } }
            }
            solveInterleaved(W)
            perm.withUnsafeBufferPointer { P in
                x.withUnsafeMutableBufferPointer { X in y.withUnsafeMutableBufferPointer { Y in
                    for k in 0..<n { X[P[k]] = W[2 * k]; Y[P[k]] = W[2 * k + 1] }
                } }
            }
        }
    }

    /// One refinement step for two systems: the corrections `dx = K^-1 rx`, `dy = K^-1 ry`
    /// (with the current factors) are stored and added to `x` and `y`, in one pass over `L`
    /// for both and no allocation (`work`: at least `2 * order` entries).
    func correct(_ x: inout [Double], _ y: inout [Double], residuals rx: [Double], _ ry: [Double],
                 corrections dx: inout [Double], _ dy: inout [Double], work w: inout [Double]) {
        let n = order
        guard n > 0 else { return }
        w.withUnsafeMutableBufferPointer { W in
            perm.withUnsafeBufferPointer { P in
                rx.withUnsafeBufferPointer { X in ry.withUnsafeBufferPointer { Y in
                    for k in 0..<n { W[2 * k] = X[P[k]]; W[2 * k + 1] = Y[P[k]] }
                } }
            }
            solveInterleaved(W)
            perm.withUnsafeBufferPointer { P in
                x.withUnsafeMutableBufferPointer { X in y.withUnsafeMutableBufferPointer { Y in
                    dx.withUnsafeMutableBufferPointer { DX in dy.withUnsafeMutableBufferPointer { DY in
                        for k in 0..<n {
                            let i = P[k], a = W[2 * k], b = W[2 * k + 1]
                            DX[i] = a
                            DY[i] = b
                            X[i] += a
                            Y[i] += b
                        }
                    } }
                } }
            }
        }
    }

    /// `w <- (L D L')^-1 w` for two right-hand sides interleaved (`w[2k]`, `w[2k + 1]`),
    /// in the pivot order.
    private func solveInterleaved(_ W: UnsafeMutableBufferPointer<Double>) {
        let n = order
        lStart.withUnsafeBufferPointer { Lp in
            lRows.withUnsafeBufferPointer { Li in
                lValues.withUnsafeBufferPointer { Lx in
                    diagonal.withUnsafeBufferPointer { D in
                        // L w = b
                        for j in 0..<n {
                            let a = W[2 * j], b = W[2 * j + 1]
                            if a == 0 && b == 0 { continue }
                            for p in Lp[j]..<Lp[j + 1] {
                                let i = Int(Li[p]), l = Lx[p]
                                W[2 * i] -= l * a
                                W[2 * i + 1] -= l * b
                            }
                        }
                        // D w = w
                        for j in 0..<n { W[2 * j] /= D[j]; W[2 * j + 1] /= D[j] }
                        // L' w = w
                        var j = n - 1
                        while j >= 0 {
                            var a = W[2 * j], b = W[2 * j + 1]
                            for p in Lp[j]..<Lp[j + 1] {
                                let i = Int(Li[p]), l = Lx[p]
                                a -= l * W[2 * i]
                                b -= l * W[2 * i + 1]
                            }
                            W[2 * j] = a
                            W[2 * j + 1] = b
                            j -= 1
                        }
                    }
                }
            }
        }
    }
}
