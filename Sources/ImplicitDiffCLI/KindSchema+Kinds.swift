import ImplicitDiff

// The schema of each built-in kind (spec/cli-json.md, "Problem kinds").

private typealias F = KindSchema.Field

private let matrixForms = "an array of rows"

extension QPKind {
    public static var schema: KindSchema {
        KindSchema(
            kind: name, module: "ImplicitDiffQP",
            summary: "convex QP: minimize 1/2 z'Qz + q'z subject to A z = b, l <= G z <= h, lb <= z <= ub (l, lb, ub optional); a coordinate-form Q, A or G, or l, lb, ub, selects the sparse solver; or a QPS file (qps)",
            status: "optimal",
            data: [F("Q", "matrix", "n x n", required: false, "symmetric positive semidefinite (\(matrixForms) or coordinate form; inline form)"),
                   F("q", "vector", "n", required: false, "linear objective (inline form)"),
                   F("A", "matrix", "p x n", required: false, "equality rows (with b); dense rows or coordinate form (kept sparse)"),
                   F("b", "vector", "p", required: false, "equality right-hand side"),
                   F("G", "matrix", "m x n", required: false, "inequality rows (with h)"),
                   F("h", "vector", "m", required: false, "inequality right-hand side (>= 1e20: no upper side)"),
                   F("l", "vector", "m", required: false, "lower sides of the G rows, l <= G z <= h (<= -1e20: none; sparse solver)"),
                   F("lb", "vector", "n", required: false, "lower variable bounds (<= -1e20: none; sparse solver)"),
                   F("ub", "vector", "n", required: false, "upper variable bounds (>= 1e20: none; sparse solver)"),
                   F("qps", "path", required: false, "QPS file (free or fixed MPS with QUADOBJ or QMATRIX, RANGES, BOUNDS) instead of the fields above (relative to the problem file)")],
            outputs: [F("z", "vector", "n", "the minimiser"),
                      F("lambda", "vector", "p", "equality multipliers (Lagrangian 1/2 z'Qz + q'z + lambda'(Az - b) + mu'(Gz - h))"),
                      F("mu", "vector", "m", "inequality multipliers, >= 0 (with l: > 0 where h binds, < 0 where l binds)"),
                      F("value", "scalar", "objective value"),
                      F("w", "vector", "n", required: false, "bound multipliers when lb or ub is given (Qz + q + A'lambda + G'mu + w = 0)"),
                      F("row_duals", "vector", "rows", required: false, "QPS file: d value / d rhs (value includes the objective's constant)")],
            parameters: [F("Q", "matrix", "n x n", "symmetric gradient (G + G')/2"), F("q", "vector", "n", "linear objective"),
                         F("A", "matrix", "p x n", "equality rows"), F("b", "vector", "p", "d value/d b = -lambda"),
                         F("G", "matrix", "m x n", "inequality rows"), F("h", "vector", "m", "d value/d h = -mu"),
                         F("l", "vector", "m", required: false, "when given"), F("lb", "vector", "n", required: false, "when given"),
                         F("ub", "vector", "n", required: false, "when given"),
                         F("c", "vector", "n", required: false, "QPS file: linear objective, columns in file order; d value/d c = z"),
                         F("rhs", "vector", "rows", required: false, "QPS file: constraint right-hand sides in file order (free rows excluded; a range keeps its width); d value/d rhs = row_duals")],
            options: [F("weakly_active", "string", required: false,
                        "reject (default: a derivative at a weakly active row is exit 4), inactive or active (one-sided derivatives)"),
                      F("tol_abs", "number", required: false,
                        "absolute tolerance the answer must also meet (primal, dual, gap residuals in the data's units, like OSQP's eps_abs); default none")])
    }
}

extension LPKind {
    public static var schema: KindSchema {
        KindSchema(
            kind: name, module: "ImplicitDiffLP",
            summary: "LP by GLPK's simplex: minimize c'z subject to A z = b, G z <= h; or a model from an MPS / CPLEX LP file",
            status: "optimal",
            data: [F("c", "vector", "n", required: false, "costs (inline form)"),
                   F("A", "matrix", "p x n", required: false, "equality rows (with b); dense rows or coordinate form (kept sparse)"),
                   F("b", "vector", "p", required: false, "equality right-hand side"),
                   F("G", "matrix", "m x n", required: false, "inequality rows, variable bounds included (with h); dense rows or coordinate form"),
                   F("h", "vector", "m", required: false, "inequality right-hand side"),
                   F("mps", "path", required: false, "free or fixed MPS file instead of c, A, b, G, h (relative to the problem file)"),
                   F("cplex_lp", "path", required: false, "CPLEX LP file instead of c, A, b, G, h")],
            outputs: [F("z", "vector", "n", "the optimal vertex (columns in file order for a model)"),
                      F("lambda", "vector", "p", "equality multipliers (inline form)"),
                      F("mu", "vector", "m", "inequality multipliers, >= 0 (inline form)"),
                      F("value", "scalar", "objective value"),
                      F("row_duals", "vector", "rows", "d value / d rhs (model files)")],
            parameters: [F("c", "vector", "n", "d value/d c = z, dz/dc = 0 where z is unique (also at a primal-degenerate vertex)"),
                         F("A", "matrix", "p x n", "inline form; on the input's pattern when given in coordinate form"),
                         F("b", "vector", "p", "inline form; d value/d b = -lambda (needs a primal non-degenerate vertex)"),
                         F("G", "matrix", "m x n", "inline form; on the input's pattern when given in coordinate form"),
                         F("h", "vector", "m", "inline form; d value/d h = -mu (needs a primal non-degenerate vertex)"),
                         F("rhs", "vector", "rows", "model files: constraint right-hand sides in file order; d value/d rhs = row_duals")],
            options: [F("lp_smoothing", "scalar", required: false,
                        "gamma > 0: differentiate min c'z + gamma/2 ||z||^2 over the same constraints (derivatives that do not exist at a degenerate vertex)")])
    }
}

