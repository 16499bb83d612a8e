import Glibc

/// How accurately each Newton–Krylov step solves its linear system: the step `d_k`
/// satisfies
/// ```
/// ||A_k d_k + F_k|| <= eta_k ||F_k||
/// ```
/// Loose solves far from the root save Krylov iterations; tight ones near it keep
/// Newton's fast local convergence.
public enum ForcingTerm: Sendable, Equatable {
    /// The same `eta` at every step (linear convergence with rate about `eta`).
    case constant(Double)
    /// Eisenstat and Walker's choice 2: `eta_0 = initial`, then
    /// ```
    /// eta_k = gamma (||F_k|| / ||F_(k-1)||)^alpha
    /// eta_k = max(eta_k, gamma eta_(k-1)^alpha)   when gamma eta_(k-1)^alpha > 0.1
    /// eta_k = min(eta_k, maximum)
    /// ```
    /// The safeguard keeps `eta` from dropping abruptly after one lucky step.
    /// Defaults: `initial = 0.5`, `gamma = 0.9`, `alpha = 2`, `maximum = 0.9`.
    ///
    /// Reference: S. C. Eisenstat and H. F. Walker, "Choosing the forcing terms in an
    /// inexact Newton method", SIAM J. Sci. Comput. 17 (1996) 16–32, doi:10.1137/0917003.
    case eisenstatWalker(initial: Double = 0.5, gamma: Double = 0.9, alpha: Double = 2, maximum: Double = 0.9)

    /// The Eisenstat–Walker choice with its default constants.
    public static var eisenstatWalker: ForcingTerm { .eisenstatWalker() }

    /// `eta_0`.
    var initial: Double {
        switch self {
        case let .constant(eta): return eta
        case let .eisenstatWalker(initial, _, _, _): return initial
        }
    }

    /// `eta_k` from `eta_(k-1)` and the residual norms `||F_k||`, `||F_(k-1)||`.
    func next(previous eta: Double, residualNorm: Double, previousResidualNorm: Double) -> Double {
        switch self {
        case let .constant(value):
            return value
        case let .eisenstatWalker(_, gamma, alpha, maximum):
            guard previousResidualNorm > 0 else { return maximum }
            var e = gamma * Glibc.pow(residualNorm / previousResidualNorm, alpha)
            let safeguard = gamma * Glibc.pow(eta, alpha)
            if safeguard > 0.1 { e = Swift.max(e, safeguard) }
            return Swift.min(e, maximum)
        }
    }

    func validate() throws {
        switch self {
        case let .constant(eta):
            guard eta > 0, eta < 1 else { throw NewtonError.invalidOptions("a constant forcing term must lie in (0, 1), got \(eta)") }
        case let .eisenstatWalker(initial, gamma, alpha, maximum):
            guard initial > 0, initial < 1, gamma > 0, gamma <= 1, alpha > 1, alpha <= 2, maximum > 0, maximum < 1 else {
                throw NewtonError.invalidOptions("Eisenstat-Walker needs 0 < initial, maximum < 1, 0 < gamma <= 1, 1 < alpha <= 2")
            }
        }
    }
}
