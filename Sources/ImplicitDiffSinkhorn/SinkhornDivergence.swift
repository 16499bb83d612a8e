/// The Sinkhorn divergence between two point clouds, debiased entropic transport:
/// ```
/// S(x, y) = OT(a, b) - OT(a, a) / 2 - OT(b, b) / 2
/// ```
/// where `OT` is the regularised cost of ``SinkhornSolution/cost`` with
/// `C_ij = ||x_i - y_j||^2` (and `||x_i - x_k||^2`, `||y_j - y_l||^2` for the two
/// symmetric terms). `S(x, x) = 0` with `a = b`, and its gradient in `x` vanishes at
/// `y = x`.
///
/// Its gradient needs no linear solve (envelope theorem on each term); the symmetric
/// terms see `x` on both sides of their cost:
/// ```
/// dS/dx = 2 (diag(P_ab 1) x - P_ab y) - (diag(P_aa 1) x - P_aa x) - (diag(P_aa' 1) x - P_aa' x)
/// dS/da = proj(f_ab - (f_aa + g_aa) / 2),    dS/d eps = H_ab - H_aa / 2 - H_bb / 2
/// ```
/// with `H = sum P (log P - 1)` and `proj` the projection onto sum-zero vectors.
public struct SinkhornDivergence: Sendable {
    /// `OT(a, b)` between `x` and `y`.
    public let crossTerm: SinkhornSolution
    /// `OT(a, a)` between `x` and itself.
    public let sourceTerm: SinkhornSolution
    /// `OT(b, b)` between `y` and itself.
    public let targetTerm: SinkhornSolution

    /// Solves the three transport problems.
    ///
    /// - Throws: ``SinkhornError`` for invalid data or when a solve does not converge.
    public init(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, options: SinkhornOptions = .init()) throws {
        crossTerm = try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: epsilon).solve(options: options)
        sourceTerm = try SinkhornProblem(x: x, y: x, a: a, b: a, epsilon: epsilon).solve(options: options)
        targetTerm = try SinkhornProblem(x: y, y: y, a: b, b: b, epsilon: epsilon).solve(options: options)
    }

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
