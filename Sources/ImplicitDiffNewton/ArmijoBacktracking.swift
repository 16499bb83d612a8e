import Glibc

/// Backtracking line search on the merit function `f(y) = 1/2 ||W F(y)||^2` for fixed
/// positive weights `W = diag(w)` (identity when `w` is empty). Not API.
///
/// Accepts the first `t` (starting from 1) with
/// ```
/// f(y + t d) <= f(y) + c t slope,      slope = f'(y; d) < 0
/// ```
/// and otherwise replaces `t` by the minimiser of the quadratic through `f(0)`, `f'(0)`
/// and `f(t)`, kept in `[0.1 t, 0.5 t]` (`0.1 t` when `F(y + t d)` is not finite).
struct ArmijoBacktracking {
    let sufficientDecrease: Double
    let maxBacktracks: Int

    struct Step<Extra> {
        var y: Vector
        var residual: Vector
        var length: Double
        var backtracks: Int
        /// What the evaluation returned besides `F` at the accepted point (Newton: the
        /// Jacobian, when the system computes it with the residual).
        var extra: Extra
    }

    /// The accepted step, or `nil` when no step length up to `maxBacktracks` reductions
    /// (or until `t d` no longer changes `y`) gives sufficient decrease.
    func search(from y: Vector, direction d: Vector, merit f0: Double, slope: Double, weights w: Vector,
                residual: (Vector) -> Vector) -> Step<Void>? {
        search(from: y, direction: d, merit: f0, slope: slope, weights: w) { (residual($0), ()) }
    }

    /// ``search(from:direction:merit:slope:weights:residual:)`` with an evaluation that also
    /// returns `extra` at each trial point; the accepted point's `extra` is returned.
    /// `yNorm`, `dNorm`: the max norms of `y` and `d`, when the caller has them.
    func search<Extra>(from y: Vector, direction d: Vector, merit f0: Double, slope: Double, weights w: Vector,
                       yNorm: Double? = nil, dNorm: Double? = nil,
                       evaluate: (Vector) -> (residual: Vector, extra: Extra)) -> Step<Extra>? {
        let dNorm = dNorm ?? d.fastMaxNorm
        let yNorm = yNorm ?? y.fastMaxNorm
        var t = 1.0
        var backtracks = 0
        while true {
            var trial = y
            trial.add(d, scaledBy: t)
            let (r, extra) = evaluate(trial)
            // NaN or infinity in r propagates into the merit (the weights are positive and
            // finite), so a finite merit certifies a finite residual.
            let ft = Self.merit(r, weights: w)
            if ft.isFinite, ft <= f0 + sufficientDecrease * t * slope {
                return Step(y: trial, residual: r, length: t, backtracks: backtracks, extra: extra)
            }
            guard backtracks < maxBacktracks else { return nil }
            var next = 0.1 * t
            if ft.isFinite {
                let curvature = ft - f0 - slope * t
                if curvature > 0 { next = -slope * t * t / (2 * curvature) }
                next = Swift.min(Swift.max(next, 0.1 * t), 0.5 * t)
            }
            t = next
            backtracks += 1
            // The step no longer moves y: stop.
            if t * dNorm <= Double.ulpOfOne * yNorm { return nil }
        }
    }
}

extension ArmijoBacktracking {
    /// `1/2 ||W r||^2` (`1/2 ||r||^2` when `w` is empty) without a temporary, in four
    /// independent partial sums.
    static func merit(_ r: Vector, weights w: Vector) -> Double {
        let n = r.count
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        r.scalars.withUnsafeBufferPointer { r in
            if w.scalars.isEmpty {
                var i = 0
                while i + 4 <= n {
                    s0 += r[i] * r[i]; s1 += r[i + 1] * r[i + 1]; s2 += r[i + 2] * r[i + 2]; s3 += r[i + 3] * r[i + 3]
                    i += 4
                }
                while i < n { s0 += r[i] * r[i]; i += 1 }
            } else {
                w.scalars.withUnsafeBufferPointer { w in
                    var i = 0
                    while i + 4 <= n {
                        let v0 = w[i] * r[i], v1 = w[i + 1] * r[i + 1], v2 = w[i + 2] * r[i + 2], v3 = w[i + 3] * r[i + 3]
                        s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3
                        i += 4
                    }
                    while i < n { let v = w[i] * r[i]; s0 += v * v; i += 1 }
                }
            }
        }
        return 0.5 * ((s0 + s1) + (s2 + s3))
    }

    /// Dennis and Schnabel's scaled gradient of the merit `f = 1/2 ||F||^2` (`F` already
    /// weighted by the caller) at `y`, `max_i |g_i| max(|y_i|, 1) / max(f, tiny)` with `g`
    /// its gradient: near zero at a local minimum of `||F||`, large when `F` is noise.
    static func relativeGradient(_ g: Vector, y: Vector, residual f: Vector) -> Double {
        let merit = Swift.max(0.5 * f.squaredNorm(), Double.leastNormalMagnitude)
        var worst = 0.0
        for i in 0..<Swift.min(g.count, y.count) { worst = Swift.max(worst, abs(g[i]) * Swift.max(abs(y[i]), 1)) }
        return worst / merit
    }

    /// Below this relative gradient a stalled line search is a local minimum of `||F||`.
    static let localMinimumThreshold = Glibc.cbrt(Double.ulpOfOne)

    /// Below this reciprocal condition number a stalled line search is blamed on `A`.
    static let illConditionedThreshold = Double.ulpOfOne.squareRoot()

    /// The error for a failed line search at iterate `k`: ``NewtonError/singularJacobian``
    /// when `A` is nearly singular (reciprocal condition below `sqrt(ulp)`: the Newton
    /// direction is dominated by a near-null vector), ``NewtonError/localMinimum`` when
    /// the gradient `A'F` vanishes, ``NewtonError/stagnation`` otherwise.
    ///
    /// At the iteration cap (`atIterationLimit`) the same diagnosis applies, with
    /// ``NewtonError/iterationLimit`` as the fallback.
    static func failure(iteration k: Int, y: Vector, residual f: Vector, gradient g: Vector?,
                        reciprocalCondition: Double?, history: [NewtonIterationRecord],
                        atIterationLimit: Bool = false) -> NewtonError {
        if let rcond = reciprocalCondition, rcond <= illConditionedThreshold {
            return .singularJacobian(iteration: k, reason: .singular(routine: "Newton step (the line search stalled)",
                                                                     reciprocalCondition: rcond), history: history)
        }
        if let g {
            let rel = relativeGradient(g, y: y, residual: f)
            if rel <= localMinimumThreshold {
                return .localMinimum(iteration: k, residualNorm: f.maxNorm, relativeGradient: rel, history: history)
            }
        }
        if atIterationLimit { return .iterationLimit(iterations: k, residualNorm: f.maxNorm, history: history) }
        return .stagnation(iteration: k, residualNorm: f.maxNorm, history: history)
    }
}
