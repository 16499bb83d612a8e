import ImplicitDiffCore
import _ImplicitDiffKernels

/// A dense primal-dual interior point method (Mehrotra's predictor-corrector) for an
/// ``LPSolverForm`` whose columns all have a finite bound. Not API. It only proposes a
/// basis (``LPCrossover``); the answer reported is always the vertex of that basis,
/// recomputed and checked exactly as after GLPK's simplex.
///
/// With the row activities `w = K x` as variables of their own (none for an equality
/// row, whose activity is fixed), the problem is
/// ```
/// minimize c'x   subject to   K x - w = r,   l <= (x, w) <= u
/// ```
/// (`r` = the equality rows' values, 0 elsewhere). The iterates keep `v = (x, w)`
/// strictly inside its bounds, `s_l = v - l > 0`, `s_u = u - v > 0`, with bound duals
/// `z_l, z_u > 0` and row duals `y`. One Newton step on the perturbed conditions
/// ```
/// E v = r,   c_v - E'y - z_l + z_u = 0,   s_l z_l = sigma mu,   s_u z_u = sigma mu
/// ```
/// (`E = [K  -I]`) reduces, with `D^-1 = z_l/s_l + z_u/s_u` (plus a primal
/// regularisation `rho`), to the normal equations of the rows
/// ```
/// (K D_x K' + D_w + delta I) dy = r_p - E D g,     dv = D (E'dy + g)
/// g = -r_d + (sigma mu - s_l z_l)/s_l - (sigma mu - s_u z_u)/s_u
/// ```
/// formed by one BLAS `dsyrk` of `K D_x^(1/2)` and solved by one LAPACK
/// Cholesky factorisation (`dpotrf`); the predictor (`sigma = 0`) and Mehrotra's corrector
/// (`sigma = (mu_aff/mu)^3`, second-order terms `ds_aff dz_aff`) share it. The small
/// dual regularisation `delta` (relative to the largest diagonal entry) keeps the
/// factorisation defined as `D` spreads over many orders of magnitude near the optimum.
///
/// The problem is first equilibrated by powers of two (``scaling(_:)``)
/// and `c` scaled to max-norm 1, so the stopping figures are relative:
/// `||r_p|| / (1 + ||r||)`, `||r_d|| / (1 + ||c||)` and the duality measure
/// `sum s z / (1 + |c'x|)`, each at most ``tolerance``. Returns `nil` when the iteration
/// fails (no progress, a factorisation fails, the iteration cap): the caller then runs
/// the simplex as if this had not been tried.
struct LPInteriorPoint {
    /// The iterate in the scaled problem: values, bound duals and distances.
    struct Iterate {
        /// `v = (x, w)`: columns first, then one entry per row (equality rows included,
        /// held at their value).
        var v: [Double]
        var zl: [Double]
        var zu: [Double]
        var sl: [Double]
        var su: [Double]
        /// Finite lower / upper bound of each entry of `v` (fixed entries: neither).
        let hasLower: [Bool]
        let hasUpper: [Bool]
        /// Entries fixed at a value (equality rows).
        let isFixed: [Bool]
        let iterations: Int
    }

    /// Stopping tolerance of the relative residuals and duality measure (moderate: the
    /// iterate only has to separate the active bounds from the inactive ones).
    var tolerance = 1e-8
    /// Iteration cap (Mehrotra's method needs 15-25 on the problems it is chosen for).
    var iterationLimit = 60

    /// Runs the method on `form` (every column with a finite bound; see
    /// ``LPForwardMethod``); `nil` on failure.
    func solve(_ form: LPSolverForm) -> Iterate? {
        let m = form.rowCount, n = form.columnCount, total = n + m
        let (rowScale, columnScale) = Self.scaling(form.matrix)
        let k = form.matrix.scaled(rows: rowScale, columns: columnScale)
        // Dense K (row-major) of the scaled problem.
        var dense = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for e in k.rowStart[i]..<k.rowStart[i + 1] { dense[i * n + k.columnIndices[e]] = k.values[e] }
        }
        let kMatrix = Matrix(rows: m, columns: n, scalars: dense)
        // Scaled bounds and objective: x = S x~, w~ = R w.
        var lower = [Double](repeating: -.infinity, count: total), upper = [Double](repeating: .infinity, count: total)
        var cost = [Double](repeating: 0, count: total)
        var cMax = 0.0
        for j in 0..<n {
            lower[j] = form.columnLower[j] / columnScale[j]
            upper[j] = form.columnUpper[j] / columnScale[j]
            cost[j] = form.objective[j] * columnScale[j]
            cMax = max(cMax, abs(cost[j]))
        }
        if cMax > 0 { for j in 0..<n { cost[j] /= cMax } }
        for i in 0..<m {
            lower[n + i] = form.rowLower[i] * rowScale[i]
            upper[n + i] = form.rowUpper[i] * rowScale[i]
        }
        let isFixed = (0..<total).map { lower[$0] == upper[$0] }
        let hasLower = (0..<total).map { !isFixed[$0] && lower[$0].isFinite }
        let hasUpper = (0..<total).map { !isFixed[$0] && upper[$0].isFinite }
        for j in 0..<n where !(hasLower[j] || hasUpper[j] || isFixed[j]) { return nil }

