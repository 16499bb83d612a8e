/// Why Newton's method stopped successfully (see ``NewtonOptions``).
public enum NewtonConvergence: String, Sendable, Equatable {
    /// `||F||_inf <= residualTolerance` (absolute; with the default `0`, an exact root).
    case residualTolerance
    /// The Newton correction `d` at the returned root has
    /// `|d_i| <= stepTolerance * max(|y_i|, typicalMagnitude)` for every `i`.
    case stepTolerance
}
