/// Why Newton's method stopped successfully (see ``NewtonOptions``).
public enum NewtonConvergence: String, Sendable, Equatable {
    /// `||F||_inf <= residualTolerance`.
    case residualTolerance
    /// `|F_i| <= 8 ulp (|A| |y|)_i` for every `i`: the residual is rounding noise.
    case roundingFloor
    /// The last full Newton step was below `stepTolerance` relative to `y`.
    case stepTolerance
}
