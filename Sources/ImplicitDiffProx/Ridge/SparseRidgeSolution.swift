/// A solved ``SparseRidgeRegression``: `w`, the objective, and their derivatives with
/// respect to `[values(X), y, lambda]`, all in `O(nnz)` per product.
public struct SparseRidgeSolution: Sendable {
    /// The problem that was solved.
    public let problem: SparseRidgeRegression
    /// The minimiser `w`.
    public let w: Vector
    /// Conjugate-gradient iterations of the solve (refinements included).
    public let iterations: Int
    /// ``SparseRidgeRegression/certificate(at:)`` of `w`, checked before it was returned.
    public let certificate: Double

    init(problem: SparseRidgeRegression, w: Vector, iterations: Int, certificate: Double) {
        self.problem = problem
        self.w = w
        self.iterations = iterations
        self.certificate = certificate
    }

    /// `r = X w - y`.
    public var residual: Vector { problem.design * w - problem.targets }

    /// `1/2 ||X w - y||^2 + lambda/2 ||w||^2`.
    public var value: Double { 0.5 * residual.squaredNorm() + 0.5 * problem.lambda * w.squaredNorm() }

    /// `A = X'X + lambda I` (an operator, symmetric positive definite) and the exact `B`:
    /// ```
    /// B [dX, dy, dlambda] = dX' r + X'(dX w - dy) + dlambda w
    /// B' z = ((r z' + (X z) w') on the pattern, -X z, z'w)
    /// ```
    public var linearization: ConditionsLinearization {
        let x = problem.design, w = self.w, r = residual
        let n = x.rows, m = x.nonZeroCount
        let b = FunctionOperator(
            rows: x.columns, columns: m + n + 1,
            apply: { t in
                let t = t.materialized(count: m + n + 1)
                let dX = x.withValues(Array(t.scalars[0..<m]))
                var out = dX.transposedTimes(r)
                out.add(x.transposedTimes(dX * w - t.slice(m..<(m + n))), scaledBy: 1)
                out.add(w, scaledBy: t[m + n])
                return out
            },
            applyTransposed: { z in
                let z = z.materialized(count: x.columns)
                let xz = x * z
                var out = x.patternGradient(left: r, right: z, left: xz, right: w)
                out.reserveCapacity(m + n + 1)
                for i in 0..<n { out.append(-xz[i]) }
                out.append(z.dot(w))
                return Vector(out)
            })
        // Never formed under .automatic (n products and n^2 memory): the core's CG with the
        // Jacobi preconditioner diag(X'X) + lambda.
        return ConditionsLinearization(a: problem.normalOperator, b: b, isPositiveDefinite: true,
                                       preconditioner: .jacobi(diagonal: problem.normalDiagonal), denseLimit: 0)
    }

    /// The derivative of `w` with respect to `[values(X), y, lambda]`. Under
    /// `.automatic` the linear solves are Jacobi-preconditioned CG on `A` (never formed);
    /// `.direct` forms the `n x n` matrix `A` by `n` products (no `N x n` array).
    public func derivative(options: ImplicitOptions = .init()) throws -> ImplicitDerivative {
        try ImplicitDerivative(x: problem.packed, y: w, linearization: linearization,
                                      conditionResidual: problem.gradientResidual(at: w).maxNorm, options: options)
    }

    /// Gradient of the objective value with respect to `[values(X), y, lambda]`
    /// (envelope theorem, no solve): `((r w') on the pattern, -r, ||w||^2 / 2)`.
    public var valueGradient: Vector {
        let r = residual
        var out = problem.design.patternGradient(left: r, right: w)
        out.reserveCapacity(out.count + r.count + 1)
        out.append(contentsOf: (-r).scalars)
        out.append(0.5 * w.squaredNorm())
        return Vector(out)
    }
}
