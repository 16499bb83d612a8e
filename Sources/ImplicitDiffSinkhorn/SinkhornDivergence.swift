import Glibc

/// The Sinkhorn divergence between two point clouds, debiased entropic transport:
/// ```
/// S(x, y) = OT(a, b) - OT(a, a) / 2 - OT(b, b) / 2
/// ```
/// where `OT` is the regularised cost of ``SinkhornSolution/cost`` with
/// `C_ij = ||x_i - y_j||^2` (and `||x_i - x_k||^2`, `||y_j - y_l||^2` for the two
/// symmetric terms). `S(x, x) = 0` with `a = b`, and its gradient in `x` vanishes at
/// `y = x`.
///
/// The self terms `OT(a, a)`, `OT(b, b)` are solved by the symmetric update
/// `f <- (f + T(f)) / 2` (as ott-jax and GeomLoss do; see ``SinkhornProblem/isSymmetric``)
/// with its own convergence test, and a Newton finish when it stalls
/// (``SinkhornOptions/newtonFinish``). The target term depends on `y` and `b` only:
/// ``SinkhornDivergenceTarget`` computes it once for a flow in which only `x` moves.
/// A failure throws ``SinkhornError/divergenceTermFailed(term:error:)`` naming the term.
///
/// Its gradient needs no linear solve (envelope theorem on each term); the symmetric
/// terms see `x` on both sides of their cost:
/// ```
/// dS/dx = 2 (diag(P_ab 1) x - P_ab y) - (diag(P_aa 1) x - P_aa x) - (diag(P_aa' 1) x - P_aa' x)
/// dS/da = proj(f_ab - (f_aa + g_aa) / 2),    dS/d eps = H_ab - H_aa / 2 - H_bb / 2
/// ```
/// with `H = sum P (log P - 1)` and `proj` the projection onto sum-zero vectors.
///
/// **Unbalanced** (``tauA``, ``tauB`` below 1): every term is the unbalanced cost of
/// ``SinkhornSolution`` with the same `tau_a`, `tau_b` (as ott-jax's
/// `sinkhorn_divergence`, which passes them to all three problems),
/// ```
/// S = OT_u(a, b) - OT_u(a, a) / 2 - OT_u(b, b) / 2
/// OT_u = <P, C> + eps sum P (log P - 1) + rho_a KL(P 1 | a) + rho_b KL(P' 1 | b)
/// ```
/// so `S(x, x) = 0` with `a = b`; the gradient is assembled the same way from the terms'
/// envelope gradients (weights not projected). ott-jax adds `eps/2 (sum(a) - sum(b))^2`,
/// which cancels the constant `eps sum(a) sum(b)` its `reg_ot_cost` carries; `OT_u` has
/// no such constant, so there is nothing to cancel. For `tau < 1` ott-jax 0.6's
/// divergence is built on `reg_ot_cost` values that are not the optimal values of its
/// own iteration's problem (<doc:SinkhornDerivativeConventions>), so the two differ
/// there by design; for `tau = 1` they agree.
public struct SinkhornDivergence: Sendable {
    /// The three transport problems of the divergence, as failures name them.
    public enum Term: String, Sendable, Equatable, CustomStringConvertible {
        /// `OT(a, b)` between `x` and `y`.
        case cross = "cross term OT(a, b) between x and y"
        /// `OT(a, a)` between `x` and itself.
        case source = "source self term OT(a, a) of x"
        /// `OT(b, b)` between `y` and itself.
        case target = "target self term OT(b, b) of y"

        public var description: String { rawValue }
    }

    /// `OT(a, b)` between `x` and `y`.
    public let crossTerm: SinkhornSolution
    /// `OT(a, a)` between `x` and itself.
    public let sourceTerm: SinkhornSolution
    /// `OT(b, b)` between `y` and itself.
    public let targetTerm: SinkhornSolution

    /// Solves the three transport problems.
    ///
    /// - Throws: ``SinkhornError`` for invalid data;
    ///   ``SinkhornError/divergenceTermFailed(term:error:)`` when a solve fails.
    public init(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                options: SinkhornOptions = .init()) throws {
        let target = try SinkhornDivergenceTarget(y: y, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, options: options)
        try self.init(x: x, a: a, target: target, options: options)
    }

    /// Uniform weights `1/n`, `1/m`.
    public init(x: Matrix, y: Matrix, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                options: SinkhornOptions = .init()) throws {
        try self.init(x: x, y: y, a: SinkhornProblem.uniformWeights(x.rows), b: SinkhornProblem.uniformWeights(y.rows),
                      epsilon: epsilon, tauA: tauA, tauB: tauB, options: options)
    }

