/// `A = P L U` for a tridiagonal `A` with partial pivoting, in `O(n)` time and memory;
/// solves with `A` and `A'` in `O(n)` per right-hand side.
///
/// The algorithm and storage are LAPACK's `dgttrf` / `dgtts2`: at step `i` rows `i` and
/// `i+1` are swapped when `|a_(i+1)i| > |a_ii|`, so `U` gains a second superdiagonal and
/// `L` is unit lower bidiagonal with multipliers bounded by 1 (backward stable like dense
/// partial pivoting).
///
/// When partial pivoting would interchange no rows (diagonally dominant matrices,
/// M-matrices such as discretised elliptic operators), the factorisation is instead
/// *twisted* at `m = n / 2` (the "burn at both ends" scheme): rows `0..<m` are eliminated
/// downwards (pivots `p_i`, multipliers `l_i / p_i`) and rows `m+1..<n` upwards (pivots
/// `q_i`, multipliers `u_(i-1) / q_i`), both meeting at row `m` with pivot
/// `gamma = d_m - l_(m-1) u_(m-1) / p_(m-1) - u_m l_m / q_(m+1)`. Each half is exactly
/// what partial pivoting gives for its (reversed) part, with the same pivot test
/// (`|p_i| >= |l_i|`, `|q_i| >= |u_(i-1)|`), so stability is that of the pivoted
/// algorithm; the two halves are independent recurrences that the processor runs side
/// by side, which halves the latency-bound time of the factorisation and of every
/// solve. A violated pivot test falls back to the pivoted algorithm. Written in Swift rather than called from LAPACK because the
/// reference `dgtts2` shipped with OpenBLAS runs at tens of nanoseconds per entry, slower
/// than a Newton step's residual.
///
/// Singularity is judged on the row-equilibrated matrix `B = D^-1 A`, `D = diag` of the
/// row sums `sum_j |a_ij|`: scaling an equation must not make a system look singular
/// (`diag(1, 1e200)` is perfectly solvable), and equilibration removes exactly that. Its
/// reciprocal condition number in the 1-norm, `1 / (||B||_1 ||B^-1||_1)`, is computed
/// exactly with one solve when `A` is sign-similar to an M-matrix (discretised elliptic
/// operators) and otherwise estimated by Hager's method with Higham's refinements (LAPACK
/// `dlacn2`, a handful of solves with `A`), at construction by default, and construction
/// then throws `LinearAlgebraError.singular(routine:reciprocalCondition:)` below
/// ``singularityThreshold`` (`4 ulp`: unlike dense LU, whose rule is `n * ulp`, the
/// backward error of tridiagonal elimination does not grow with `n`). Newton's method factorises without the estimate at
/// every iterate and asks for it only at the root (``reciprocalConditionEstimate()``).
/// An exactly zero pivot always throws.
///
/// References: LAPACK Users' Guide, 3rd ed., SIAM 1999, doi:10.1137/1.9780898719604;
/// N. J. Higham, "FORTRAN codes for estimating the one-norm of a real or complex matrix",
/// ACM TOMS 14 (1988) 381–396, doi:10.1145/50063.214386.
public struct TridiagonalFactorization: ConditionEstimatingFactorization {
    public let dimension: Int
    /// The factorised matrix (its storage is shared, not copied): the condition estimate
    /// needs its row sums and equilibrated norm, computed only when asked for.
    @usableFromInline let matrix: TridiagonalMatrix
    /// Reciprocal 1-norm condition estimate, when it was computed at construction.
    public let reciprocalCondition: Double?
    /// Multipliers of `L`.
    @usableFromInline let lower: [Double]
    /// Reciprocals of the diagonal of `U` (multiplications in the solves' serial
    /// recurrences instead of divisions: several times faster, one extra rounding each).
    @usableFromInline let inverseDiagonal: [Double]
    /// First superdiagonal of `U`.
    @usableFromInline let upper: [Double]
    /// Second superdiagonal of `U` (fill-in from interchanges).
    @usableFromInline let upper2: [Double]
    /// `swapped[i]`: rows `i` and `i+1` were interchanged at step `i`.
    @usableFromInline let swapped: [Bool]
    /// The twist row `m` of a twisted factorisation, or `nil` for the pivoted one. In a
    /// twisted factorisation `lower` and `upper` are the matrix's own off-diagonals,
    /// `inverseDiagonal` holds `1 / p_i` (`i < m`), `1 / gamma` (`i = m`) and `1 / q_i`
    /// (`i > m`), and `upper2`, `swapped` are empty.
    @usableFromInline let twist: Int?

