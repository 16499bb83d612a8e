// ImplicitDiffProx: proximal operators, projections, accelerated proximal gradient, and
// the implicit derivatives of its fixed points.
//
//     let lasso = try Lasso(design: X, targets: y, lambda: 0.1)
//     let solution = try lasso.solve()                       // FISTA + Newton polish
//     let derivative = try solution.derivative()             // one Cholesky of X_S'X_S
//     let (g, _) = try derivative.pullback(w: wbar)          // d<wbar, w>/d[vec X, y, lambda]
//
// The solution map of any `ProximalProblem` (a `SmoothObjective` plus a
// `ProximalOperator` or `Projection`) is differentiated through the fixed point
//
//     w = prox_{eta g}(w - eta grad f(w)),
//
// restricted to the support when the prox Jacobian is a mask (see
// `ProximalGradientConditions`), never through the iterations; `layer()` makes it
// an `ImplicitFunction` usable inside Swift's `gradient(at:of:)`.

// Re-export the core so that `import ImplicitDiffProx` brings Vector, Matrix and ImplicitFunction.
@_exported import ImplicitDiffCore
