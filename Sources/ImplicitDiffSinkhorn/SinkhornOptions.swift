/// How the forward Sinkhorn solver runs.
///
/// The solver stops when the relative marginal error
/// ```
/// max(||P 1 - a||_1, ||P' 1 - b||_1) / sum(a)  <=  tolerance
/// ```
/// holds for the plan `P` of the target `epsilon` (for an unbalanced problem,
/// ``SinkhornProblem/tauA`` or ``SinkhornProblem/tauB`` below 1: the relative fixed-point
/// residual of ott-jax's scaled update, `||P 1 - s_a||_1 / sum(s_a)` with
/// `s_a = a o exp(-f / rho_a)`, the columns then being exact), and throws
/// ``SinkhornError/notConverged(iterations:marginalError:tolerance:)`` when
/// ``maxIterations`` full iterations (one update of `f` and one of `g`, summed over the
/// epsilon-scaling stages) did not get there.
public struct SinkhornOptions: Sendable, Equatable {
    /// Relative marginal error at which the solve stops. Default `1e-10`: derivatives
    /// amplify the forward error by up to the inverse spectral gap of the plan, and at
    /// `1e-10` they stay accurate to ~1e-8 relative even for `eps = 1e-3 max C`.
    public var tolerance: Double
    /// Cap on the total number of iterations over all stages. Default `100_000`.
    public var maxIterations: Int
    /// Epsilon scaling: the stages solve with `eps_k = max(eps, eps_0 * factor^k)`, starting
    /// from `eps_0 = max(C) - min(C)` and warm-starting each stage from the last one's
    /// potentials. `nil` solves at the target epsilon directly. Default `0.5`.
    public var epsilonScalingFactor: Double?
    /// Marginal error at which intermediate stages stop (never tighter than
    /// ``tolerance``). Default `1e-3`.
    public var stageTolerance: Double
    /// Whether to run the kernel-domain fast path: between log-domain updates the
    /// iteration works with the stabilised kernel `K_ij = exp((f_i + g_j - C_ij)/eps)`
    /// and scalings `u, v` (two BLAS `dgemv` per iteration, no `exp`), absorbing the
    /// scalings into the potentials whenever `|log u|` or `|log v|` exceeds
    /// ``absorptionThreshold``. With `false` every half-iteration is an exact log-sum-exp
    /// pass. Default `true`.
    public var kernelFastPath: Bool
    /// Bound on `|log u|`, `|log v|` before the scalings are absorbed. Default `100`
    /// (`u, v` within `e^{+-100}`, far from overflow; an entry of the kernel lost to
    /// underflow then carries less than `e^{-500}` of mass).
    public var absorptionThreshold: Double

    /// Over-relaxation of the kernel iterations: once the plain iteration's contraction
    /// rate `theta` is measured (from the marginal errors), the scalings move by
    /// `u <- u (a / (u o K v))^omega` with `omega = 2 / (1 + sqrt(1 - theta))` (capped at
    /// 1.9), which turns the rate `theta` into about `omega - 1`. If the error then grows
    /// tenfold the stage returns to `omega = 1`. Default `true`.
    public var overRelaxation: Bool

    /// Whether to finish with up to two Newton steps on the dual (the derivative's Schur
    /// system, factorised densely) when `min(n, m) <= 400`, each kept only if it lowers
    /// the marginal error. Derivatives amplify the forward error by up to the inverse
    /// spectral gap of the plan (hundreds for `eps = 1e-3 max C`); after the quadratic
    /// Newton steps the potentials are accurate to rounding. Default `true`.
    public var newtonPolish: Bool

    /// Whether a stalled iteration hands over to Newton's method on the dual. Sinkhorn
    /// converges linearly with a rate that tends to 1 when the plan is nearly a
    /// permutation and its second singular value nearly 1 (point clouds that overlap,
    /// `x = y`, small `eps`): it may need millions of iterations for the last digits. At
    /// the target `eps`, once the error is below ``newtonHandOverError`` and the measured
    /// contraction rate predicts more than `50 + min(n, m)` further iterations, the
    /// iteration stops and ``SinkhornSolution`` runs damped Newton steps
    /// ```
    /// K (df, dg) = eps (a - P 1, b - P' 1),    K = [diag(P 1)  P; P'  diag(P' 1)]
    /// ```
    /// (the derivative's Schur system: dense Cholesky up to `min(n, m) = 2000`, CG
    /// beyond), each step halved until the residual `||(a - P 1, b - P' 1)||_2` falls
    /// (a descent direction for it). Newton converges quadratically near the solution:
    /// 2-4 steps reach rounding. If it does not meet the tolerance, Sinkhorn resumes
    /// from the best potentials up to ``maxIterations``. Every Newton step and
    /// backtrack counts as an iteration. Unbalanced problems take the same steps on their
    /// relaxed conditions (``SinkhornSolution`` documents them). Default `true`.
    public var newtonFinish: Bool

    /// The marginal error below which a stalled iteration may hand over to Newton
    /// (``newtonFinish``). Default `1e-3`.
    public var newtonHandOverError: Double

    /// Options with the given fields (see each property for its meaning and default).
    public init(tolerance: Double = 1e-10, maxIterations: Int = 100_000, epsilonScalingFactor: Double? = 0.5,
                stageTolerance: Double = 1e-3, kernelFastPath: Bool = true, absorptionThreshold: Double = 100,
                overRelaxation: Bool = true, newtonPolish: Bool = true, newtonFinish: Bool = true,
                newtonHandOverError: Double = 1e-3) {
        self.newtonFinish = newtonFinish
        self.newtonHandOverError = newtonHandOverError
        self.overRelaxation = overRelaxation
        self.newtonPolish = newtonPolish
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.epsilonScalingFactor = epsilonScalingFactor
        self.stageTolerance = stageTolerance
        self.kernelFastPath = kernelFastPath
        self.absorptionThreshold = absorptionThreshold
    }
}
