/// A solved ridge problem: `w`, the objective, and its derivatives.
public struct RidgeSolution: Sendable {
    /// The problem that was solved.
    public let problem: RidgeRegression
    /// The minimiser `w`.
    public let w: Vector
    /// `X'X + lambda I` and its factorisation.
    public let factors: RidgeFactors
    /// The relative gradient residual ``RidgeRegression/certificate(at:)`` of `w`, checked
    /// by ``RidgeRegression/solve()`` before it returned (`nil` for a solution not made by
    /// it).
    public internal(set) var certificate: Double?

    init(problem: RidgeRegression, w: Vector, factors: RidgeFactors) {
        self.problem = problem
        self.w = w
        self.factors = factors
    }

    /// The residual `r = X w - y` (for a wide design, from the dual system: see
    /// ``WideRidgeFactorization/residual(targets:)``).
    public var residual: Vector {
        if let wide = factors.factorization as? WideRidgeFactorization, wide.dimension == w.count {
            return wide.residual(targets: problem.targets)
        }
        return problem.design * w - problem.targets
    }

    /// `1/2 ||X w - y||^2 + lambda/2 ||w||^2`.
    public var value: Double { 0.5 * residual.squaredNorm() + 0.5 * problem.lambda * w.squaredNorm() }

    /// `A = X'X + lambda I` (dense) and `B` (an exact matrix-free operator), with `A`'s
    /// Cholesky factorisation.
    public var linearization: ConditionsLinearization {
        let x = problem.design, w = self.w, r = residual
        let n = x.rows, d = x.columns
        let b = FunctionOperator(
            rows: d, columns: n * d + n + 1,
            apply: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                let dl = t[n * d + n]
                return dX.transposedTimes(r) + x.transposedTimes(dX * w - dy) + dl * w
            },
            applyTransposed: { v in
                let xv = x * v
                var gX = Matrix.outer(r, v)
                gX.addOuter(xv, w)
                return Vector(gX.scalars + (-xv).scalars + [v.dot(w)])
            })
        var fused: FusedDerivative?
        if let wide = factors.factorization as? WideRidgeFactorization, wide.dimension == w.count {
            fused = Self.wideDerivative(design: x, targets: problem.targets, w: w, lambda: problem.lambda,
                                        dual: wide.dual)
        }
        return ConditionsLinearization(a: factors.gram, b: b, factorizedA: factors.factorization, isPositiveDefinite: true,
                                       fusedDerivative: fused)
    }

    /// The derivative of a wide ridge regression (`N < d`) without `1/lambda`: with the
    /// dual variable `alpha = K^-1 y`, `K = X X' + lambda I_N` (so `w = X'alpha` and
    /// `r = X w - y = -lambda alpha`) and the push-through identity
    /// `A^-1 X' = X' K^-1` (equivalently `lambda A^-1 = I - X' K^-1 X`):
    /// ```
    /// pushforward:  g = dX' alpha,  s = dX w - dy + dlambda alpha
    ///               dw = g - X' K^-1 (X g + s)
    /// pullback:     u = K^-1 X wbar   (= X A^-1 wbar)
    ///               Xbar = alpha (wbar - X'u)' - u w',   ybar = u,   lambdabar = -u'alpha
    /// ```
    /// Only `N x N` solves with `K`, whose condition number does not grow as
    /// `lambda -> 0`; the generic path's `A^-1 wbar` carries a null-space part of size
    /// `1/lambda` whose rounding cost four digits at `lambda = 1e-10`.
    static func wideDerivative(design x: Matrix, targets y: Vector, w: Vector, lambda: Double,
                               dual: CholeskyFactorization) -> FusedDerivative {
        let n = x.rows, d = x.columns
        let alpha = dual.solve(y)
        /// `K^-1 rhs` and the relative residual `||K z - rhs|| / ||rhs||`.
        @Sendable func solveDual(_ rhs: Vector) -> (Vector, Double) {
            let z = dual.solve(rhs)
            let kz = x * x.transposedTimes(z) + lambda * z
            let norm = rhs.norm
            return (z, norm == 0 ? 0 : (kz - rhs).norm / norm)
        }
        return FusedDerivative(
            pushforward: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                let dl = t[n * d + n]
                let g = dX.transposedTimes(alpha)
                var s = dX * w - dy
                s.add(alpha, scaledBy: dl)
                let (z, residual) = solveDual(x * g + s)
                return (g - x.transposedTimes(z), residual)
            },
            pullback: { wbar in
                let (u, residual) = solveDual(x * wbar)
                var gX = Matrix.outer(alpha, wbar - x.transposedTimes(u))
                gX.addOuter(-u, w)
                return (Vector(gX.scalars + u.scalars + [-u.dot(alpha)]), residual)
            })
    }

    /// The derivative of `w` with respect to `[vec(X), y, lambda]`.
    public func derivative(options: ImplicitOptions = .init()) throws -> ImplicitDerivative {
        try ImplicitDerivative(conditions: RidgeConditions(rows: problem.design.rows, columns: problem.design.columns),
                               x: problem.packed, y: w, byproduct: factors, options: options)
    }

    /// Gradient of the objective value with respect to `[vec(X), y, lambda]` (envelope
    /// theorem, no solve): `(r w', -r, ||w||^2 / 2)`.
    public var valueGradient: Vector {
        let r = residual
        return Vector(Matrix.outer(r, w).scalars + (-r).scalars + [0.5 * w.squaredNorm()])
    }
}
