import ImplicitDiffCore

/// The finish of a verified polish: the same active set, a point whose *absolute* residuals
/// are smaller. Not API.
///
/// A polished point solves the reduced KKT system on the active set (free variables `F`,
/// fixed ones `B` at their bounds `g_B`, active rows `a` at their binding sides `g_a`)
/// ```
/// (P z + q + A'y)_F = 0,   A_a z = g_a,   z_B = g_B,   w_B = -(P z + q + A'y)_B
/// ```
/// to a small *relative* residual, which is what the certificate asks. Two things can
/// leave its absolute residuals large on badly scaled data:
/// * the solve is done on the Ruiz-scaled system; undoing the scaling multiplies its
///   rounding by the scale factors. One step of iterative refinement on the original
///   data removes that: `r = [-(P z + q + A'y)_F; g_a - A_a z]`, `K [dz_F; dy_a] = r`,
///   `z_F += dz_F`, `y_a += dy_a`;
/// * when the active rows are dependent, the multipliers are not unique, and the polish,
///   refined from the interior point's iterate, lands near its multipliers, which can be
///   huge (`1e7`-`1e10` along a direction such as `y_i = t, w_j = -t` for a row and a bound
///   that fix the same variable). The duality gap
///   `z'P z + q'z + u'y+ - l'y- + ub'w+ - lb'w-` is then a difference of huge terms and its
///   rounding alone exceeds the absolute target. The plain refined solve (started from 0)
///   converges to the multipliers of least (scaled, regularisation-weighted) norm instead.
///
/// Every candidate (the polished point, one and two refinement steps from it, the
/// least-norm point and one step from it) is certified on the original data (``SparseQPResidual``); the one with the
/// smallest absolute residual among those whose relative residuals pass the tolerance is
/// kept, a replacement needing a clear (tenfold) improvement. The finish runs only when
/// the polished point misses ``absoluteGoal`` other than by summation noise (``needsFinish(_:)``).
extension SparseQPSolver {
    /// A candidate point on the active set with its certificate.
    struct PolishedPoint {
        var z: Vector
        var y: Vector
        var w: Vector
        var certificate: SparseQPResidual
    }

    /// The absolute residual level (primal, dual, gap) below which the finish is not tried:
    /// qpbenchmark's high accuracy.
    static let absoluteGoal = 1e-9
    /// Refinement passes of each solve of the finish (a nonsingular reduced system needs
    /// two; more only spend time on a singular one).
    static let finishSteps = 4

    /// Whether a certified point is worth finishing: its primal or dual residual (or a
    /// multiplier on an infinite side) exceeds ``absoluteGoal``, or its duality gap does while
    /// not at the rounding level of its own terms (relative gap above `100 eps`: below that
    /// the gap is the summation's noise, which no other point on the active set removes).
    static func needsFinish(_ c: SparseQPResidual) -> Bool {
        Swift.max(c.primal, c.dual, c.dualSign) > absoluteGoal
            || (c.gap > absoluteGoal && c.relativeGap > 100 * Double.ulpOfOne)
    }

    /// A candidate replaces the best one only when its absolute residual is at most this
    /// fraction of the best's: near the rounding level of the gap (a difference of terms of
    /// size `|z'P z|`, `|q'z|`, `|u'y|`, ...), smaller differences are noise of the summation,
    /// not a better point.
    static let clearImprovement = 0.1

    /// The point of a reduced-KKT solution `(x_F, y_a)`: `z_B = g_B`, `w_B` from stationarity.
    func point(x: [Double], y: [Double], free: [Bool], fixed: [Double]) -> PolishedPoint {
        let p = problem, n = p.variableCount
        var z = x
        for j in 0..<n where !free[j] { z[j] = fixed[j] }
        let zv = Vector(z), yv = Vector(y)
        let t = p.P * zv + p.q + p.A.transposedTimes(yv)
        var w = [Double](repeating: 0, count: n)
        for j in 0..<n where !free[j] { w[j] = -t[j] }
        let wv = Vector(w)
        return PolishedPoint(z: zv, y: yv, w: wv, certificate: SparseQPResidual(problem: p, z: zv, y: yv, w: wv))
    }

    /// One refinement step of `c` on the original data (see the type's discussion).
    func refined(_ c: PolishedPoint, kkt: SparseQPReducedKKT, sides: SparseQPActiveSet, fixed: [Double]) -> PolishedPoint {
        let p = problem, n = p.variableCount, m = p.rowCount
        let free = kkt.free
        let t = p.P * c.z + p.q + p.A.transposedTimes(c.y), az = p.A * c.z
        var rx = [Double](repeating: 0, count: n), ry = [Double](repeating: 0, count: m)
        for j in 0..<n where free[j] { rx[j] = -t[j] }
        for r in 0..<m {
            switch sides.rows[r] {
            case .lower: ry[r] = p.l[r] - az[r]
            case .upper, .equality: ry[r] = p.u[r] - az[r]
            case .inactive: break
            }
        }
        let d = kkt.solve(bx: rx, by: ry, steps: Self.finishSteps)
        var x = c.z.scalars, y = c.y.scalars
        for j in 0..<n where free[j] { x[j] += d.x[j] }
        for r in 0..<m where kkt.activeRows[r] { y[r] += d.y[r] }
        return point(x: x, y: y, free: free, fixed: fixed)
    }

    /// The verified candidate with the smallest absolute residual (see the type's discussion),
    /// starting from the verified polished point `start` of the system `K [x; y] = [bx; by]`.
    func finish(_ start: PolishedPoint, kkt: SparseQPReducedKKT, sides: SparseQPActiveSet, fixed: [Double],
                bx: [Double], by: [Double]) -> PolishedPoint {
        var best = start
        func consider(_ c: PolishedPoint) {
            if c.certificate.maximum <= options.tolerance
                && c.certificate.absoluteMaximum <= Self.clearImprovement * best.certificate.absoluteMaximum {
                best = c
            }
        }
        let once = refined(start, kkt: kkt, sides: sides, fixed: fixed)
        consider(once)
        if best.certificate.absoluteMaximum <= Self.absoluteGoal { return best }
        consider(refined(once, kkt: kkt, sides: sides, fixed: fixed))
        if best.certificate.absoluteMaximum <= Self.absoluteGoal { return best }
        let plain = kkt.solve(bx: bx, by: by, steps: Self.finishSteps)
        let least = point(x: plain.x, y: plain.y, free: kkt.free, fixed: fixed)
        consider(least)
        if best.certificate.absoluteMaximum <= Self.absoluteGoal { return best }
        consider(refined(least, kkt: kkt, sides: sides, fixed: fixed))
        return best
    }
}
