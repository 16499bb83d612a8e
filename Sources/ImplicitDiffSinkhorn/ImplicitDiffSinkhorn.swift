// ImplicitDiffSinkhorn: entropy-regularised optimal transport with implicit derivatives.
//
//   P = argmin <P, C> + eps sum P (log P - 1)  over P >= 0, P 1 = a, P' 1 = b
//   P_ij = exp((f_i + g_j - C_ij) / eps),  sum(g) = 0
//
// * SinkhornProblem (cost matrix or point clouds) -> solve() -> SinkhornSolution
//   (log-domain Sinkhorn, epsilon scaling, stabilised kernel fast path, over-relaxation).
// * SinkhornSolution.costGradient: envelope theorem, no solve.
// * SinkhornDerivative: pullback / pushforward of plan, potentials and cost by implicit
//   differentiation of the marginal conditions, reduced to a Schur complement of size
//   min(n, m) (Cholesky or CG).
// * SinkhornDivergence; Swift AD entry points sinkhornCost, sinkhornPlan,
//   sinkhornDivergence; SinkhornConditions / SinkhornProblem.layer for the core's
//   generic ImplicitFunction.
// Zero weights are rejected (SinkhornError.nonPositiveWeight), not supported.

// Re-export the core so that `import ImplicitDiffSinkhorn` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