    /// Factorises `a`.
    ///
    /// - Parameters:
    ///   - a: the matrix.
    ///   - estimatingCondition: estimate the condition number now and throw when `A` is
    ///     singular to working precision (default); with `false` only exactly zero pivots throw.
    /// - Throws: `LinearAlgebraError.nonFinite(_:)` for NaN or infinite entries,
    ///   `LinearAlgebraError.singular(routine:reciprocalCondition:)` for a singular matrix.
    public init(_ a: TridiagonalMatrix, estimatingCondition: Bool = true) throws {
        let factors = try Self.twisted(a) ?? Self.pivoted(a)
        guard estimatingCondition else {
            self = factors
            return
        }
        let rcond = factors.reciprocalConditionEstimate()
        guard rcond >= factors.singularityThreshold else {
            throw LinearAlgebraError.singular(routine: "tridiagonal LU", reciprocalCondition: rcond)
        }
        self = factors.with(reciprocalCondition: rcond)
    }

    /// The twisted factorisation (see the type's documentation), or `nil` when a pivot
    /// test fails, a pivot is zero or an entry is not finite (the pivoted algorithm then
    /// decides).
    static func twisted(_ a: TridiagonalMatrix) -> TridiagonalFactorization? {
        let n = a.order
        guard n > 0 else { return nil }
        let m = n / 2, bottomSteps = n - 1 - m
        var inverse = [Double](repeating: 0, count: n)
        let ok: Bool = a.subdiagonal.withUnsafeBufferPointer { l in
            a.diagonal.withUnsafeBufferPointer { d in
                a.superdiagonal.withUnsafeBufferPointer { u in
                    inverse.withUnsafeMutableBufferPointer { r in
                        // p: the current top pivot, q: the current bottom pivot; tTop,
                        // tBottom: the last eliminated amounts, which reach row m. The
                        // checks accumulate without branches (the loop is latency-bound:
                        // they cost no time), and `finite` sums `entry * 0`.
                        var p = d[0], q = d[n - 1]
                        var tTop = 0.0, tBottom = 0.0
                        var pivotsOK = true
                        var finite = d[0] * 0 + d[n - 1] * 0
                        for k in 0..<m {
                            let lk = l[k], uk = u[k]
                            pivotsOK = pivotsOK && abs(p) >= abs(lk) && p != 0
                            r[k] = 1 / p
                            // Multiplier first, as LAPACK does: l_k u_k / p_k rounds
                            // l_k u_k once with the same error at every step when the
                            // off-diagonals are constant (finite differences), and that
                            // coherent bias accumulates along the recurrence (1e-9
                            // relative on Bratu at n = 10^4 against 1e-14 this way).
                            tTop = (lk / p) * uk
                            finite += lk * 0 + uk * 0 + d[k + 1] * 0
                            p = d[k + 1] - tTop
                            if k < bottomSteps {
                                let j = n - 1 - k
                                let uj = u[j - 1], lj = l[j - 1]
                                pivotsOK = pivotsOK && abs(q) >= abs(uj) && q != 0
                                r[j] = 1 / q
                                tBottom = (uj / q) * lj
                                finite += uj * 0 + lj * 0 + d[j - 1] * 0
                                q = d[j - 1] - tBottom
                            }
                        }
                        let gamma = (d[m] - tTop) - tBottom
                        r[m] = 1 / gamma
                        return pivotsOK && gamma != 0 && finite == 0 && gamma.isFinite
                    }
                }
            }
        }
        guard ok else { return nil }
        return TridiagonalFactorization(dimension: n, matrix: a, lower: a.subdiagonal, inverseDiagonal: inverse,
                                        upper: a.superdiagonal, upper2: [], swapped: [], twist: m,
                                        reciprocalCondition: nil)
    }