    /// The divergence to a target whose self term is already solved; only the cross
    /// and source terms are solved. With `warmStart` (the divergence at a nearby `x`
    /// with the same target, `a` and point count), both start from its potentials at
    /// the target `eps` (``SinkhornProblem/solve(options:initialPotentials:)``).
    ///
    /// - Throws: as ``init(x:y:a:b:epsilon:tauA:tauB:options:)``.
    public init(x: Matrix, a: Vector, target: SinkhornDivergenceTarget, options: SinkhornOptions = .init(),
                warmStart: SinkhornDivergence? = nil) throws {
        let (ta, tb) = (target.tauA, target.tauB)
        let cross = try SinkhornProblem(x: x, y: target.y, a: a, b: target.b, epsilon: target.epsilon, tauA: ta, tauB: tb)
        let source = try SinkhornProblem(x: x, y: x, a: a, b: a, epsilon: target.epsilon, tauA: ta, tauB: tb)
        let usable = warmStart.flatMap { w in w.crossTerm.f.count == x.rows && w.targetTerm.problem == target.term.problem ? w : nil }
        crossTerm = try Self.solve(cross, .cross, options: options, start: usable.map { ($0.crossTerm.f, $0.crossTerm.g) })
        sourceTerm = try Self.solve(source, .source, options: options,
                                    start: usable.map { w in let s = 0.5 * (w.sourceTerm.f + w.sourceTerm.g); return (s, s) })
        targetTerm = target.term
    }

    /// Solves one term; its failure is wrapped with the term's name.
    static func solve(_ problem: SinkhornProblem, _ term: Term, options: SinkhornOptions,
                      start: (f: Vector, g: Vector)? = nil) throws -> SinkhornSolution {
        do {
            return try problem.solve(options: options, initialPotentials: start)
        } catch let e as SinkhornError {
            throw SinkhornError.divergenceTermFailed(term: term, error: e)
        }
    }

    /// `tau_a` of the three terms (``SinkhornProblem/tauA``).
    public var tauA: Double { crossTerm.problem.tauA }
    /// `tau_b` of the three terms (``SinkhornProblem/tauB``).
    public var tauB: Double { crossTerm.problem.tauB }

    /// `S = OT(a, b) - OT(a, a)/2 - OT(b, b)/2`.
    public var value: Double { crossTerm.cost - 0.5 * (sourceTerm.cost + targetTerm.cost) }

    /// The gradient with respect to `x`, `y`, `a`, `b` (projected to zero sum) and
    /// `epsilon`; ``SinkhornParameterTangent/costMatrix`` is left empty.
    public var gradient: SinkhornParameterTangent {
        let cross = crossTerm.costGradient, source = sourceTerm.costGradient, target = targetTerm.costGradient
        return SinkhornParameterTangent(
            x: cross.x - 0.5 * (source.x + source.y),
            y: cross.y - 0.5 * (target.x + target.y),
            a: cross.a - 0.5 * (source.a + source.b),
            b: cross.b - 0.5 * (target.a + target.b),
            epsilon: cross.epsilon - 0.5 * (source.epsilon + target.epsilon))
    }
}

/// The target side of a ``SinkhornDivergence``: the cloud `y`, its weights `b`, `eps`,
/// and its self term `OT(b, b)`, solved once (symmetric update) and reused by every
/// divergence to it (``SinkhornDivergence/init(x:a:target:options:warmStart:)``), as in
/// a gradient flow where only `x` moves.
public struct SinkhornDivergenceTarget: Sendable {
    /// Target points (`m x d`).
    public let y: Matrix
    /// Target weights (`m`).
    public let b: Vector
    /// The regularisation.
    public let epsilon: Double
    /// The marginals' relaxations of every term (``SinkhornProblem/tauA``, ``SinkhornProblem/tauB``).
    public let tauA: Double
    public let tauB: Double
    /// `OT(b, b)` between `y` and itself.
    public let term: SinkhornSolution

    /// Solves the target self term.
    ///
    /// - Throws: ``SinkhornError`` for invalid data; ``SinkhornError/divergenceTermFailed(term:error:)``
    ///   (term ``SinkhornDivergence/Term/target``) when the solve fails.
    public init(y: Matrix, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                options: SinkhornOptions = .init()) throws {
        self.y = y
        self.b = b
        self.epsilon = epsilon
        self.tauA = tauA
        self.tauB = tauB
        term = try SinkhornDivergence.solve(try SinkhornProblem(x: y, y: y, a: b, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB),
                                            .target, options: options)
    }
}
