import Glibc

/// How one marginal of a ``SinkhornProblem`` is imposed: exactly (`tau = 1`, balanced)
/// or relaxed by a Kullback-Leibler penalty (`0 < tau < 1`, unbalanced), in ott-jax's
/// convention (`LinearProblem(tau_a:, tau_b:)`). Not API: the problem stores `tau`
/// (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB``).
///
/// For the source marginal (the target's is alike with `b`, `g`, `P' 1`):
/// ```
/// penalty     rho KL(P 1 | a),   KL(r | a) = sum_i r_i log(r_i / a_i) - r_i + a_i
/// rho         = eps tau / (1 - tau)               (+infinity for tau = 1)
/// kappa       = eps / rho = (1 - tau) / tau        (0 for tau = 1)
/// update      f_i <- tau (eps log a_i - eps LSE_j((g_j - C_ij) / eps))
/// condition   (P 1)_i = s_i,    s_i = a_i exp(-f_i / rho) = a_i exp(-kappa f_i / eps)
/// ```
/// The condition is the fixed point of the update: after it, `(P 1)_i = s_i` exactly.
/// With `tau = 1` every formula reduces to the balanced one (`s = a`, `kappa = 0`).
///
/// Mathematical properties (used by the derivative): with `r = P 1`,
/// ```
/// d s = (s / a) o da - (kappa / eps) s o df + (kappa / eps^2) s o f d eps
/// d/da_i [rho KL(r | a)] at fixed r = rho (1 - r_i / a_i) = -rho expm1(-f_i / rho)   (-> f_i as tau -> 1)
/// d/d eps [rho KL(r | a)] at fixed r = (rho / eps) KL(r | a) = tau / (1 - tau) KL(r | a)
/// ```
struct MarginalRelaxation: Sendable, Equatable {
    /// `tau` in `(0, 1]`.
    let tau: Double

    /// Whether the marginal is imposed exactly (`tau = 1`).
    var isExact: Bool { tau == 1 }

    /// `kappa = (1 - tau) / tau = eps / rho` (`0` when exact).
    var kappa: Double { isExact ? 0 : (1 - tau) / tau }

    /// `rho = eps tau / (1 - tau)` (`+infinity` when exact).
    func rho(epsilon: Double) -> Double { isExact ? .infinity : epsilon * tau / (1 - tau) }

    /// The marginal the plan must have at the fixed point: `s_i = w_i exp(-kappa h_i / eps)`
    /// (`w` when exact).
    func target(weights w: [Double], potential h: [Double], epsilon: Double) -> [Double] {
        if isExact { return w }
        let c = kappa / epsilon
        var s = w
        for k in 0..<s.count { s[k] *= Glibc.exp(-c * h[k]) }
        return s
    }

    /// `d cost / d w_k = -rho expm1(-h_k / rho)` (the envelope theorem on `rho KL(r | w)`;
    /// `h` itself when exact, the balanced Lagrange multiplier).
    func weightGradient(potential h: [Double], epsilon: Double) -> [Double] {
        if isExact { return h }
        let rho = rho(epsilon: epsilon)
        return h.map { -rho * Glibc.expm1(-$0 / rho) }
    }

    /// `KL(r | w) = sum_k r_k log(r_k / w_k) - r_k + w_k` (`0` when exact: not part of the cost).
    func divergence(marginal r: [Double], weights w: [Double]) -> Double {
        if isExact { return 0 }
        var s = 0.0
        for k in 0..<r.count {
            let rk = r[k], wk = w[k]
            s += (rk > 0 ? rk * Glibc.log(rk / wk) : 0) - rk + wk
        }
        return s
    }

    /// The penalty `rho KL(r | w)` and its derivative in `eps` at fixed `r`,
    /// `tau / (1 - tau) KL(r | w)`: both `0` when exact (the marginal is a constraint).
    func penalty(marginal r: [Double], weights w: [Double], epsilon: Double) -> (value: Double, epsilonDerivative: Double) {
        if isExact { return (0, 0) }
        let kl = divergence(marginal: r, weights: w)
        return (rho(epsilon: epsilon) * kl, tau / (1 - tau) * kl)
    }
}
