import Foundation

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
    func search<Extra>(from y: Vector, direction d: Vector, merit f0: Double, slope: Double, weights w: Vector,
                       evaluate: (Vector) -> (residual: Vector, extra: Extra)) -> Step<Extra>? {
        let dNorm = d.fastMaxNorm
        let yNorm = y.fastMaxNorm
        let weighted = !w.scalars.isEmpty
        var t = 1.0
        var backtracks = 0
        while true {
            var trial = y
            trial.add(d, scaledBy: t)
            let (r, extra) = evaluate(trial)
            // 1/2 ||W r||^2 without a temporary; NaN or infinity in r propagates into ft.
            var sum = 0.0
            if weighted {
                w.scalars.withUnsafeBufferPointer { w in
                    r.scalars.withUnsafeBufferPointer { r in
                        for i in 0..<r.count { let v = w[i] * r[i]; sum += v * v }
                    }
                }
            } else {
                r.scalars.withUnsafeBufferPointer { r in
                    for i in 0..<r.count { sum += r[i] * r[i] }
                }
            }
            let ft = 0.5 * sum
            if ft.isFinite, r.isFinite, ft <= f0 + sufficientDecrease * t * slope {
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
    static let localMinimumThreshold = Foundation.cbrt(Double.ulpOfOne)

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
