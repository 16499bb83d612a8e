import ImplicitDiffCore
import Glibc
import _ImplicitDiffKernels

/// The sparse QP solver: Ruiz scaling, Mehrotra interior point on the quasi-definite
/// augmented system (``SparseQPInteriorPoint``), active-set identification and polish to
/// an exact KKT point, and an independent certificate. Not API.
///
/// 1. Scale (``SparseQPScaling``); one AMD ordering and symbolic LDL' of the KKT pattern.
/// 2. Iterate. Once the scaled relative residuals are below `1e-4` (or the tolerance),
///    read the active set off the iterate (side `k` of a row or bound is active when its
///    multiplier exceeds its slack, `z_k > s_k`) and *polish*: solve the reduced KKT
///    system on it (``SparseQPReducedKKT``, the same symbolic factorisation), set the bound
///    multipliers from stationarity `w_B = -(P z + q + A'y)_B`, and accept when the
///    certificate (``SparseQPResidual``, original data) has every relative residual below
///    the tolerance. Otherwise move the misclassified constraints (wrong-sign multipliers
///    out, violated constraints in; at most `max(10, (n + m)/10)` of them, three times) and
///    solve again; failing that, iterate on (each new candidate is polished once).
/// 3. The first interior-point iterate that passes the certificate is kept; the iteration
///    goes on (at most 8 more steps, polishing each new candidate) and the kept iterate is
///    returned if no polish verifies (``SparseQPSolution/polished`` is `false`).
/// 4. Infeasibility (a Farkas ray `(y, w)`: `A'y + w ~ 0` with negative support) and
///    unboundedness (a recession direction `d`: `P d ~ 0`, `A d`, `d` in the recession
///    cones of the rows and bounds, `q'd < 0`) are read off diverging iterates and
///    verified on the original data before they are reported.

struct SparseQPSolver {
    let problem: SparseQuadraticProgram
    let options: QPSolverOptions
    static let polishStart = 1e-4
    static let stallLimit = 15
    static let maxPolishes = 15
    /// Iterations after the first certified interior-point iterate, while polishing may still succeed.
    static let extraIterations = 8
    /// A polished candidate whose largest relative residual is within this factor of the
    /// tolerance is finished (``finish(_:kkt:sides:fixed:bx:by:)``) before it is judged.
    static let nearMiss = 100.0
    /// Misclassified constraints of a far-off polish are adjusted and the polish repeated
    /// only once the interior point's residual is below this.
    static let adjustBelow = 1e-6

    func solve() throws -> SparseQPSolution {
        try options.validate()
        let sc = SparseQPScaling(problem)
        var ipm = try SparseQPInteriorPoint(sc)
        let symbolic = ipm.ldl.symbolicOnly
        var tried = Set<SparseQPActiveSet>()
        var best = Double.infinity, stall = 0, polishes = 0
        // Kept iterates hold no numeric factor (`snapshot`): a kept factor would be copied
        // on the next refactorisation, and every copy of L is as large as the problem's fill.
        var bestIterate = (ipm: ipm.snapshot, residual: Double.infinity)
        var fallback: (ipm: SparseQPInteriorPoint, iteration: Int)? = nil
        let tol = options.tolerance
        while true {
            let r = ipm.residuals()
            SolverProgress.report("sparse qp interior point", iteration: ipm.iterations, residual: r.maximum,
                                  stage: "primal \(shortDescription(r.primal)), dual \(shortDescription(r.dual)), gap \(shortDescription(r.gap)), mu \(shortDescription(r.mu)), last step \(shortDescription(ipm.lastStep.alpha)), sigma \(shortDescription(ipm.lastStep.sigma))")
            try checkCertificates(ipm)
            if options.polish && r.maximum <= Swift.max(Self.polishStart, tol) && polishes < Self.maxPolishes {
                let candidate = self.candidate(ipm)
                if !tried.contains(candidate) {
                    tried.insert(candidate)
                    polishes += 1
                    // The polish factorises on the same pattern; the iterate's factor is not
                    // needed again (the next step refactorises), so its memory goes first.
                    ipm.releaseFactor()
                    if let s = try polish(candidate, sc: sc, matrix: ipm.kkt, symbolic: symbolic, ipm: ipm, iterateResidual: r.maximum) {
                        return s
                    }
                }
            }
            // A certified interior-point iterate is kept as the fallback, and the iteration
            // goes on for a few more steps: later iterates give sharper active sets, and a
            // polished point is exact where the iterate is only accurate to the tolerance.
            // Its solution (and the reduced factorisation it carries) is formed only if returned.
            if fallback == nil, r.maximum <= Swift.max(tol, 1e-9), certifiedResidual(ipm) != nil {
                fallback = (ipm.snapshot, ipm.iterations)
            }
            if let f = fallback, ipm.iterations >= f.iteration + Self.extraIterations || r.maximum <= 1e-15 {
                return try fallbackSolution(f.ipm, symbolic: symbolic)
            }
            if ipm.iterations >= options.maxIterations {
                if let f = fallback { return try fallbackSolution(f.ipm, symbolic: symbolic) }
                throw QPError.notConverged(iterations: ipm.iterations, residual: r.maximum)
            }
            if r.maximum < 0.9 * best { best = r.maximum; stall = 0 } else { stall += 1 }
            if r.maximum < bestIterate.residual { bestIterate = (ipm.snapshot, r.maximum) }
            // Late iterations can lose accuracy (barrier weights near 1e16 spoil the
            // solves): stop when the residual has grown 1000-fold over a best iterate below 1e-6,
            // and report the best one if it passes the certificate.
            let blowUp = bestIterate.residual <= 1e-6 && r.maximum > 1e3 * bestIterate.residual
            if stall >= Self.stallLimit || !r.maximum.isFinite || blowUp {
                if let f = fallback { return try fallbackSolution(f.ipm, symbolic: symbolic) }
                if let s = try interiorPointSolution(bestIterate.ipm, symbolic: symbolic) { return s }
                throw QPError.notConverged(iterations: ipm.iterations, residual: bestIterate.residual)
            }
            try ipm.step()
        }
    }