    /// LAPACK `dgttrf`: LU with partial pivoting.
    static func pivoted(_ a: TridiagonalMatrix) throws -> TridiagonalFactorization {
        let n = a.order
        var dl = a.subdiagonal, d = a.diagonal, du = a.superdiagonal
        var du2 = [Double](repeating: 0, count: Swift.max(n - 2, 0))
        var swapped = [Bool](repeating: false, count: Swift.max(n - 1, 0))
        var inverse = [Double](repeating: 0, count: n)
        // Sums of `entry * 0`: zero exactly when every entry is finite (NaN and infinities
        // give NaN; no overflow), in four independent accumulators (no serial add chain).
        var total = (0.0, 0.0, 0.0, 0.0)
        func accumulate(_ v: [Double]) {
            v.withUnsafeBufferPointer { v in
                var i = 0
                while i + 4 <= v.count {
                    total.0 += v[i] * 0
                    total.1 += v[i + 1] * 0
                    total.2 += v[i + 2] * 0
                    total.3 += v[i + 3] * 0
                    i += 4
                }
                while i < v.count { total.0 += v[i] * 0; i += 1 }
            }
        }
        accumulate(d)
        accumulate(dl)
        accumulate(du)
        guard (total.0 + total.1 + total.2 + total.3) == 0 else { throw LinearAlgebraError.nonFinite("the tridiagonal matrix to factorise") }
        var zeroPivot = false
        dl.withUnsafeMutableBufferPointer { l in
            d.withUnsafeMutableBufferPointer { d in
                du.withUnsafeMutableBufferPointer { u in
                    du2.withUnsafeMutableBufferPointer { u2 in
                        swapped.withUnsafeMutableBufferPointer { p in
                            inverse.withUnsafeMutableBufferPointer { r in
                                // The current pivot row's diagonal is carried in a register
                                // (`di`): a store and reload of d_(i+1) would add the
                                // store-forwarding latency to the serial chain.
                                guard n > 0 else { return }
                                var di = d[0]
                                for i in 0..<(n - 1) {
                                    let li = l[i], ui = u[i], dNext = d[i + 1]
                                    if abs(di) >= abs(li) {
                                        // No interchange: eliminate l_i with pivot d_i,
                                        // d_(i+1) -= l_i u_i / d_i (one division on the chain).
                                        d[i] = di
                                        if di == 0 { zeroPivot = true; di = dNext; continue }
                                        // Multiplier first (see `twisted`).
                                        r[i] = 1 / di
                                        let fact = li / di
                                        l[i] = fact
                                        di = dNext - fact * ui
                                    } else {
                                        // Interchange rows i and i+1: pivot l_i (non-zero here).
                                        r[i] = 1 / li
                                        let fact = di / li
                                        d[i] = li
                                        l[i] = fact
                                        u[i] = dNext
                                        di = ui - fact * dNext
                                        if i < n - 2 {
                                            u2[i] = u[i + 1]
                                            u[i + 1] = -fact * u[i + 1]
                                        }
                                        p[i] = true
                                    }
                                }
                                d[n - 1] = di
                                if di == 0 { zeroPivot = true } else { r[n - 1] = 1 / di }
                            }
                        }
                    }
                }
            }
        }
        if zeroPivot { throw LinearAlgebraError.singular(routine: "tridiagonal LU", reciprocalCondition: 0) }
        return TridiagonalFactorization(dimension: n, matrix: a, lower: dl, inverseDiagonal: inverse, upper: du,
                                        upper2: du2, swapped: swapped, twist: nil, reciprocalCondition: nil)
    }

