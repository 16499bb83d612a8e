import Glibc
import ImplicitDiffCore

/// Mehrotra predictor-corrector interior point for a scaled sparse QP
/// (``SparseQPScaling``), on the quasi-definite augmented system. Not API.
///
/// Every finite side of a row or a variable bound is a one-sided constraint
/// `k`: `sigma_k v_t + s_k = h_k` with `v = [z; A z]`, target `t` (a variable `t < n` or the
/// row `t - n`), sign `sigma_k = +1` (upper side, `h_k = u`) or `-1` (lower side,
/// `h_k = -l`), slack `s_k > 0` and multiplier `z_k > 0`. Equality rows (`l = u`) carry a
/// free multiplier `y_r`. With `w_k = z_k / s_k`, `Omega_t = sum_{k on t} w_k`, one Newton
/// step for residuals `(r_d, r_p, r_g, r_c)` solves
/// ```
/// [ P + diag(Omega_x) + rho I    A'                 ] [dz]   [ -r_d - tau_x               ]
/// [ A                            -diag(Delta)      ] [dy] = [ -r_p (equality rows)        ]
///                                                            [ -tau_r / Omega_r (others) ]
/// ```
/// with `tau_t = sum_{k on t} sigma_k w_k (r_g,k - r_c,k / z_k)`, `Delta_r = 1/Omega_r` for
/// inequality rows and `delta` (regularisation) for equality rows; rows with no finite
/// side are decoupled (`dy_r = 0`). Then `dz_k = w_k (sigma_k dv_t + r_g,k - r_c,k/z_k)` and
/// `ds_k = -(r_c,k + s_k dz_k) / z_k`. A fixed variable (`lb_j = ub_j`) is no pair of
/// one-sided constraints (their slacks would have to sum to zero: no interior, and the
/// iteration stalls with multipliers growing without bound): it is held at its value
/// (pivot ``fixedPivot``, step zero to rounding, reset after each step) and its bound
/// multiplier is free, `w_j = -(P x + q + A'y)_j`. The matrix is quasi-definite (`rho = delta = 1e-8`
/// in the scaled units, raised 100-fold up to twice when a pivot vanishes), so one AMD ordering and one symbolic LDL' serve all iterations;
/// each solve is refined against the unregularised matrix. Predictor `r_c = s o z`,
/// corrector `r_c = s o z + ds_aff o dz_aff - sigma mu` with `sigma = (mu_aff/mu)^3`,
/// one step length for primal and dual (0.99 of the distance to the boundary).
struct SparseQPInteriorPoint {
    let sc: SparseQPScaling
    let kkt: SparseQPKKTMatrix
    var ldl: SparseSymmetricLDL
    let n: Int
    let m: Int
    let target: [Int]
    let sign: [Double]
    let h: [Double]
    let isEquality: [Bool]
    let isFree: [Bool]
    /// Variables with `lb_j = ub_j`, held at that value.
    let isFixed: [Bool]
    let keepA: [Bool]
    let pUpper: [Double]
    let signs: [Double]
    var x: [Double]
    var y: [Double]
    var s: [Double]
    var z: [Double]
    var iterations = 0
    /// The step length of the last ``step()`` and its centering parameter (for progress reports).
    var lastStep = (alpha: 0.0, sigma: 0.0)
    static let rho = 1e-8
    static let delta = 1e-8
    /// The pivot of a fixed variable (scaled units): its Newton step is zero to rounding.
    static let fixedPivot = 1e30

    struct Residuals {
        var primal: Double
        var dual: Double
        var gap: Double
        var mu: Double
        var maximum: Double { Swift.max(primal, dual, gap) }
    }