    /// Whether `residual` meets the options' relative (and, when set, absolute) tolerance.
    func accepts(_ residual: SparseQPResidual) -> Bool {
        options.accepts(relative: residual.maximum, absolute: residual.absoluteMaximumBeyondRounding)
    }

    /// A number in 3 significant digits for progress lines.
    func shortDescription(_ x: Double) -> String {
        x == 0 || !x.isFinite ? "\(x)" : cFormatted(x, "%.3g")
    }

    // MARK: active set

    /// The sides read off the iterate: side `k` is active when `z_k > s_k`.
    func candidate(_ ipm: SparseQPInteriorPoint) -> SparseQPActiveSet {
        let n = ipm.n, m = ipm.m
        var side = [SparseQPActiveSet.Side](repeating: .inactive, count: n + m)
        var strength = [Double](repeating: 0, count: n + m)
        for k in 0..<ipm.constraintCount where ipm.z[k] > ipm.s[k] && ipm.z[k] > strength[ipm.target[k]] {
            strength[ipm.target[k]] = ipm.z[k]
            side[ipm.target[k]] = ipm.sign[k] > 0 ? .upper : .lower
        }
        for r in 0..<m where ipm.isEquality[r] { side[n + r] = .equality }
        for j in 0..<n where ipm.isFixed[j] { side[j] = .equality }
        return SparseQPActiveSet(rows: Array(side[n...]), bounds: Array(side[0..<n]))
    }

    // MARK: polish