        // Starting point: columns inside their bounds (mid-box, or one unit of
        // max(1, |bound|) inside a one-sided bound), rows at their activity pushed inside.
        var v = [Double](repeating: 0, count: total)
        func inside(_ t: Double, _ l: Double, _ u: Double, _ isFixed: Bool) -> Double {
            if isFixed { return l }
            if l.isFinite && u.isFinite {
                let margin = 0.1 * (u - l)
                return min(max(t, l + margin), u - margin)
            }
            if l.isFinite { return max(t, l + max(1, abs(l))) }
            if u.isFinite { return min(t, u - max(1, abs(u))) }
            return t
        }
        for j in 0..<n {
            let mid = lower[j].isFinite && upper[j].isFinite ? 0.5 * (lower[j] + upper[j]) : 0
            v[j] = inside(mid, lower[j], upper[j], isFixed[j])
        }
        let kx0 = (kMatrix * Vector(Array(v[0..<n]))).scalars
        for i in 0..<m { v[n + i] = inside(kx0[i], lower[n + i], upper[n + i], isFixed[n + i]) }
        var sl = (0..<total).map { hasLower[$0] ? v[$0] - lower[$0] : 1 }
        var su = (0..<total).map { hasUpper[$0] ? upper[$0] - v[$0] : 1 }
        var zl = (0..<total).map { hasLower[$0] ? 1.0 : 0 }
        var zu = (0..<total).map { hasUpper[$0] ? 1.0 : 0 }
        var y = [Double](repeating: 0, count: m)
        let pairs = Double(max(1, hasLower.filter { $0 }.count + hasUpper.filter { $0 }.count))
        let rNorm = (0..<m).reduce(0.0) { isFixed[n + $1] ? max($0, abs(lower[n + $1])) : $0 }
        let rho = 1e-10