    init(_ sc: SparseQPScaling) throws {
        self.sc = sc
        n = sc.q.count
        m = sc.l.count
        kkt = SparseQPKKTMatrix(P: sc.P, A: sc.A)
        guard kkt.order <= SparseSymmetricLDL.maximumOrder else {
            throw QPError.dimensionMismatch("the KKT system has order n + m = \(kkt.order), above the sparse factorisation's limit \(SparseSymmetricLDL.maximumOrder)")
        }
        ldl = SparseSymmetricLDL(order: kkt.order, columnStart: kkt.columnStart, rowIndices: kkt.rowIndices)
        var t = [Int](), sg = [Double](), hh = [Double]()
        let fixed = (0..<n).map { sc.lb[$0].isFinite && sc.lb[$0] == sc.ub[$0] }
        for j in 0..<n where !fixed[j] {
            if sc.lb[j].isFinite { t.append(j); sg.append(-1); hh.append(-sc.lb[j]) }
            if sc.ub[j].isFinite { t.append(j); sg.append(1); hh.append(sc.ub[j]) }
        }
        var eq = [Bool](repeating: false, count: m), free = [Bool](repeating: false, count: m)
        for r in 0..<m {
            if sc.l[r] == sc.u[r] { eq[r] = true; continue }
            if sc.l[r].isFinite { t.append(n + r); sg.append(-1); hh.append(-sc.l[r]) }
            if sc.u[r].isFinite { t.append(n + r); sg.append(1); hh.append(sc.u[r]) }
            if !sc.l[r].isFinite && !sc.u[r].isFinite { free[r] = true }
        }
        target = t
        sign = sg
        h = hh
        isEquality = eq
        isFree = free
        isFixed = fixed
        keepA = sc.A.rowIndices.map { !free[$0] }
        pUpper = sc.P.values
        signs = kkt.pivotSigns
        x = [Double](repeating: 0, count: n)
        y = [Double](repeating: 0, count: m)
        s = []
        z = []
        try initialize()
    }

    /// This iterate without its numeric factor (the analysis is kept): what a kept
    /// iterate needs, at the memory of its vectors.
    var snapshot: SparseQPInteriorPoint {
        var copy = self
        copy.releaseFactor()
        return copy
    }

    /// Frees the numeric factor (the next ``step()`` refactorises anyway).
    mutating func releaseFactor() { ldl = ldl.symbolicOnly }

    var constraintCount: Int { target.count }

    /// `v = [x; A x]`.
    func stacked(_ x: [Double]) -> [Double] {
        var v = x + [Double](repeating: 0, count: m)
        x.withUnsafeBufferPointer { xb in
            v.withUnsafeMutableBufferPointer { vb in
                sc.A.multiply(xb, into: UnsafeMutableBufferPointer(rebasing: vb[n...]))
            }
        }
        return v
    }

    /// Factorises the KKT matrix for barrier weights `omega` (per target).
    mutating func factor(omega: [Double]) throws -> SparseQPRefinedSolver {
        var dx = [Double](repeating: 0, count: n), dy = [Double](repeating: 0, count: m)
        var ex = dx, ey = dy
        for j in 0..<n { ex[j] = isFixed[j] ? Self.fixedPivot : omega[j] }
        for r in 0..<m {
            if isFree[r] { ey[r] = 1 } else if !isEquality[r] {
                let o = omega[n + r]
                ey[r] = o > 1e-30 ? 1 / o : 1e30
            }
        }
        let exact = kkt.values(px: pUpper, ay: sc.A.values, diagonalX: ex, diagonalY: ey, keepA: keepA)
        var reg = Self.rho
        for _ in 0..<3 {
            for j in 0..<n { dx[j] = ex[j] + reg }
            for r in 0..<m { dy[r] = isEquality[r] ? reg : ey[r] }
            let values = kkt.values(px: pUpper, ay: sc.A.values, diagonalX: dx, diagonalY: dy, keepA: keepA)
            let failed = ldl.factor(values, signs: signs)
            if failed == nil { return SparseQPRefinedSolver(matrix: kkt, exact: exact, ldl: ldl) }
            reg *= 100
        }
        throw QPError.notConverged(iterations: iterations, residual: .infinity)
    }

    /// Starting point: the minimiser of `1/2 x'Px + q'x + 1/2 ||G x - h||^2` subject to
    /// the equality rows (one solve with unit weights), slacks and multipliers shifted
    /// into the positive orthant (Vandenberghe's CVXOPT initialisation).
    mutating func initialize() throws {
        var omega = [Double](repeating: 0, count: n + m)
        var acc = [Double](repeating: 0, count: n + m)
        for k in 0..<constraintCount { omega[target[k]] += 1; acc[target[k]] += sign[k] * h[k] }
        let solver = try factor(omega: omega)
        var rhs = [Double](repeating: 0, count: n + m)
        for j in 0..<n { rhs[j] = -sc.q[j] + acc[j] }
        for r in 0..<m where !isFree[r] {
            rhs[n + r] = isEquality[r] ? sc.l[r] : acc[n + r] / omega[n + r]
        }
        let sol = solver.solve(rhs).x
        x = Array(sol[0..<n])
        holdFixedVariables()
        for r in 0..<m where isEquality[r] { y[r] = sol[n + r] }
        let v = stacked(x)
        s = (0..<constraintCount).map { h[$0] - sign[$0] * v[target[$0]] }
        z = s.map { -$0 }
        if constraintCount > 0 {
            let ap = -(s.min() ?? 0), ad = -(z.min() ?? 0)
            if ap >= 0 { for k in s.indices { s[k] += 1 + ap } }
            if ad >= 0 { for k in z.indices { z[k] += 1 + ad } }
        }
    }