    private init(dimension: Int, matrix: TridiagonalMatrix, lower: [Double], inverseDiagonal: [Double], upper: [Double],
                 upper2: [Double], swapped: [Bool], twist: Int?, reciprocalCondition: Double?) {
        self.dimension = dimension
        self.matrix = matrix
        self.lower = lower
        self.inverseDiagonal = inverseDiagonal
        self.upper = upper
        self.upper2 = upper2
        self.swapped = swapped
        self.twist = twist
        self.reciprocalCondition = reciprocalCondition
    }

    private func with(reciprocalCondition: Double) -> TridiagonalFactorization {
        TridiagonalFactorization(dimension: dimension, matrix: matrix, lower: lower, inverseDiagonal: inverseDiagonal,
                                 upper: upper, upper2: upper2, swapped: swapped, twist: twist,
                                 reciprocalCondition: reciprocalCondition)
    }

    /// `4 ulp`, independent of `n`: elimination on a tridiagonal matrix (pivoted or
    /// twisted) has a backward error bounded by a small constant times `ulp` whatever
    /// the order (N. J. Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
    /// SIAM 2002, §9.5, doi:10.1137/1.9780898718027). The dense rule `n * ulp` would call
    /// well-posed discretisations singular: the 1-D Laplacian's condition number grows
    /// like `0.4 n^2`, which passes `1 / (n ulp)` near `n = 3e5` (Bratu at lambda = 1 was
    /// reported not differentiable there; at `n = 10^6` its reciprocal condition is 1.6e-12,
    /// and the derivative is accurate to about `cond * ulp`).
    public var singularityThreshold: Double { 4 * Double.ulpOfOne }

    /// `1 / (||B||_1 ||B^-1||_1)` for the row-equilibrated `B = D^-1 A`. `||B^-1||_1` is
    /// exact (one solve with `A'`) when `A` is sign-similar to a nonsingular M-matrix (see
    /// `exactEquilibratedInverseNorm`), as Newton Jacobians of discretised
    /// elliptic problems such as Bratu's are below their fold; otherwise it is estimated by
    /// Hager–Higham (`dlacn2`): a lower bound, almost always within a factor 3 of it.
    /// Solves with `B` are `A^-1 D x` and `B^-T x = D A^-T x`.
    public func reciprocalConditionEstimate() -> Double {
        if let r = reciprocalCondition { return r }
        let n = dimension
        if n == 0 { return 1 }
        // D: row sums of |A|; then ||D^-1 A||_1, the largest scaled column sum.
        let rowScale = matrix.absoluteRowSums().scalars
        var norm = 0.0
        var positive = true
        var inverseScale = [Double](repeating: 0, count: n)
        matrix.subdiagonal.withUnsafeBufferPointer { l in
            matrix.diagonal.withUnsafeBufferPointer { d in
                matrix.superdiagonal.withUnsafeBufferPointer { u in
                    inverseScale.withUnsafeMutableBufferPointer { v in
                        rowScale.withUnsafeBufferPointer { w in
                            for i in 0..<n {
                                positive = positive && w[i] > 0
                                v[i] = 1 / w[i]
                            }
                        }
                        guard positive else { return }
                        for j in 0..<n {
                            var s = abs(d[j]) * v[j]
                            if j > 0 { s += abs(u[j - 1]) * v[j - 1] }
                            if j < n - 1 { s += abs(l[j]) * v[j + 1] }
                            norm = s > norm ? s : norm
                        }
                    }
                }
            }
        }
        guard positive else { return 0 }
        let inverseNorm = exactEquilibratedInverseNorm(rowScale: rowScale) ?? estimateInverseNorm(rowScale: rowScale)
        return inverseNorm > 0 ? 1 / (norm * inverseNorm) : 0
    }

