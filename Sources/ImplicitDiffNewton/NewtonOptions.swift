/// Stopping rules and line-search parameters of Newton's method (``NewtonSolver``, and
/// the outer iteration of ``NewtonKrylovSolver``).
///
/// An iterate `y` with residual `F = F(x, y)` is accepted as soon as one test holds:
/// ```
/// residual:        ||F||_inf <= residualTolerance
/// rounding floor:  |F_i| <= 8 ulp (|A| |y|)_i  for every i        (dense/tridiagonal only)
/// step:            the full Newton step d that led to y had ||d||_inf <= stepTolerance * ||y||_inf
/// ```
/// The floor test certifies that `y` is an exact root of the equations with every linear
/// term perturbed by a few units in the last place: no solver can do better in floating
/// point, and asking for more (an absolute tolerance below the rounding level of `F`)
/// would end in stagnation. The step test uses Newton's quadratic convergence: after a
/// full step `d`, the error of `y` is `O(||d||^2)`.
///
/// The line search (Armijo backtracking on `f = 1/2 ||W F||^2`, with `W` the inverse row
/// sums of `|A|` at the iterate for ``NewtonSolver`` and `W = I` for Newton–Krylov) accepts
/// step length `t` when
/// ```
/// f(y + t d) <= f(y) + sufficientDecrease * t * f'(y; d)
/// ```
/// shrinking `t` by safeguarded quadratic interpolation (by a factor in `[0.1, 0.5]`) at
/// most `maxBacktracks` times before reporting stagnation.
public struct NewtonOptions: Sendable, Equatable {
    /// Relative size of the last full Newton step that counts as converged. Default `1e-10`.
    public var stepTolerance: Double
    /// Absolute tolerance on `||F||_inf`. Default `0`: only the rounding-floor and step
    /// tests apply, which give full accuracy.
    public var residualTolerance: Double
    /// Iteration cap (Newton steps). Default 100.
    public var maxIterations: Int
    /// The Armijo constant `c` in `(0, 1/2)`. Default `1e-4`.
    public var sufficientDecrease: Double
    /// Step-length reductions allowed per iteration. Default 40.
    public var maxBacktracks: Int

    /// Options with the given fields (see each property for its meaning and default).
    public init(stepTolerance: Double = 1e-10, residualTolerance: Double = 0, maxIterations: Int = 100,
                sufficientDecrease: Double = 1e-4, maxBacktracks: Int = 40) {
        self.stepTolerance = stepTolerance
        self.residualTolerance = residualTolerance
        self.maxIterations = maxIterations
        self.sufficientDecrease = sufficientDecrease
        self.maxBacktracks = maxBacktracks
    }

    /// The multiple of `ulp * (|A| |y|)_i` below which `|F_i|` is rounding noise.
    static let roundingFloorFactor = 8.0

    /// Throws ``NewtonError/invalidOptions(_:)`` for out-of-range values.
    func validate() throws {
        guard stepTolerance.isFinite, stepTolerance >= 0 else {
            throw NewtonError.invalidOptions("stepTolerance must be finite and non-negative, got \(stepTolerance)")
        }
        guard residualTolerance.isFinite, residualTolerance >= 0 else {
            throw NewtonError.invalidOptions("residualTolerance must be finite and non-negative, got \(residualTolerance)")
        }
        guard maxIterations >= 0 else {
            throw NewtonError.invalidOptions("maxIterations must be non-negative, got \(maxIterations)")
        }
        guard sufficientDecrease > 0, sufficientDecrease < 0.5 else {
            throw NewtonError.invalidOptions("sufficientDecrease must lie in (0, 1/2), got \(sufficientDecrease)")
        }
        guard maxBacktracks >= 0 else {
            throw NewtonError.invalidOptions("maxBacktracks must be non-negative, got \(maxBacktracks)")
        }
    }
}