    func polish(_ start: SparseQPActiveSet, sc: SparseQPScaling, matrix: SparseQPKKTMatrix,
                symbolic: SparseSymmetricLDL, ipm: SparseQPInteriorPoint, iterateResidual: Double) throws -> SparseQPSolution? {
        let p = problem, n = p.variableCount, m = p.rowCount
        let iterations = ipm.iterations
        let (ys, ws) = ipm.multipliers()
        let guess = sc.unscale(z: ipm.x, y: ys, w: ws)
        var sides = start
        for round in 0..<4 {
            let free = sides.bounds.map { $0 == .inactive }
            let active = sides.rows.map { $0 != .inactive }
            guard let kkt = try? SparseQPReducedKKT(scaling: sc, matrix: matrix, symbolic: symbolic,
                                                    free: free, activeRows: active) else { return nil }
            var fixed = [Double](repeating: 0, count: n)
            for j in 0..<n {
                switch sides.bounds[j] {
                case .lower: fixed[j] = p.lb[j]
                case .upper, .equality: fixed[j] = p.ub[j]
                case .inactive: break
                }
            }
            let pf = p.P * Vector(fixed), af = p.A * Vector(fixed)
            var bx = [Double](repeating: 0, count: n), by = [Double](repeating: 0, count: m)
            for j in 0..<n where free[j] { bx[j] = -p.q[j] - pf[j] }
            for r in 0..<m {
                switch sides.rows[r] {
                case .lower: by[r] = p.l[r] - af[r]
                case .upper, .equality: by[r] = p.u[r] - af[r]
                case .inactive: break
                }
            }
            let sol = kkt.solve(bx: bx, by: by, near: (guess.z, guess.y), steps: 60)
            var candidate = point(x: sol.x, y: sol.y, free: free, fixed: fixed)
            if candidate.certificate.maximum > options.tolerance,
               candidate.certificate.maximum <= Self.nearMiss * options.tolerance {
                // A near miss on a settled active set is usually the reduced solve's rounding
                // spread over many rows (a duality gap summing y_i (A_i z - b_i) over 1e5
                // rows): the finish's steps on the original data remove it, and what they
                // return is certified again below like any candidate.
                let finished = finish(candidate, kkt: kkt, sides: sides, fixed: fixed, bx: bx, by: by)
                if finished.certificate.maximum <= options.tolerance { candidate = finished }
            }
            let residual = candidate.certificate
            SolverProgress.report("sparse qp polish", iteration: iterations, residual: residual.maximum,
                                  stage: "round \(round + 1): \(active.count { $0 }) active rows, \(free.count { !$0 }) fixed variables, \(kkt.regularizedPivotCount) regularised pivots, refinement residual \(sol.residual), certificate \(residual)")
            if residual.maximum <= options.tolerance {
                if Self.needsFinish(residual) || !accepts(residual) {
                    candidate = finish(candidate, kkt: kkt, sides: sides, fixed: fixed, bx: bx, by: by)
                }
                // An absolute tolerance the finished point still misses: the interior point
                // goes on (its iterates, or a later polish, may meet it).
                guard accepts(candidate.certificate) else { return nil }
                let (zv, yv, wv) = (candidate.z, candidate.y, candidate.w)
                let weak = weaklyActive(sides, z: zv, y: yv, w: wv)
                let set = SparseQPActiveSet(rows: sides.rows, bounds: sides.bounds,
                                            weaklyActiveRows: weak.rows, weaklyActiveBounds: weak.bounds)
                return SparseQPSolution(problem: p, z: zv, y: yv, w: wv, activeSet: set, iterations: iterations,
                                        polished: true, certificate: candidate.certificate, reducedKKT: kkt, scaling: sc,
                                        kktMatrix: matrix, symbolic: symbolic)
            }
            // An early polish (the iterate still far from optimal) whose candidate is far off
            // is not adjusted: each round is a factorisation, and the next iterate gives a
            // better active set for less (CONT-300: four rounds at 4.96e-5 freed two
            // variables each, 5.6 s; one more interior-point step, 1.3 s, freed eight).
            if iterateResidual > Self.adjustBelow && residual.maximum > 0.5 { return nil }
            let (zv, yv, wv) = (candidate.z, candidate.y, candidate.w)
            guard let moved = adjusted(sides, z: zv, y: yv, w: wv) else { return nil }
            sides = moved
        }
        return nil
    }

    /// The sides with misclassified constraints moved: wrong-sign multipliers become
    /// inactive, violated inactive constraints become active on the violated side. `nil`
    /// when nothing or too much would move.
    func adjusted(_ sides: SparseQPActiveSet, z: Vector, y: Vector, w: Vector) -> SparseQPActiveSet? {
        let p = problem, n = p.variableCount, m = p.rowCount
        let az = p.A * z
        let yScale = Swift.max(1, y.maxNorm, w.maxNorm) * 1e-10
        var rows = sides.rows, bounds = sides.bounds
        var moves = 0
        func move(_ s: SparseQPActiveSet.Side, value: Double, multiplier: Double, lo: Double, up: Double) -> SparseQPActiveSet.Side {
            switch s {
            case .upper where multiplier < -yScale: moves += 1; return .inactive
            case .lower where multiplier > yScale: moves += 1; return .inactive
            case .inactive:
                let tolUp = 1e-10 * (1 + abs(up)), tolLo = 1e-10 * (1 + abs(lo))
                if value > up + tolUp { moves += 1; return .upper }
                if value < lo - tolLo { moves += 1; return .lower }
                return s
            default: return s
            }
        }
        for r in 0..<m { rows[r] = move(rows[r], value: az[r], multiplier: y[r], lo: p.l[r], up: p.u[r]) }
        for j in 0..<n { bounds[j] = move(bounds[j], value: z[j], multiplier: w[j], lo: p.lb[j], up: p.ub[j]) }
        guard moves > 0, moves <= Swift.max(10, (n + m) / 10) else { return nil }
        return SparseQPActiveSet(rows: rows, bounds: bounds)
    }

