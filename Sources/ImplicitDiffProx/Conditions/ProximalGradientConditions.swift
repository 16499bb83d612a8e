/// The optimality conditions of a ``ProximalProblem`` as a fixed point,
/// ```
/// F(theta, w) = w - prox_{eta g(theta_g)}(w - eta grad f(w; theta_f)) = 0,
/// ```
/// with exact linearisations (`u = w - eta grad f`, `J = d prox/du`, `H` the Hessian of
/// `f`, `G = d grad f/d theta_f`, `P = d prox/d theta_g`):
/// ```
/// A = I - J (I - eta H),        B = [eta J G,  -P]
/// ```
/// The fixed points do not depend on `eta > 0`, and neither does the derivative.
///
/// When `J` is a mask (l1, elastic net, non-negativity, boxes) the system is restricted to
/// the support `S`: rows are recombined (an invertible transformation that keeps the zero
/// set of `F`) into the symmetric positive definite `blockdiag(K_S, I)`,
/// `K_S = diag((1 - m_S)/(eta m_S)) + H[S, S]`, solved by one Cholesky factorisation
/// (the solver's, when its Newton polish made one) or matrix-free by a Krylov method when
/// `|S| > directLimit`. For the lasso this is the closed form
/// `dw_S = -(X_S'X_S)^-1 (dX_S' r + X_S'dX w - X_S'dy + dlambda sign(w_S))`, `dw_off = 0`.
/// Other Jacobians (group lasso, simplex, balls) use the general `A` (dense when
/// `n <= directLimit`).
///
/// Differentiability needs strict complementarity: `u` must stay away from the kinks of
/// the prox (for the lasso, `|X_j'(y - Xw)| < lambda` off the support and `w_j != 0` on
/// it). ``linearize(x:y:byproduct:)`` throws
/// ``ProxError/notStrictlyComplementary(margin:threshold:detail:)`` when the prox's
/// ``ProximalOperator/differentiabilityMargin(at:stepSize:)`` is below
/// ``complementarityMargin``.
///
/// ``residual(x:y:byproduct:)`` returns the transformed residual `T F` in the masked case
/// (the quantity whose linearisation is returned), else `F`.
public struct ProximalGradientConditions<Smooth: SmoothObjective, Prox: ProximalOperator>: ImplicitConditions {
    public typealias Byproduct = ProximalGradientByproduct

    /// `1e-9`: a margin below this is within a few hundred ulps of the solver's accuracy
    /// (about `1e-12` relative after polish) from a kink, where the active set is not
    /// determined by the data.
    public static var defaultMargin: Double { 1e-9 }

    /// The problem whose parameters `x = [theta_f, theta_g]` replace.
    public let problem: ProximalProblem<Smooth, Prox>
    /// The smallest accepted differentiability margin. Default ``defaultMargin``.
    public var complementarityMargin: Double
    /// Largest support (or dimension, for non-mask Jacobians) solved by a dense
    /// factorisation; larger systems are left to the core's Krylov methods. Default 3000.
    public var directLimit: Int

    /// The conditions of `problem`, with the given margin and dense-solve limit.
    public init(problem: ProximalProblem<Smooth, Prox>, complementarityMargin: Double = Self.defaultMargin,
                directLimit: Int = 3000) {
        self.problem = problem
        self.complementarityMargin = complementarityMargin
        self.directLimit = directLimit
    }

    public func residual(x: Vector, y w: Vector, byproduct: ProximalGradientByproduct) -> Vector {
        guard let p = try? problem.withParameters(x), w.count == p.dimension else {
            return Vector(repeating: .nan, count: w.count)
        }
        let system = FixedPointSystem(smooth: p.smooth, prox: p.prox, w: w, stepSize: byproduct.stepSize)
        guard let s = system.support else { return system.residual }
        return system.transform(system.residual, s)
    }

    public func linearize(x: Vector, y w: Vector, byproduct: ProximalGradientByproduct) throws -> ConditionsLinearization {
        let p = try problem.withParameters(x)
        let system = FixedPointSystem(smooth: p.smooth, prox: p.prox, w: w, stepSize: byproduct.stepSize)
        try system.checkDifferentiable(threshold: complementarityMargin)
        let size = system.support?.count ?? w.count
        return try system.linearization(cached: byproduct.factorization, factorize: size <= directLimit,
                                        denseLimit: directLimit)
    }
}
