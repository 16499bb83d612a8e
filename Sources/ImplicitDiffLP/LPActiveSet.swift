/// What the LP solver knows about its solution besides `(z, lambda, mu)` and the
/// derivative needs: the active (working) inequalities, the degeneracy verdict, and the
/// factorisation of the active-constraint system, made once and reused by every
/// pullback, pushforward and Jacobian column. It is the byproduct of the
/// ``LinearProgram/layer(layout:regularization:solverOptions:options:)`` implicit function.
public struct LPActiveSet: Sendable {
    /// Inequalities held active in the derivative (`S`), increasing: at an LP vertex the
    /// nonbasic rows of `G`; for the smoothed problem the final working set.
    public let activeInequalities: [Int]
    /// The degeneracy of the LP vertex (`nil` when non-degenerate; always `nil` for the
    /// smoothed problem, whose solution is unique).
    public let degeneracy: LPDegeneracy?
    /// Smoothed problem only: inequalities outside the working set whose slack is zero
    /// (relative `1e-9`), and working inequalities whose multiplier is zero. At such
    /// weakly active constraints the solution is only directionally differentiable; the
    /// derivative returned is the one of the working set (constraints outside it are
    /// treated as inactive, those inside it as active).
    public let weaklyActiveInequalities: [Int]
    /// The factorised active-constraint system (absent at a degenerate LP vertex).
    let factorization: LPKKTFactorization?

    init(activeInequalities: [Int], degeneracy: LPDegeneracy?, weaklyActiveInequalities: [Int],
         factorization: LPKKTFactorization?) {
        self.activeInequalities = activeInequalities
        self.degeneracy = degeneracy
        self.weaklyActiveInequalities = weaklyActiveInequalities
        self.factorization = factorization
    }
}