    /// Weakly active constraints (see ``QPSolverOptions/weakActivityTolerance``): an
    /// active side whose multiplier `|y_i| ||A_i||` is below
    /// `max(tol max(1, largest multiplier), 1e4 eps max(1, ||q||, ||P z||))`, or an inactive
    /// one whose slack is below `tol ||A_i|| max(1, ||z||)` (bounds: row norm 1).
    func weaklyActive(_ sides: SparseQPActiveSet, z: Vector, y: Vector, w: Vector) -> (rows: [Int], bounds: [Int]) {
        let p = problem, n = p.variableCount, m = p.rowCount
        let tol = options.weakActivityTolerance
        let norms = p.A.rowMaxNorms, az = p.A * z
        var largest = w.maxNorm
        for r in 0..<m { largest = Swift.max(largest, abs(y[r]) * norms[r]) }
        let floor = 1e4 * Double.ulpOfOne * Swift.max(1, p.q.maxNorm, (p.P * z).maxNorm)
        let muThreshold = Swift.max(tol * Swift.max(1, largest), floor)
        let slackScale = tol * Swift.max(1, z.maxNorm)
        var weakRows = [Int](), weakBounds = [Int]()
        for r in 0..<m {
            switch sides.rows[r] {
            case .equality: continue
            case .upper, .lower: if abs(y[r]) * norms[r] <= muThreshold { weakRows.append(r) }
            case .inactive:
                let slack = Swift.min(p.u[r] - az[r], az[r] - p.l[r])
                if slack <= slackScale * Swift.max(norms[r], Double.leastNormalMagnitude) { weakRows.append(r) }
            }
        }
        for j in 0..<n {
            switch sides.bounds[j] {
            case .equality: continue
            case .upper, .lower: if abs(w[j]) <= muThreshold { weakBounds.append(j) }
            case .inactive:
                if Swift.min(p.ub[j] - z[j], z[j] - p.lb[j]) <= slackScale { weakBounds.append(j) }
            }
        }
        return (weakRows, weakBounds)
    }

    // MARK: interior-point solution

    func interiorPointSolution(_ ipm: SparseQPInteriorPoint, symbolic: SparseSymmetricLDL) throws -> SparseQPSolution? {
        guard let (z, y, w, residual) = certifiedResidual(ipm) else { return nil }
        let sc = ipm.sc
        let sides = candidate(ipm)
        let kkt = try? SparseQPReducedKKT(scaling: sc, matrix: ipm.kkt, symbolic: symbolic,
                                          free: sides.bounds.map { $0 == .inactive },
                                          activeRows: sides.rows.map { $0 != .inactive })
        let weak = weaklyActive(sides, z: z, y: y, w: w)
        let set = SparseQPActiveSet(rows: sides.rows, bounds: sides.bounds,
                                    weaklyActiveRows: weak.rows, weaklyActiveBounds: weak.bounds)
        return SparseQPSolution(problem: problem, z: z, y: y, w: w, activeSet: set, iterations: ipm.iterations,
                                polished: false, certificate: residual, reducedKKT: kkt, scaling: sc,
                                kktMatrix: ipm.kkt, symbolic: symbolic)
    }

    /// The iterate's unscaled point and its certificate on the original data, when every
    /// relative residual is below the tolerance.
    func certifiedResidual(_ ipm: SparseQPInteriorPoint) -> (z: Vector, y: Vector, w: Vector, residual: SparseQPResidual)? {
        let (ys, ws) = ipm.multipliers()
        let u = ipm.sc.unscale(z: ipm.x, y: ys, w: ws)
        let z = Vector(u.z), y = Vector(u.y), w = Vector(u.w)
        let residual = SparseQPResidual(problem: problem, z: z, y: y, w: w)
        guard accepts(residual) else { return nil }
        return (z, y, w, residual)
    }