    /// Sets the fixed variables to their value.
    mutating func holdFixedVariables() {
        for j in 0..<n where isFixed[j] { x[j] = sc.lb[j] }
    }

    /// Row multipliers `y` (equality rows: the free multiplier; others: `sum sigma_k z_k`)
    /// and bound multipliers `w` (a fixed variable's: `-(P x + q + A'y)_j`).
    func multipliers() -> (y: [Double], w: [Double]) {
        var acc = [Double](repeating: 0, count: n + m)
        for k in 0..<constraintCount { acc[target[k]] += sign[k] * z[k] }
        var yr = Array(acc[n...])
        for r in 0..<m where isEquality[r] { yr[r] = y[r] }
        var w = Array(acc[0..<n])
        if isFixed.contains(true) {
            let px = sc.P * Vector(x), aty = sc.A.transposedTimes(Vector(yr))
            for j in 0..<n where isFixed[j] { w[j] = -(px[j] + sc.q[j] + aty[j]) }
        }
        return (yr, w)
    }

    func dualResidual(_ yr: [Double], _ w: [Double]) -> (r: [Double], scale: Double) {
        var r = sc.P * Vector(x)
        let px = r.maxNorm
        let aty = sc.A.transposedTimes(Vector(yr))
        var out = [Double](repeating: 0, count: n)
        for j in 0..<n { out[j] = r[j] + sc.q[j] + aty[j] + w[j] }
        r = Vector(out)
        return (out, 1 + Swift.max(px, maxAbs(sc.q), aty.maxNorm, maxAbs(w)))
    }

    /// `(r_d, r_p, r_g)` and the relative residuals.
    func residualVectors() -> (rd: [Double], rp: [Double], rg: [Double], res: Residuals) {
        let (yr, w) = multipliers()
        let (rd, dscale) = dualResidual(yr, w)
        let v = stacked(x)
        var rp = [Double](repeating: 0, count: m)
        var pr = 0.0
        for r in 0..<m where isEquality[r] { rp[r] = v[n + r] - sc.l[r]; pr = Swift.max(pr, abs(rp[r])) }
        var rg = [Double](repeating: 0, count: constraintCount)
        var sz = 0.0
        for k in 0..<constraintCount {
            rg[k] = sign[k] * v[target[k]] + s[k] - h[k]
            pr = Swift.max(pr, abs(rg[k]))
            sz += s[k] * z[k]
        }
        let mu = constraintCount > 0 ? sz / Double(constraintCount) : 0
        let pscale = 1 + Swift.max(maxAbs(v), 0)
        let obj = 0.5 * sparseDot(x, (sc.P * Vector(x)).scalars) + sparseDot(sc.q, x)
        let res = Residuals(primal: pr / pscale, dual: maxAbs(rd) / dscale, gap: sz / (1 + abs(obj)), mu: mu)
        return (rd, rp, rg, res)
    }

    func residuals() -> Residuals { residualVectors().res }