    /// `||B^-1||_1 = max_j D_j sum_i |(A^-1)_ij|` exactly, in one solve with `A'`, when `A`
    /// is sign-similar to a nonsingular M-matrix; `nil` otherwise.
    ///
    /// When no rows were interchanged (or the factorisation is twisted), every pivot is
    /// positive and `l_i u_i >= 0` for all
    /// `i`, the signature `S = diag(s)` with `s_0 = 1`, `s_(i+1) = -s_i sign(u_i or l_i)`
    /// makes `M = S A S` a Z-matrix (off-diagonal entries `<= 0`) whose leading principal
    /// minors (products of the same pivots) are positive: a nonsingular M-matrix, so
    /// `M^-1 >= 0` and `|A^-1| = |S M^-1 S| = M^-1`. Its column sums are
    /// `M^-T 1 = S A^-T S 1 = S A^-T s`, hence `||B^-1||_1 = max_j D_j |(A^-T s)_j|`.
    /// (Fiedler–Pták: a Z-matrix with positive leading principal minors is a nonsingular
    /// M-matrix; N. J. Higham, "Efficient algorithms for computing the condition number of
    /// a tridiagonal matrix", SIAM J. Sci. Stat. Comput. 7 (1986) 150–165,
    /// doi:10.1137/0907011.)
    func exactEquilibratedInverseNorm(rowScale: [Double]) -> Double? {
        let n = dimension
        var s = [Double](repeating: 1, count: n)
        let applies: Bool = swapped.withUnsafeBufferPointer { p in
            inverseDiagonal.withUnsafeBufferPointer { r in
                matrix.subdiagonal.withUnsafeBufferPointer { l in
                    matrix.superdiagonal.withUnsafeBufferPointer { u in
                        s.withUnsafeMutableBufferPointer { s in
                            // Twisted: every pivot p_i, gamma, q_i positive gives positive
                            // minors on the nested index sets {0..k} (k < m), {0..m-1} with
                            // {j..n-1} (a block-diagonal submatrix), then all of A: after a
                            // symmetric permutation, positive leading minors again.
                            // The signs are a prefix product: carried as a sign bit that
                            // is flipped (one-cycle xor chain); the tests accumulate
                            // without branches.
                            var applies = r[n - 1] > 0
                            var sign: UInt64 = 0
                            let one = (1.0).bitPattern, flip: UInt64 = 1 << 63
                            for i in 0..<(n - 1) {
                                let li = l[i], ui = u[i]
                                applies = applies && r[i] > 0 && li * ui >= 0
                                sign ^= (li + ui) > 0 ? flip : 0
                                s[i + 1] = Double(bitPattern: one | sign)
                            }
                            if !p.isEmpty { applies = applies && !p.contains(true) }
                            return applies
                        }
                    }
                }
            }
        }
        guard applies else { return nil }
        solveInPlace(&s, transposed: true)
        var best = 0.0
        s.withUnsafeBufferPointer { z in
            rowScale.withUnsafeBufferPointer { w in
                for j in 0..<n { best = Swift.max(best, w[j] * abs(z[j])) }
            }
        }
        return best.isFinite ? best : nil
    }