        for iteration in 0..<iterationLimit {
            // Residuals: r_p = r - E v (rows), r_d = c - E'y - z_l + z_u.
            let x = Vector(Array(v[0..<n]))
            let kx = (kMatrix * x).scalars
            var rp = [Double](repeating: 0, count: m)
            for i in 0..<m { rp[i] = isFixed[n + i] ? lower[n + i] - kx[i] : v[n + i] - kx[i] }
            let kty = kMatrix.transposedTimes(Vector(y)).scalars
            var rd = [Double](repeating: 0, count: total)
            for j in 0..<n { rd[j] = cost[j] - kty[j] - zl[j] + zu[j] }
            for i in 0..<m where !isFixed[n + i] { rd[n + i] = y[i] - zl[n + i] + zu[n + i] }
            var gap = 0.0
            for t in 0..<total {
                if hasLower[t] { gap += sl[t] * zl[t] }
                if hasUpper[t] { gap += su[t] * zu[t] }
            }
            let mu = gap / pairs
            let objective = (0..<n).reduce(0.0) { $0 + cost[$1] * v[$1] }
            let primalError = rp.reduce(0.0) { max($0, abs($1)) } / (1 + rNorm)
            let dualError = rd.reduce(0.0) { max($0, abs($1)) } / 2
            let gapError = gap / (1 + abs(objective))
            if !(primalError.isFinite && dualError.isFinite && gapError.isFinite) { return nil }
            if primalError <= tolerance && dualError <= tolerance && gapError <= tolerance {
                return Iterate(v: v, zl: zl, zu: zu, sl: sl, su: su, hasLower: hasLower, hasUpper: hasUpper,
                               isFixed: isFixed, iterations: iteration)
            }
            // D^-1 and the normal matrix K D_x K' + D_w + delta I.
            var d = [Double](repeating: 0, count: total)
            for t in 0..<total where !isFixed[t] {
                var inv = rho
                if hasLower[t] { inv += zl[t] / sl[t] }
                if hasUpper[t] { inv += zu[t] / su[t] }
                d[t] = 1 / inv
            }
            var normal = Self.normalMatrix(dense, rows: m, columns: n, d: d)
            var diagonalMax = 0.0
            for i in 0..<m {
                normal.scalars[i * m + i] += d[n + i]
                diagonalMax = max(diagonalMax, normal.scalars[i * m + i])
            }
            let delta = 1e-12 * max(diagonalMax, 1)
            for i in 0..<m { normal.scalars[i * m + i] += delta }
            guard let cholesky = Self.cholesky(normal.scalars, m) else { return nil }

            /// The Newton direction for the complementarity targets `rl`, `ru`.
            func direction(_ rl: [Double], _ ru: [Double]) -> (dv: [Double], dy: [Double], dzl: [Double], dzu: [Double]) {
                var g = [Double](repeating: 0, count: total)
                for t in 0..<total where !isFixed[t] {
                    var gt = -rd[t]
                    if hasLower[t] { gt += rl[t] / sl[t] }
                    if hasUpper[t] { gt -= ru[t] / su[t] }
                    g[t] = gt
                }
                // rhs = r_p - E D g = r_p - K (D_x g_x) + D_w g_w.
                var dg = [Double](repeating: 0, count: n)
                for j in 0..<n { dg[j] = d[j] * g[j] }
                let kdg = (kMatrix * Vector(dg)).scalars
                var rhs = [Double](repeating: 0, count: m)
                for i in 0..<m { rhs[i] = rp[i] - kdg[i] + d[n + i] * g[n + i] }
                let dy = Self.solve(cholesky, m, rhs)
                let ktdy = kMatrix.transposedTimes(Vector(dy)).scalars
                var dv = [Double](repeating: 0, count: total)
                for j in 0..<n { dv[j] = d[j] * (ktdy[j] + g[j]) }
                for i in 0..<m where !isFixed[n + i] { dv[n + i] = d[n + i] * (-dy[i] + g[n + i]) }
                var dzl = [Double](repeating: 0, count: total), dzu = [Double](repeating: 0, count: total)
                for t in 0..<total {
                    if hasLower[t] { dzl[t] = (rl[t] - zl[t] * dv[t]) / sl[t] }
                    if hasUpper[t] { dzu[t] = (ru[t] + zu[t] * dv[t]) / su[t] }
                }
                return (dv, dy, dzl, dzu)
            }
            /// The largest steps in `[0, 1]` that keep the distances and the duals non-negative.
            func steps(_ dv: [Double], _ dzl: [Double], _ dzu: [Double]) -> (primal: Double, dual: Double) {
                var ap = 1.0, ad = 1.0
                for t in 0..<total {
                    if hasLower[t] {
                        if dv[t] < 0 { ap = min(ap, -sl[t] / dv[t]) }
                        if dzl[t] < 0 { ad = min(ad, -zl[t] / dzl[t]) }
                    }
                    if hasUpper[t] {
                        if dv[t] > 0 { ap = min(ap, su[t] / dv[t]) }
                        if dzu[t] < 0 { ad = min(ad, -zu[t] / dzu[t]) }
                    }
                }
                return (ap, ad)
            }
            // Predictor.
            let rl0 = (0..<total).map { hasLower[$0] ? -sl[$0] * zl[$0] : 0 }
            let ru0 = (0..<total).map { hasUpper[$0] ? -su[$0] * zu[$0] : 0 }
            let affine = direction(rl0, ru0)
            let (apA, adA) = steps(affine.dv, affine.dzl, affine.dzu)
            var gapAffine = 0.0
            for t in 0..<total {
                if hasLower[t] { gapAffine += (sl[t] + apA * affine.dv[t]) * (zl[t] + adA * affine.dzl[t]) }
                if hasUpper[t] { gapAffine += (su[t] - apA * affine.dv[t]) * (zu[t] + adA * affine.dzu[t]) }
            }
            let sigma = gap > 0 ? min(1, pow3(gapAffine / gap)) : 0
            // Corrector: centring plus the second-order terms of the predictor.
            var rl = [Double](repeating: 0, count: total), ru = [Double](repeating: 0, count: total)
            for t in 0..<total {
                if hasLower[t] { rl[t] = sigma * mu - sl[t] * zl[t] - affine.dv[t] * affine.dzl[t] }
                if hasUpper[t] { ru[t] = sigma * mu - su[t] * zu[t] + affine.dv[t] * affine.dzu[t] }
            }
            let step = direction(rl, ru)
            let (ap, ad) = steps(step.dv, step.dzl, step.dzu)
            let alphaP = min(1, 0.995 * ap), alphaD = min(1, 0.995 * ad)
            guard alphaP > 1e-8 || alphaD > 1e-8 else { return nil }
            for t in 0..<total {
                v[t] += alphaP * step.dv[t]
                if hasLower[t] {
                    sl[t] = max(v[t] - lower[t], sl[t] * 1e-3 * (1 - alphaP))
                    zl[t] += alphaD * step.dzl[t]
                }
                if hasUpper[t] {
                    su[t] = max(upper[t] - v[t], su[t] * 1e-3 * (1 - alphaP))
                    zu[t] += alphaD * step.dzu[t]
                }
            }
            for i in 0..<m { y[i] += alphaD * step.dy[i] }
        }
        return nil
    }

    /// The lower triangle of `K diag(d_x) K'` (row-major `K`, `m x n`; `d` holds `d_x`
    /// first): `K D^(1/2)` formed once, then one BLAS `dsyrk` (half the work of the
    /// general product, which the core's `Matrix` offers).
    static func normalMatrix(_ k: [Double], rows m: Int, columns n: Int, d: [Double]) -> Matrix {
        var scaled = k
        let root = (0..<n).map { d[$0].squareRoot() }
        scaled.withUnsafeMutableBufferPointer { a in
            root.withUnsafeBufferPointer { r in
                for i in 0..<m {
                    for j in 0..<n { a[i * n + j] *= r[j] }
                }
            }
        }
        var out = [Double](repeating: 0, count: m * m)
        BLAS.syrk(scaled, rows: m, columns: n, into: &out, transposed: false, beta: 0)
        return Matrix(rows: m, columns: m, scalars: out)
    }

    /// Powers of two `(R, S)` for `R K S`: one geometric-mean round (rows, then columns)
    /// and one max-norm round, with ``LPSparseRows/equilibrationFactor(_:_:)``. Cheaper
    /// than ``LPSparseRows/equilibration()``'s up to eight rounds, and enough here: the
    /// scaling only conditions the iteration, the answer is recomputed unscaled.
    static func scaling(_ k: LPSparseRows) -> (rows: [Double], columns: [Double]) {
        let m = k.rowCount, n = k.columnCount
        var rows = [Double](repeating: 1, count: m), columns = [Double](repeating: 1, count: n)
        k.values.withUnsafeBufferPointer { values in
            k.columnIndices.withUnsafeBufferPointer { index in
                for geometric in [true, false] {
                    for i in 0..<m {
                        var small = Double.infinity, large = 0.0
                        for e in k.rowStart[i]..<k.rowStart[i + 1] where values[e] != 0 {
                            let v = abs(values[e]) * columns[index[e]]
                            small = min(small, v)
                            large = max(large, v)
                        }
                        rows[i] = LPSparseRows.equilibrationFactor(geometric ? small : nil, large)
                    }
                    var small = [Double](repeating: .infinity, count: n), large = [Double](repeating: 0, count: n)
                    for i in 0..<m {
                        for e in k.rowStart[i]..<k.rowStart[i + 1] where values[e] != 0 {
                            let j = index[e], v = abs(values[e]) * rows[i]
                            small[j] = min(small[j], v)
                            large[j] = max(large[j], v)
                        }
                    }
                    for j in 0..<n { columns[j] = LPSparseRows.equilibrationFactor(geometric ? small[j] : nil, large[j]) }
                }
            }
        }
        return (rows, columns)
    }

    /// The Cholesky factor of the symmetric positive definite `m x m` matrix whose lower
    /// triangle (row-major) is `a` (LAPACK `dpotrf`; the row-major lower triangle is the
    /// column-major upper one); `nil` when a pivot is not positive. The core's
    /// `CholeskyFactorization` also estimates the condition number (`dpocon`, 4% of the
    /// forward solve here) and refuses a matrix beyond `1 / (n ulp)`: this iteration's
    /// matrices are regularised instead and only their directions matter.
    static func cholesky(_ a: [Double], _ m: Int) -> [Double]? {
        var l = a
        return LAPACK.choleskyLowerInPlace(&l, n: m) ? l : nil
    }

    /// `(L L')^-1 b` with the factor of ``cholesky(_:_:)``.
    static func solve(_ l: [Double], _ m: Int, _ b: [Double]) -> [Double] {
        var x = b
        LAPACK.choleskySolveLowerInPlace(l, n: m, &x)
        return x
    }

    private func pow3(_ t: Double) -> Double { t * t * t }
}
