/// Stopping rules and line-search parameters of Newton's method (``NewtonSolver``, and
/// the outer iteration of ``NewtonKrylovSolver``).
///
/// An iterate `y` with residual `F = F(x, y)` is accepted when, **for every component**,
/// the Newton correction `d = -A^-1 F` computed at `y` itself is small against that
/// component's own magnitude:
/// ```
/// step:      |d_i| <= stepTolerance * max(|y_i|, typicalMagnitude)   for every i
/// residual:  ||F||_inf <= residualTolerance                         (absolute; off by default)
/// ```
/// The step test bounds the error of each component to first order (`y - y* = -d +
/// O(|d|^2)`); it is invariant to the scaling of the equations, and, with
/// `typicalMagnitude = 0` (the default), to the scaling of each unknown, so a component of
/// size `1` next to one of size `1e10` is judged against `1`, not `1e10`. When an iterate
/// first passes the test while `F` is above its rounding level, ``NewtonSolver`` takes that
/// last full step (error `O(|d|^2)`, about the rounding level) and accepts the new iterate
/// only if it passes the test again: the returned root is certified by a check made at the
/// root (``NewtonCertificate``).
///
/// Where the tolerance is below what double precision can resolve (the correction at the
/// root is rounding noise of `F` amplified by the condition of `A`: `~1e-10` relative for
/// Bratu at `n = 10^7`, whose condition number grows like `n^2`), the corrections stop
/// shrinking; after two full steps that fail to halve them the solve throws
/// ``NewtonError/toleranceNotReached(iteration:relativeStep:tolerance:history:)`` with the
/// figures, never a root.
///
/// A residual at the rounding level of its terms (`|F_i| ~ ulp (|A| |y|)_i`) is **not**
/// accepted by itself: for ill-conditioned equations it allows large errors in `y` (Bratu
/// at `n = 10^7`: one Newton step from `y = 0`, error `1e-3`, passes `|F_i| <= 8 ulp (|A|
/// |y|)_i`).
///
/// The line search (Armijo backtracking on `f = 1/2 ||W F||^2`, with `W` the inverse row
/// sums of `|A|` at the iterate for ``NewtonSolver`` and `W = I` for Newton–Krylov) accepts
/// step length `t` when
/// ```
/// f(y + t d) <= f(y) + sufficientDecrease * t * f'(y; d)
/// ```
/// shrinking `t` by safeguarded quadratic interpolation (by a factor in `[0.1, 0.5]`) at
/// most `maxBacktracks` times before reporting stagnation. Near the root (every
/// `|d_i| <= 1e-3 max(|y_i|, typicalMagnitude)`) full steps are taken without a line search.
public struct NewtonOptions: Sendable, Equatable {
    /// The largest accepted `|d_i| / max(|y_i|, typicalMagnitude)` for the Newton
    /// correction `d` at the returned root, every component on its own scale. Default `1e-10`.
    public var stepTolerance: Double
    /// A floor under the magnitude of each unknown, in the units of `y`: the step test of a
    /// component is `|d_i| <= stepTolerance * max(|y_i|, typicalMagnitude)`. Default `0`:
    /// purely relative, so a component whose root is exactly zero passes only when its
    /// correction is exactly zero; set it to the size below which a component counts as
    /// zero when such roots are expected in coupled equations.
    public var typicalMagnitude: Double
    /// Absolute tolerance on `||F||_inf`, in the units of `F`. Default `0` (only an exact
    /// root, `F = 0`, is accepted by it). A value above `0` accepts `y` whatever its error:
    /// the step test gives the accuracy.
    public var residualTolerance: Double
    /// Iteration cap (Newton steps). Default 100.
    public var maxIterations: Int
    /// The Armijo constant `c` in `(0, 1/2)`. Default `1e-4`.
    public var sufficientDecrease: Double
    /// Step-length reductions allowed per iteration. Default 40.
    public var maxBacktracks: Int

    /// Options with the given fields (see each property for its meaning and default).
    public init(stepTolerance: Double = 1e-10, residualTolerance: Double = 0, maxIterations: Int = 100,
                sufficientDecrease: Double = 1e-4, maxBacktracks: Int = 40, typicalMagnitude: Double = 0) {
        self.stepTolerance = stepTolerance
        self.typicalMagnitude = typicalMagnitude
        self.residualTolerance = residualTolerance
        self.maxIterations = maxIterations
        self.sufficientDecrease = sufficientDecrease
        self.maxBacktracks = maxBacktracks
    }

    /// Below this relative step (every `|d_i| <= 1e-3 max(|y_i|, typicalMagnitude)`) the
    /// iterate is in Newton's local region: full steps, no line search, and steps that
    /// fail to halve count towards ``NewtonError/toleranceNotReached(iteration:relativeStep:tolerance:history:)``.
    static let localRegion = 1e-3

    /// `|F_i| <= 8 ulp (|A| |y|)_i` for every `i`: `F` is rounding noise, so a certified
    /// iterate is returned without a further step (never a test of convergence by itself).
    static let roundingFloorFactor = 8.0

    /// Consecutive full steps in the local region that fail to halve the relative step
    /// before the tolerance is declared out of reach.
    static let stallLimit = 2

    /// Throws ``NewtonError/invalidOptions(_:)`` for out-of-range values.
    func validate() throws {
        guard stepTolerance.isFinite, stepTolerance >= 0 else {
            throw NewtonError.invalidOptions("stepTolerance must be finite and non-negative, got \(stepTolerance)")
        }
        guard typicalMagnitude.isFinite, typicalMagnitude >= 0 else {
            throw NewtonError.invalidOptions("typicalMagnitude must be finite and non-negative, got \(typicalMagnitude)")
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
