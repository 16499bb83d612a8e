/// What the proximal-gradient solver hands to its conditions besides `w`: the step size
/// of the fixed point and, when the Newton polish made one that is valid at `w`, the
/// factorisation of the fixed-point system (so the derivative does not factorise again).
public struct ProximalGradientByproduct: Sendable {
    /// `eta` in `w = prox_{eta g}(w - eta grad f(w))`.
    public let stepSize: Double
    /// Proximal-gradient iterations of the solve.
    public let iterations: Int
    /// The factorisation of `blockdiag(K_S, I)` at `w`, when at hand.
    public let factorization: SupportBlockFactorization?

    /// A byproduct with the given step size, iteration count and (optional) factorisation.
    public init(stepSize: Double, iterations: Int = 0, factorization: SupportBlockFactorization? = nil) {
        self.stepSize = stepSize
        self.iterations = iterations
        self.factorization = factorization
    }
}