extension SinkhornKind {
    public static var schema: KindSchema {
        KindSchema(
            kind: name, module: "ImplicitDiffSinkhorn",
            summary: "entropic optimal transport: P = argmin <P, C> + eps sum P (log P - 1) over P 1 = a, P' 1 = b (log-domain Sinkhorn); with tau_a or tau_b < 1 unbalanced: + rho_a KL(P 1, a) + rho_b KL(P' 1, b) instead of the constraint, rho = eps tau / (1 - tau)",
            status: "converged",
            data: [F("C", "matrix", "n x m", required: false, "cost matrix (or x and y)"),
                   F("x", "matrix", "n x d", required: false, "source points, C_ij = ||x_i - y_j||^2"),
                   F("y", "matrix", "m x d", required: false, "target points"),
                   F("a", "vector", "n", required: false, "source weights, > 0 (default: uniform 1/n)"),
                   F("b", "vector", "m", required: false, "target weights, > 0, same total as a when balanced (1e-9 relative; default: uniform 1/m)"),
                   F("epsilon", "scalar", "entropic regularisation, > 0"),
                   F("tau_a", "scalar", required: false, "in (0, 1], default 1 (P 1 = a exactly); below 1: rho_a KL(P 1, a), rho_a = eps tau_a / (1 - tau_a), as ott-jax"),
                   F("tau_b", "scalar", required: false, "in (0, 1], default 1 (P' 1 = b exactly); below 1: rho_b KL(P' 1, b)")],
            outputs: [F("plan", "matrix", "n x m", "the transport plan"),
                      F("cost", "scalar", "<P, C> + eps sum P (log P - 1) (+ rho KL of each relaxed marginal)"),
                      F("f", "vector", "n", "source potential"),
                      F("g", "vector", "m", "target potential, sum(g) = 0 when balanced (unique, no gauge, when unbalanced)")],
            parameters: [F("C", "matrix", "n x m", "cost matrix (d cost/d C = P)"),
                         F("x", "matrix", "n x d", "source points"), F("y", "matrix", "m x d", "target points"),
                         F("a", "vector", "n", "projected to zero sum when balanced"),
                         F("b", "vector", "m", "projected to zero sum when balanced"),
                         F("epsilon", "scalar", "regularisation")],
            options: [])
    }
}

/// Lasso and ridge read, report and differentiate the same fields. `X` may be sparse
/// (coordinate form): it is solved sparsely and its gradient comes back on its entries.
private func regressionSchema(kind: String, module: String, summary: String) -> KindSchema {
    KindSchema(
        kind: kind, module: module, summary: summary, status: "optimal",
        data: [F("X", "matrix or sparse", "N x d",
                 "design: an array of rows, or coordinate form {shape, rows, cols, values} (kept sparse, O(nnz) products)"),
               F("y", "vector", "N", "targets"), F("lambda", "scalar", "> 0")],
        outputs: [F("w", "vector", "d", "coefficients"), F("value", "scalar", "objective value")],
        parameters: [F("X", "matrix or sparse", "N x d",
                       "design; in coordinate form when X was (one value per input entry; jvp tangent {values})"),
                     F("y", "vector", "N", "targets"), F("lambda", "scalar", "regularisation")],
        options: [])
}

extension LassoKind {
    public static var schema: KindSchema {
        regressionSchema(kind: name, module: "ImplicitDiffProx",
                         summary: "lasso: w = argmin 1/2 ||X w - y||^2 + lambda ||w||_1 (FISTA, support polish)")
    }
}

extension RidgeKind {
    public static var schema: KindSchema {
        regressionSchema(kind: name, module: "ImplicitDiffProx",
                         summary: "ridge: w = argmin 1/2 ||X w - y||^2 + lambda/2 ||w||^2 (Cholesky; sparse X: conjugate gradients)")
    }
}

extension EquationsKind {
    public static var schema: KindSchema {
        KindSchema(
            kind: name, module: "ImplicitDiffNewton",
            summary: "nonlinear equations F(x, y) = 0 solved for y by damped Newton, in named families",
            status: "converged",
            data: [F("family", "string", "cubic (y^3 + y - x = 0 elementwise) or bratu (1-D Bratu, lower branch)"),
                   F("x", "vector", "n", required: false, "cubic: right-hand sides"),
                   F("lambda", "scalar", required: false, "bratu: in (0, 3.5)"),
                   F("n", "integer", required: false, "bratu: interior grid points, h = 1/(n+1)")],
            outputs: [F("y", "vector", "n", "the root")],
            parameters: [F("x", "vector", "n", "cubic"), F("lambda", "scalar", "bratu")],
            options: [])
    }
}