    /// Hager's power-like iteration on `||A^-1 x||_1` over the unit 1-ball, with Higham's
    /// alternating-sign test vector as a safeguard.
    func estimateInverseNorm(rowScale: [Double]) -> Double {
        let n = dimension
        func oneNorm(_ v: [Double]) -> Double { v.reduce(0) { $0 + abs($1) } }
        func signs(_ v: [Double]) -> [Double] { v.map { $0 >= 0 ? 1 : -1 } }
        func argmaxAbs(_ v: [Double]) -> Int {
            var j = 0
            for i in 1..<v.count where abs(v[i]) > abs(v[j]) { j = i }
            return j
        }
        var x = [Double](repeating: 1 / Double(n), count: n)
        equilibratedSolve(&x, rowScale, transposed: false)
        if n == 1 { return abs(x[0]) }
        var estimate = oneNorm(x)
        var xi = signs(x)
        var z = xi
        equilibratedSolve(&z, rowScale, transposed: true)
        var j = argmaxAbs(z)
        for _ in 0..<5 {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            equilibratedSolve(&e, rowScale, transposed: false)
            let previous = estimate
            estimate = oneNorm(e)
            let newSigns = signs(e)
            if newSigns == xi || estimate <= previous {
                estimate = Swift.max(estimate, previous)
                break
            }
            xi = newSigns
            z = xi
            equilibratedSolve(&z, rowScale, transposed: true)
            let last = j
            j = argmaxAbs(z)
            if abs(z[last]) == abs(z[j]) { break }
        }
        // Higham's safeguard: x_i = (-1)^i (1 + i / (n - 1)).
        var alt = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let magnitude: Double = 1 + Double(i) / Double(n - 1)
            alt[i] = i % 2 == 0 ? magnitude : -magnitude
        }
        equilibratedSolve(&alt, rowScale, transposed: false)
        return Swift.max(estimate, 2 * oneNorm(alt) / Double(3 * n))
    }

    /// `B^-1 x = A^-1 (D x)` or `B^-T x = D (A^-T x)` for `B = D^-1 A`.
    func equilibratedSolve(_ x: inout [Double], _ rowScale: [Double], transposed: Bool) {
        if !transposed { for i in x.indices { x[i] *= rowScale[i] } }
        solveInPlace(&x, transposed: transposed)
        if transposed { for i in x.indices { x[i] *= rowScale[i] } }
    }

    /// Overwrites `b` with `T^-1 b` for the tridiagonal `T` with off-diagonals `lower`,
    /// `upper` and the twisted factorisation's pivots (`T = A`, or `T = A'` with the
    /// off-diagonals exchanged). Eliminates towards row `m` from both ends, solves row
    /// `m`, then substitutes back outwards; the two halves run interleaved.
    func twistedSolve(_ b: inout [Double], twist m: Int, lower: [Double], upper: [Double]) {
        let n = dimension
        let bottomSteps = n - 1 - m
        lower.withUnsafeBufferPointer { l in
            upper.withUnsafeBufferPointer { u in
                inverseDiagonal.withUnsafeBufferPointer { r in
                    b.withUnsafeMutableBufferPointer { b in
                        // Elimination: top rows 0..<m downwards (b_(k+1) -= l_k / p_k b_k),
                        // bottom rows n-1 ... m+1 upwards (b_(j-1) -= u_(j-1) / q_j b_j);
                        // the last amounts reach row m.
                        var top = b[0], bottom = b[n - 1]
                        var toTwistTop = 0.0, toTwistBottom = 0.0
                        for k in 0..<m {
                            toTwistTop = l[k] * r[k] * top
                            if k + 1 < m { top = b[k + 1] - toTwistTop; b[k + 1] = top }
                            if k < bottomSteps {
                                let j = n - 1 - k
                                toTwistBottom = u[j - 1] * r[j] * bottom
                                if j - 1 > m { bottom = b[j - 1] - toTwistBottom; b[j - 1] = bottom }
                            }
                        }
                        let xm = ((b[m] - toTwistTop) - toTwistBottom) * r[m]
                        b[m] = xm
                        // Back substitution outwards: x_i = (b_i - u_i x_(i+1)) / p_i above,
                        // x_i = (b_i - l_(i-1) x_(i-1)) / q_i below.
                        var above = xm, below = xm
                        for k in 0..<m {
                            let i = m - 1 - k
                            above = (b[i] - u[i] * above) * r[i]
                            b[i] = above
                            if k < bottomSteps {
                                let j = m + 1 + k
                                below = (b[j] - l[j - 1] * below) * r[j]
                                b[j] = below
                            }
                        }
                    }
                }
            }
        }
    }

    /// Overwrites `b` with `A^-1 b` or `A^-T b` (LAPACK `dgtts2` for one right-hand side).
    @usableFromInline
    func solveInPlace(_ b: inout [Double], transposed: Bool) {
        let n = dimension
        if n == 0 { return }
        if let m = twist {
            // A' has A's pivots, with the roles of the off-diagonals exchanged.
            transposed ? twistedSolve(&b, twist: m, lower: upper, upper: lower)
                       : twistedSolve(&b, twist: m, lower: lower, upper: upper)
            return
        }
        lower.withUnsafeBufferPointer { l in
            inverseDiagonal.withUnsafeBufferPointer { r in
                upper.withUnsafeBufferPointer { u in
                    upper2.withUnsafeBufferPointer { u2 in
                        swapped.withUnsafeBufferPointer { p in
                            b.withUnsafeMutableBufferPointer { b in
                                // Values on the serial chains are carried in registers, not
                                // reloaded from b (store-forwarding latency).
                                if !transposed {
                                    // L: apply the interchanges and multipliers in order;
                                    // `current` is the (updated) b_i.
                                    var current = b[0]
                                    for i in 0..<(n - 1) {
                                        let next = b[i + 1]
                                        if p[i] {
                                            b[i] = next
                                            current -= l[i] * next
                                        } else {
                                            b[i] = current
                                            current = next - l[i] * current
                                        }
                                    }
                                    b[n - 1] = current
                                    // U: back substitution with two superdiagonals.
                                    var x1 = b[n - 1] * r[n - 1]
                                    b[n - 1] = x1
                                    guard n > 1 else { return }
                                    var x2 = x1
                                    x1 = (b[n - 2] - u[n - 2] * x2) * r[n - 2]
                                    b[n - 2] = x1
                                    var i = n - 3
                                    while i >= 0 {
                                        // b_(i+2) first: only b_(i+1) is on the serial chain.
                                        let t = b[i] - u2[i] * x2
                                        let x0 = (t - u[i] * x1) * r[i]
                                        b[i] = x0
                                        x2 = x1
                                        x1 = x0
                                        i -= 1
                                    }
                                } else {
                                    // U': forward substitution.
                                    var x1 = b[0] * r[0]
                                    b[0] = x1
                                    if n > 1 {
                                        var x2 = x1
                                        x1 = (b[1] - u[0] * x2) * r[1]
                                        b[1] = x1
                                        if n > 2 {
                                            for i in 2..<n {
                                                let t = b[i] - u2[i - 2] * x2
                                                let x0 = (t - u[i - 1] * x1) * r[i]
                                                b[i] = x0
                                                x2 = x1
                                                x1 = x0
                                            }
                                        }
                                    }
                                    // L': undo the interchanges in reverse order; `current` is
                                    // the (updated) b_(i+1).
                                    guard n > 1 else { return }
                                    var current = b[n - 1]
                                    var i = n - 2
                                    while i >= 0 {
                                        let bi = b[i]
                                        if p[i] {
                                            b[i + 1] = bi - l[i] * current
                                        } else {
                                            b[i + 1] = current
                                            current = bi - l[i] * current
                                        }
                                        i -= 1
                                    }
                                    b[0] = current
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func solve(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        var x = b.scalars
        solveInPlace(&x, transposed: false)
        return Vector(x)
    }

    public func solveTransposed(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        var x = b.scalars
        solveInPlace(&x, transposed: true)
        return Vector(x)
    }

    public func solve(_ b: Matrix) -> Matrix { solveColumns(b, transposed: false) }

    public func solveTransposed(_ b: Matrix) -> Matrix { solveColumns(b, transposed: true) }

    func solveColumns(_ b: Matrix, transposed: Bool) -> Matrix {
        precondition(b.rows == dimension, "right-hand side with \(b.rows) rows for order \(dimension)")
        var out = b
        for j in 0..<b.columns {
            var column = b.column(j).scalars
            solveInPlace(&column, transposed: transposed)
            out.setColumn(j, to: Vector(column))
        }
        return out
    }
}