    /// One Newton solve for the given complementarity right-hand side.
    func direction(_ solver: SparseQPRefinedSolver, w: [Double], omega: [Double],
                   rd: [Double], rp: [Double], rg: [Double], rc: [Double]) -> (dx: [Double], dy: [Double], ds: [Double], dz: [Double]) {
        let kc = constraintCount
        var vk = [Double](repeating: 0, count: kc)
        var tau = [Double](repeating: 0, count: n + m)
        for k in 0..<kc {
            vk[k] = rg[k] - rc[k] / z[k]
            tau[target[k]] += sign[k] * w[k] * vk[k]
        }
        var rhs = [Double](repeating: 0, count: n + m)
        for j in 0..<n { rhs[j] = -rd[j] - tau[j] }
        for r in 0..<m where !isFree[r] {
            rhs[n + r] = isEquality[r] ? -rp[r] : (omega[n + r] > 0 ? -tau[n + r] / omega[n + r] : 0)
        }
        let solved = solver.solve(rhs, steps: 3, tolerance: 1e-13)
        let sol = solved.x
        let dx = Array(sol[0..<n])
        var dy = [Double](repeating: 0, count: m), dyRows = [Double](repeating: 0, count: m)
        for r in 0..<m where !isFree[r] { dyRows[r] = sol[n + r]; if isEquality[r] { dy[r] = sol[n + r] } }
        let dv = stacked(dx)
        var dz = [Double](repeating: 0, count: kc), ds = dz
        // dz_k = w_k (sigma_k dv_t + v_k) cancels catastrophically where w_k is huge (an
        // active constraint, w ~ 1e16). There the total sum_{k on t} sigma_k dz_k is known
        // without cancellation: dy_r for a row, and -(r_d + P dx + A'dy)_j for a variable
        // (the x-row of the Newton system); the dominant constraint of each target takes
        // the total minus the others.
        var dominant = [Int](repeating: -1, count: n + m)
        for k in 0..<kc {
            dz[k] = w[k] * (sign[k] * dv[target[k]] + vk[k])
            let t = target[k]
            if dominant[t] < 0 || w[k] > w[dominant[t]] { dominant[t] = k }
        }
        let pdx = sc.P * Vector(dx), atdy = sc.A.transposedTimes(Vector(dyRows))
        var total = [Double](repeating: 0, count: n + m)
        for j in 0..<n { total[j] = -rd[j] - pdx[j] - atdy[j] }
        for r in 0..<m { total[n + r] = dyRows[r] }
        var others = [Double](repeating: 0, count: n + m)
        for k in 0..<kc where dominant[target[k]] != k { others[target[k]] += sign[k] * dz[k] }
        for k in 0..<kc { ds[k] = -(rc[k] + s[k] * dz[k]) / z[k] }
        // Where z_k > s_k (w_k > 1) take dz from the total and ds from the primal row
        // sigma_k dv_t + ds_k = -r_g,k (s_k ~ 0 there: no cancellation either).
        for t in 0..<(n + m) where dominant[t] >= 0 && w[dominant[t]] > 1 {
            let k = dominant[t]
            dz[k] = sign[k] * (total[t] - others[t])
            ds[k] = -(rc[k] + s[k] * dz[k]) / z[k]
        }
        return (dx, dy, ds, dz)
    }

    func stepLength(_ ds: [Double], _ dz: [Double]) -> Double {
        var a = 1.0
        for k in 0..<constraintCount {
            if ds[k] < 0 { a = Swift.min(a, -s[k] / ds[k]) }
            if dz[k] < 0 { a = Swift.min(a, -z[k] / dz[k]) }
        }
        return a
    }

    /// One predictor-corrector step.
    mutating func step() throws {
        let (rd, rp, rg, res) = residualVectors()
        let kc = constraintCount
        var w = [Double](repeating: 0, count: kc)
        var omega = [Double](repeating: 0, count: n + m)
        for k in 0..<kc { w[k] = z[k] / s[k]; omega[target[k]] += w[k] }
        let solver = try factor(omega: omega)
        let rcAff = (0..<kc).map { s[$0] * z[$0] }
        let aff = direction(solver, w: w, omega: omega, rd: rd, rp: rp, rg: rg, rc: rcAff)
        var dir = aff
        if kc > 0 {
            let alphaAff = stepLength(aff.ds, aff.dz)
            var muAff = 0.0
            for k in 0..<kc { muAff += (s[k] + alphaAff * aff.ds[k]) * (z[k] + alphaAff * aff.dz[k]) }
            muAff /= Double(kc)
            let sigma = res.mu > 0 ? Swift.min(1, Swift.max(0, pow3(muAff / res.mu))) : 0
            lastStep.sigma = sigma
            let rc = (0..<kc).map { rcAff[$0] + aff.ds[$0] * aff.dz[$0] - sigma * res.mu }
            dir = direction(solver, w: w, omega: omega, rd: rd, rp: rp, rg: rg, rc: rc)
        }
        let alpha = kc > 0 ? Swift.min(1, 0.99 * stepLength(dir.ds, dir.dz)) : 1
        lastStep.alpha = alpha
        for j in 0..<n { x[j] += alpha * dir.dx[j] }
        for r in 0..<m where isEquality[r] { y[r] += alpha * dir.dy[r] }
        for k in 0..<kc {
            s[k] = Swift.max(s[k] + alpha * dir.ds[k], 1e-300)
            z[k] = Swift.max(z[k] + alpha * dir.dz[k], 1e-300)
        }
        holdFixedVariables()
        iterations += 1
    }
}

func pow3(_ x: Double) -> Double { x * x * x }
func sparseDot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in 0..<a.count { s += a[i] * b[i] }
    return s
}

extension QPError {
    /// The same error with more context in its message (where the case carries one).
    func annotated(_ note: String) -> QPError {
        switch self {
        case let .infeasible(m): return .infeasible(m + "; " + note)
        case let .unbounded(m): return .unbounded(m + "; " + note)
        case let .nonConvex(m): return .nonConvex(m + "; " + note)
        default: return self
        }
    }
}
