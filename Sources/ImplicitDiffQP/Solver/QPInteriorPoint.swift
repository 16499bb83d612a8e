import Glibc
import _ImplicitDiffKernels

/// Mehrotra's predictor-corrector primal-dual interior point method on a
/// ``QPScaledProblem``, with slacks `s = h - G z >= 0`:
/// ```
/// r_d = Q z + q + A'lambda + G'mu,   r_e = A z - b,   r_i = G z + s - h,   s o mu = sigma tau e
/// ```
/// Each iteration factorises one ``QPNewtonSystem`` and solves it twice (affine predictor
/// and centring corrector, `sigma = (tau_aff / tau)^3`), with one common step length
/// (the primal and dual iterates are coupled through `Q`). Not API.
///
/// Infeasibility and unboundedness are detected by certificates read off the iterates
/// (after normalisation), as in OSQP:
/// * primal infeasible: `y = (lambda, mu)` with `||A'lambda + G'mu|| <= eps ||y||`,
///   `b'lambda + h'mu < -eps ||y||` (Farkas);
/// * unbounded: `d` with `||Q d||, ||A d||, max(G d)_+ <= eps ||d||` and `q'd < -eps ||d||`;
/// tested on the iterates and on the last step, only while the corresponding residual
/// (primal resp. dual) has not converged, and verified on the original data by the
/// solver before they are reported.
struct QPInteriorPoint {
    let sp: QPScaledProblem
    var z: [Double]
    var lambda: [Double]
    var mu: [Double]
    var s: [Double]
    var iterations = 0
    var system: QPNewtonSystem
    /// The last step (for the certificates).
    var lastStep: (dz: [Double], dl: [Double], dmu: [Double])?
    /// `mu` and `s` before the last step (for ``tapiaCandidate``).
    var previous: (mu: [Double], s: [Double])?

    /// Relative residuals of the current iterate.
    struct Residuals {
        var dual: Double
        var primal: Double
        var gap: Double
        var maximum: Double { Swift.max(dual, primal, gap) }
    }

    /// Threshold of the infeasibility / unboundedness certificates.
    static let certificateTolerance = 1e-9

    init(_ sp: QPScaledProblem) throws {
        let n = sp.n, m = sp.m
        var system = QPNewtonSystem(n: n, p: sp.p, m: m)
        // Initial point (as in CVXOPT's coneqp): the solution with unit weights,
        // [Q + G'G, A'; A, 0] [z; lambda] = [-q + G'h; b], s = h - G z, mu = -s, then
        // both shifted into the interior.
        guard system.factor(sp, weights: [Double](repeating: 1, count: m)) else {
            throw QPError.notConverged(iterations: 0, residual: .nan)
        }
        var r1 = sp.q.map { -$0 }
        if m > 0 { BLAS.gemv(sp.G, rows: m, columns: n, sp.h, into: &r1, transposed: true, beta: 1) }
        let (z0, l0) = system.solve(sp, r1, sp.b)
        var s0 = sp.h
        if m > 0 { BLAS.gemv(sp.G, rows: m, columns: n, z0, into: &s0, alpha: -1, beta: 1) }
        var mu0 = s0.map { -$0 }
        let ap = -(s0.min() ?? 1)
        if ap >= -1e-8 { for i in 0..<m { s0[i] += 1 + ap } }
        let ad = -(mu0.min() ?? 1)
        if ad >= -1e-8 { for i in 0..<m { mu0[i] += 1 + ad } }
        // Stored properties are assigned only past the last `throw`.
        self.sp = sp
        self.system = system
        z = z0
        lambda = l0
        s = s0
        mu = mu0
    }

    // MARK: residuals

    func dualResidual() -> (r: [Double], scale: Double) {
        let n = sp.n
        let qz = BLAS.gemv(sp.Q, rows: n, columns: n, z)
        let at = sp.p > 0 ? BLAS.gemv(sp.A, rows: sp.p, columns: n, lambda, transposed: true) : [Double](repeating: 0, count: n)
        let gt = sp.m > 0 ? BLAS.gemv(sp.G, rows: sp.m, columns: n, mu, transposed: true) : [Double](repeating: 0, count: n)
        var r = [Double](repeating: 0, count: n)
        for i in 0..<n { r[i] = qz[i] + sp.q[i] + at[i] + gt[i] }
        return (r, Swift.max(maxAbs(qz), maxAbs(sp.q), maxAbs(at), maxAbs(gt)))
    }

    func primalResiduals() -> (re: [Double], ri: [Double], scale: Double) {
        let n = sp.n
        var re = [Double](), ri = [Double]()
        var scale = 0.0
        if sp.p > 0 {
            let az = BLAS.gemv(sp.A, rows: sp.p, columns: n, z)
            re = zip(az, sp.b).map { $0 - $1 }
            scale = Swift.max(scale, maxAbs(az), maxAbs(sp.b))
        }
        if sp.m > 0 {
            let gz = BLAS.gemv(sp.G, rows: sp.m, columns: n, z)
            ri = (0..<sp.m).map { gz[$0] + s[$0] - sp.h[$0] }
            scale = Swift.max(scale, maxAbs(gz), maxAbs(sp.h))
        }
        return (re, ri, scale)
    }

