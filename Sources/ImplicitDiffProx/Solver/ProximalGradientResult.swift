/// What ``ProximalGradient/solve(from:)`` found.
public struct ProximalGradientResult: Sendable {
    /// The fixed point `w = prox_{eta g}(w - eta grad f(w))`.
    public let solution: Vector
    /// The final step size `eta`.
    public let stepSize: Double
    /// Proximal-gradient iterations.
    public let iterations: Int
    /// Backtracking reductions of the step.
    public let backtracks: Int
    /// Momentum restarts.
    public let restarts: Int
    /// Newton steps of the polish (0 when it was not used).
    public let newtonSteps: Int
    /// Whether the returned point came from the Newton polish.
    public let polished: Bool
    /// `||w - prox(w - eta grad f(w))|| / eta` at the solution, divided by the scale
    /// `||grad f(w_0)||`.
    public let relativeResidual: Double
    /// The factorisation of the fixed-point system at the solution, when the polish made
    /// one that is still valid there (reused by the derivative).
    public let factorization: SupportBlockFactorization?
}