    /// The kept certified iterate as the answer (it was certified when kept; the same
    /// numbers give the same certificate).
    func fallbackSolution(_ ipm: SparseQPInteriorPoint, symbolic: SparseSymmetricLDL) throws -> SparseQPSolution {
        guard let s = try interiorPointSolution(ipm, symbolic: symbolic) else {
            throw QPError.notConverged(iterations: ipm.iterations, residual: ipm.residuals().maximum)
        }
        return s
    }

    // MARK: infeasibility and unboundedness

    /// Throws ``QPError/infeasible(_:)`` or ``QPError/unbounded(_:)`` when the iterate
    /// holds a certificate that verifies on the original data:
    /// * Farkas: `(y, w)` (the unscaled multipliers, normalised to `||(y, w)||_inf = 1`) with
    ///   `||A'y + w||_inf <= 1e-9 (1 + ||A||_max)` and support
    ///   `u'y+ - l'y- + ub'w+ - lb'w- <= -1e-6`: then `0 = (A'y + w)'z ~ y'Az + w'z` and
    ///   `y'Az + w'z <= support < 0` for every feasible `z`, a contradiction;
    /// * recession direction `d` (`||d||_inf = 1`): `||P d|| <= 1e-9 (1 + ||P||_max)`,
    ///   `q'd <= -1e-6 (1 + ||q||)`, and `A_i d`, `d_j` in the recession cones of the rows and
    ///   bounds (`<= 1e-9 (1 + ||A||_max)` where the side is finite).
    func checkCertificates(_ ipm: SparseQPInteriorPoint) throws {
        let p = problem, n = p.variableCount, m = p.rowCount
        let sc = ipm.sc
        let (ys, ws) = ipm.multipliers()
        let yMax = Swift.max(maxAbs(ys), maxAbs(ws))
        if yMax > 1e8 {
            var y = (0..<m).map { ys[$0] * sc.E[$0] }, w = (0..<n).map { ws[$0] / sc.D[$0] }
            let scale = Swift.max(maxAbs(y), maxAbs(w))
            if scale > 0 {
                for r in 0..<m { y[r] /= scale }
                for j in 0..<n { w[j] /= scale }
                let aty = p.A.transposedTimes(Vector(y))
                var res = 0.0
                for j in 0..<n { res = Swift.max(res, abs(aty[j] + w[j])) }
                var support = 0.0, valid = true
                func add(_ v: Double, _ lo: Double, _ up: Double) {
                    if v > 0 { if up.isFinite { support += up * v } else if v > 1e-9 { valid = false } }
                    if v < 0 { if lo.isFinite { support += lo * v } else if v < -1e-9 { valid = false } }
                }
                for r in 0..<m { add(y[r], p.l[r], p.u[r]) }
                for j in 0..<n { add(w[j], p.lb[j], p.ub[j]) }
                if valid && res <= 1e-9 * (1 + p.A.maxNorm) && support <= -1e-6 {
                    throw QPError.infeasible("Farkas certificate: multipliers (y, w) with ||A'y + w||_inf = \(res) and support u'y+ - l'y- + ub'w+ - lb'w- = \(support) < 0")
                }
            }
        }
        let xMax = maxAbs(ipm.x)
        if xMax > 1e8 {
            var d = (0..<n).map { ipm.x[$0] * sc.D[$0] }
            let scale = maxAbs(d)
            guard scale > 0 else { return }
            for j in 0..<n { d[j] /= scale }
            let dv = Vector(d)
            let pd = (p.P * dv).maxNorm, slope = p.q.dot(dv)
            let ad = p.A * dv
            let tolA = 1e-9 * (1 + p.A.maxNorm)
            guard pd <= 1e-9 * (1 + p.P.maxNorm), slope <= -1e-6 * (1 + p.q.maxNorm) else { return }
            for r in 0..<m {
                if p.u[r].isFinite && ad[r] > tolA { return }
                if p.l[r].isFinite && ad[r] < -tolA { return }
            }
            for j in 0..<n {
                if p.ub[j].isFinite && d[j] > 1e-9 { return }
                if p.lb[j].isFinite && d[j] < -1e-9 { return }
            }
            throw QPError.unbounded("recession direction d (||d||_inf = 1) with q'd = \(slope) < 0, ||P d||_inf = \(pd), A d and d within the recession cones of the rows and bounds")
        }
    }
}