    func residuals() -> Residuals {
        let (rd, ds) = dualResidual()
        let (re, ri, ps) = primalResiduals()
        var gap = 0.0
        if sp.m > 0 {
            var sm = 0.0
            for i in 0..<sp.m { sm += s[i] * mu[i] }
            let qz = BLAS.gemv(sp.Q, rows: sp.n, columns: sp.n, z)
            var zqz = 0.0, qtz = 0.0
            for i in 0..<sp.n { zqz += z[i] * qz[i]; qtz += sp.q[i] * z[i] }
            gap = (sm / Double(sp.m)) / (1 + Swift.max(abs(0.5 * zqz), abs(qtz)))
        }
        return Residuals(dual: maxAbs(rd) / (1 + ds),
                         primal: Swift.max(maxAbs(re), maxAbs(ri)) / (1 + ps),
                         gap: gap)
    }

    /// A certificate read off the iterates (scaled problem), to be verified on the
    /// original data before it is reported (``QPSolver/verify(_:)``).
    enum Certificate {
        /// Farkas multipliers of the scaled rows in use (`lambda^`, `mu^ >= 0`).
        case infeasible(lambda: [Double], mu: [Double], why: String)
        /// A recession direction (`z` is not scaled).
        case unbounded(direction: [Double], why: String)
    }

    /// A certificate of infeasibility or unboundedness when the iterates (or the last
    /// step) give one.
    func certificate(_ r: Residuals, tolerance: Double) -> Certificate? {
        let eps = Self.certificateTolerance
        if r.primal > tolerance {
            var candidates: [([Double], [Double])] = [(lambda, mu)]
            if let st = lastStep { candidates.append((st.dl, st.dmu)) }
            for (l, u) in candidates where u.allSatisfy({ $0 >= 0 }) || u.isEmpty {
                if let why = primalInfeasibilityCertificate(l, u, eps) { return .infeasible(lambda: l, mu: u, why: why) }
            }
        }
        if r.dual > tolerance {
            var candidates: [[Double]] = [z]
            if let st = lastStep { candidates.append(st.dz) }
            for d in candidates {
                if let why = unboundednessCertificate(d, eps) { return .unbounded(direction: d, why: why) }
            }
        }
        return nil
    }

    func primalInfeasibilityCertificate(_ l: [Double], _ u: [Double], _ eps: Double) -> String? {
        let norm = Swift.max(maxAbs(l), maxAbs(u))
        guard norm > 0, norm.isFinite else { return nil }
        let ln = l.map { $0 / norm }, un = u.map { $0 / norm }
        var v = [Double](repeating: 0, count: sp.n)
        if sp.p > 0 { BLAS.gemv(sp.A, rows: sp.p, columns: sp.n, ln, into: &v, transposed: true, beta: 1) }
        if sp.m > 0 { BLAS.gemv(sp.G, rows: sp.m, columns: sp.n, un, into: &v, transposed: true, beta: 1) }
        var bound = 0.0
        for i in 0..<sp.p { bound += sp.b[i] * ln[i] }
        for i in 0..<sp.m { bound += sp.h[i] * un[i] }
        guard maxAbs(v) <= eps, bound < -eps, un.allSatisfy({ $0 >= -eps }) else { return nil }
        return "a Farkas certificate (lambda, mu >= 0) with A'lambda + G'mu ~ 0 (\(maxAbs(v))) and b'lambda + h'mu = \(bound) < 0 (normalised) shows that A z = b, G z <= h has no solution"
    }

    func unboundednessCertificate(_ d: [Double], _ eps: Double) -> String? {
        let norm = maxAbs(d)
        guard norm > 0, norm.isFinite else { return nil }
        let dn = d.map { $0 / norm }
        let qd = BLAS.gemv(sp.Q, rows: sp.n, columns: sp.n, dn)
        guard maxAbs(qd) <= eps else { return nil }
        var slope = 0.0
        for i in 0..<sp.n { slope += sp.q[i] * dn[i] }
        guard slope < -eps else { return nil }
        if sp.p > 0 { guard maxAbs(BLAS.gemv(sp.A, rows: sp.p, columns: sp.n, dn)) <= eps else { return nil } }
        if sp.m > 0 { guard (BLAS.gemv(sp.G, rows: sp.m, columns: sp.n, dn).max() ?? 0) <= eps else { return nil } }
        return "a direction d with Q d ~ 0, A d ~ 0, G d <= 0 and q'd < 0 (normalised slope \(slope)) along which the objective decreases without bound"
    }

    // MARK: iteration

