/// Backtracking line search on the merit function `f(y) = 1/2 ||F(y)||^2`. Not API.
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

    struct Step {
        var y: Vector
        var residual: Vector
        var length: Double
        var backtracks: Int
    }

    /// The accepted step, or `nil` when no step length up to `maxBacktracks` reductions
    /// (or until `t d` no longer changes `y`) gives sufficient decrease.
    func search(from y: Vector, direction d: Vector, merit f0: Double, slope: Double,
                residual: (Vector) -> Vector) -> Step? {
        let dNorm = d.maxNorm
        let yNorm = y.maxNorm
        var t = 1.0
        var backtracks = 0
        while true {
            var trial = y
            trial.add(d, scaledBy: t)
            let r = residual(trial)
            let ft = 0.5 * r.squaredNorm()
            if ft.isFinite, r.isFinite, ft <= f0 + sufficientDecrease * t * slope {
                return Step(y: trial, residual: r, length: t, backtracks: backtracks)
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
