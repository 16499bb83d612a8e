/// The independent check of an answer `w` of a ``ProximalProblem`` `min f(w) + g(w)`,
/// recomputed from `w` and the data alone before the answer is returned.
///
/// With `eta` the step size, `G_eta(w) = (w - prox_{eta g}(w - eta grad f(w))) / eta` the
/// gradient mapping (zero exactly at the minimisers) and the scale
/// `S = max(||grad f(w)||_2, ||w||_2 / eta)` (the size of the terms the residual is
/// computed from, so that rounding stays below the tolerance; with `eta ~ 1/L` it is at
/// least about half of `||grad f(0)||_2 <= ||grad f(w)||_2 + L ||w||_2`, the scale of the
/// solver's own stopping test, without a second gradient):
/// ```
/// fixedPoint = ||G_eta(w)||_2 / S
/// ```
/// For an l1 penalty `lambda ||w||_1` (``Lasso``) and the elastic net
/// `lambda1 ||w||_1 + lambda2/2 ||w||^2`, also the KKT conditions coordinate by
/// coordinate, with `c = grad f(w)` (plus `lambda2 w`) and weight `lambda`:
/// ```
/// w_j = 0:   v_j = (|c_j| - lambda)_+                                   (|X_j'(y - Xw)| <= lambda)
/// w_j != 0:  v_j = min(|c_j + lambda sign(w_j)|, max((|c_j| - lambda)_+, |w_j| / eta))
/// kkt = max_j v_j / max(S, lambda)
/// ```
/// (on the support `X_j'(y - Xw) = lambda sign(w_j)`; the second branch of the minimum
/// accepts a coefficient of rounding size whose correlation satisfies the off-support
/// condition, as the fixed-point residual does). The figures cost one gradient and one
/// prox: two products with `X` for least squares.
///
/// ``passed`` when every figure is at most ``tolerance`` (and none is NaN). The solvers
/// (``ProximalProblem/solve(options:from:)``, ``ProximalProblem/solveAlongPath(options:ratio:pathThreshold:)``,
/// ``ProximalProblem/solveExactly(options:from:)``) check it with `tolerance = 10 *`
/// ``ProximalGradientOptions/tolerance`` and throw ``ProxError/uncertified(_:)``
/// instead of returning an answer that fails.
public struct ProximalCertificate: Sendable, Equatable, CustomStringConvertible {
    /// The relative fixed-point residual (gradient mapping).
    public let fixedPoint: Double
    /// The relative KKT violation (l1-type penalties), `nil` for other problems.
    public let kkt: Double?
    /// The threshold the figures were compared with.
    public let tolerance: Double

    /// The largest figure (NaN counts as infinite).
    public var maximum: Double {
        let all = [fixedPoint] + (kkt.map { [$0] } ?? [])
        return all.contains { $0.isNaN } ? .infinity : all.max()!
    }

    /// Whether every figure is at most ``tolerance``.
    public var passed: Bool { maximum <= tolerance }

    public var description: String {
        "fixed-point residual \(fixedPoint)" + (kkt.map { ", KKT violation \($0)" } ?? "") + " (tolerance \(tolerance))"
    }

    /// The certificate's threshold for solver options: `10 *`
    /// ``ProximalGradientOptions/tolerance`` (the solver's own stopping test is at
    /// `tolerance` on `||G_eta(w)||_2 / ||grad f(w_0)||_2`; the factor covers the change
    /// of scale).
    public static func tolerance(for options: ProximalGradientOptions) -> Double { 10 * options.tolerance }

    /// The figures for `w` (see the type's documentation).
    init<Smooth: SmoothObjective, Prox: ProximalOperator>(problem: ProximalProblem<Smooth, Prox>, w: Vector,
                                                          stepSize eta: Double, tolerance: Double) {
        let smooth = problem.smooth, prox = problem.prox
        let gw = smooth.gradient(at: w)
        var u = w
        u.add(gw, scaledBy: -eta)
        let mapping = (w - prox.prox(u, stepSize: eta)).norm / eta
        let scale = Swift.max(gw.norm, w.norm / eta)
        fixedPoint = mapping == 0 ? 0 : (scale > 0 ? mapping / scale : .infinity)

        var weight: Double?, c = gw
        if let l1 = prox as? L1Norm {
            weight = l1.lambda
        } else if let net = prox as? ElasticNetPenalty {
            weight = net.lambda1
            c.add(w, scaledBy: net.lambda2)
        }
        if let lambda = weight {
            var worst = 0.0
            for j in 0..<w.count {
                let a = abs(c[j]), off = Swift.max(a - lambda, 0)
                if w[j] == 0 {
                    worst = Swift.max(worst, off)
                } else {
                    let on = abs(c[j] + (w[j] > 0 ? lambda : -lambda))
                    worst = Swift.max(worst, Swift.min(on, Swift.max(off, abs(w[j]) / eta)))
                }
                if c[j].isNaN || w[j].isNaN { worst = .nan; break }
            }
            let s = Swift.max(scale, lambda)
            kkt = worst == 0 ? 0 : (s > 0 ? worst / s : .infinity)
        } else {
            kkt = nil
        }
        self.tolerance = tolerance
    }
}

extension ProximalProblem {
    /// The certificate of `w` with step size `eta` (``ProximalCertificate``), compared
    /// with `tolerance`.
    public func certificate(at w: Vector, stepSize eta: Double, tolerance: Double) -> ProximalCertificate {
        ProximalCertificate(problem: self, w: w, stepSize: eta, tolerance: tolerance)
    }

    /// `ProximalSolution(problem: self, result:)` once its certificate has passed;
    /// ``ProxError/uncertified(_:)`` otherwise.
    func certified(_ result: ProximalGradientResult, options: ProximalGradientOptions) throws
        -> ProximalSolution<Smooth, Prox> {
        let c = certificate(at: result.solution, stepSize: result.stepSize, tolerance: ProximalCertificate.tolerance(for: options))
        guard c.passed else { throw ProxError.uncertified(c) }
        return ProximalSolution(problem: self, result: result, certificate: c)
    }
}