    /// One Mehrotra predictor-corrector step.
    mutating func step() throws {
        let n = sp.n, p = sp.p, m = sp.m
        iterations += 1
        let (rd, _) = dualResidual()
        let (re, ri, _) = primalResiduals()
        var weights = [Double](repeating: 0, count: m)
        for i in 0..<m { weights[i] = mu[i] / s[i] }
        guard system.factor(sp, weights: weights) else {
            throw QPError.notConverged(iterations: iterations, residual: .nan)
        }
        let tau = m > 0 ? zip(s, mu).reduce(0) { $0 + $1.0 * $1.1 } / Double(m) : 0

        func direction(_ rc: [Double]) -> (dz: [Double], dl: [Double], dmu: [Double], ds: [Double]) {
            // w = d o r_i - r_c / s;  [H A'; A 0][dz; dl] = [-r_d - G'w; -r_e]
            var w = [Double](repeating: 0, count: m)
            for i in 0..<m { w[i] = weights[i] * ri[i] - rc[i] / s[i] }
            var r1 = rd.map { -$0 }
            if m > 0 { BLAS.gemv(sp.G, rows: m, columns: n, w, into: &r1, transposed: true, alpha: -1, beta: 1) }
            let r2 = re.map { -$0 }
            let (dz, dl) = system.solve(sp, r1, r2)
            var dmu = [Double](repeating: 0, count: m), ds = [Double](repeating: 0, count: m)
            if m > 0 {
                let gdz = BLAS.gemv(sp.G, rows: m, columns: n, dz)
                for i in 0..<m {
                    dmu[i] = weights[i] * gdz[i] + w[i]
                    ds[i] = -ri[i] - gdz[i]
                }
            }
            return (dz, dl, dmu, ds)
        }

        func maxStep(_ ds: [Double], _ dmu: [Double]) -> Double {
            var a = 1.0
            for i in 0..<m {
                if ds[i] < 0 { a = Swift.min(a, -s[i] / ds[i]) }
                if dmu[i] < 0 { a = Swift.min(a, -mu[i] / dmu[i]) }
            }
            return a
        }

        var dir: (dz: [Double], dl: [Double], dmu: [Double], ds: [Double])
        var alpha = 1.0
        if m == 0 {
            dir = direction([])
        } else {
            let rcAff = (0..<m).map { s[$0] * mu[$0] }
            let aff = direction(rcAff)
            let aAff = maxStep(aff.ds, aff.dmu)
            var tauAff = 0.0
            for i in 0..<m { tauAff += (s[i] + aAff * aff.ds[i]) * (mu[i] + aAff * aff.dmu[i]) }
            tauAff /= Double(m)
            let sigma = tau > 0 ? Swift.min(1, Swift.max(0, pow(tauAff / tau, 3))) : 0
            let rc = (0..<m).map { s[$0] * mu[$0] + aff.ds[$0] * aff.dmu[$0] - sigma * tau }
            dir = direction(rc)
            alpha = Swift.min(1, 0.99 * maxStep(dir.ds, dir.dmu))
        }
        previous = (mu, s)
        for i in 0..<n { z[i] += alpha * dir.dz[i] }
        for i in 0..<p { lambda[i] += alpha * dir.dl[i] }
        for i in 0..<m {
            mu[i] += alpha * dir.dmu[i]
            s[i] += alpha * dir.ds[i]
            // Guard against rounding to zero or below.
            if !(s[i] > 0) { s[i] = Double.leastNormalMagnitude }
            if !(mu[i] > 0) { mu[i] = Double.leastNormalMagnitude }
        }
        lastStep = (dir.dz, dir.dl, dir.dmu)
        guard z.allSatisfy({ $0.isFinite }), lambda.allSatisfy({ $0.isFinite }), mu.allSatisfy({ $0.isFinite }) else {
            throw QPError.notConverged(iterations: iterations, residual: .nan)
        }
    }

    /// Inequalities (original indices) the iterate classifies as active: `mu_i > s_i`.
    var activeCandidate: [Int] {
        (0..<sp.m).filter { mu[$0] > s[$0] }.map { sp.inequalityRows[$0] }
    }

    /// Inequalities (original indices) that the Tapia indicators classify as active:
    /// over the last step the slack shrank by a larger factor than the multiplier,
    /// `s_i+ / s_i < mu_i+ / mu_i` (El-Bakry, Tapia & Zhang 1994). Unlike `mu_i > s_i`
    /// this is invariant to the scales of the objective and of the constraints: with an
    /// ill-conditioned `Q` (large `max |Q_ij|`, so a small objective scale) the scaled
    /// multipliers of active rows are tiny and `mu_i > s_i` only holds once the slacks
    /// are smaller still. `nil` before the first step.
    var tapiaCandidate: [Int]? {
        guard let previous else { return nil }
        return (0..<sp.m).filter { s[$0] * previous.mu[$0] < mu[$0] * previous.s[$0] }.map { sp.inequalityRows[$0] }
    }
}
