import _Differentiation

// Entry points for Swift's automatic differentiation. Each function solves with the
// opaque forward solver and registers its derivative: the envelope theorem for costs
// and divergences (no solve), implicit differentiation (``SinkhornDerivative``) for
// the plan. Failures cannot be thrown through Swift AD: inside
// `withCheckedDerivatives { ... }` they are recorded and rethrown there (NaNs stand in
// for the values meanwhile); outside it they stop the program with the error's
// description, never a silent NaN or zero gradient.

/// The regularised transport cost `<P, C> + eps sum P (log P - 1)` for a cost matrix,
/// differentiable with respect to `C`, `a`, `b` and `epsilon` (gradients `P`, `f`, `g`
/// projected to zero sum, `sum P (log P - 1)`). With `tauA` or `tauB` below 1 the
/// unbalanced cost (``SinkhornSolution``: plus `rho KL` of the relaxed marginals; weight
/// gradients `-rho expm1(-f / rho)`, not projected); `tau` itself is not differentiated.
///
/// ```swift
/// let dC = gradient(at: c) { c in sinkhornCost(costMatrix: c, a: a, b: b, epsilon: 0.1) }
/// ```
@differentiable(reverse, wrt: (costMatrix, a, b, epsilon))
public func sinkhornCost(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         solverOptions: SinkhornOptions = .init()) -> Double {
    solveForAD {
        try SinkhornProblem(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions)
    }?.cost ?? .nan
}

@derivative(of: sinkhornCost(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:), wrt: (costMatrix, a, b, epsilon))
public func _vjpSinkhornCost(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double, tauB: Double,
                             solverOptions: SinkhornOptions)
    -> (value: Double, pullback: (Double) -> (Matrix, Vector, Vector, Double)) {
    guard let s = solveForAD({
        try SinkhornProblem(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions)
    }) else {
        return (.nan, { _ in (nanMatrix(costMatrix.rows, costMatrix.columns), nanVector(a.count), nanVector(b.count), .nan) })
    }
    let g = s.costGradient
    return (s.cost, { t in (t * g.costMatrix, t * g.a, t * g.b, t * g.epsilon) })
}

/// The regularised transport cost between point clouds (`C_ij = ||x_i - y_j||^2`),
/// differentiable with respect to `x`, `y`, `a`, `b` and `epsilon`
/// (`d/dx_i = 2 sum_j P_ij (x_i - y_j)`); `tauA`, `tauB` as for the cost-matrix form.
@differentiable(reverse, wrt: (x, y, a, b, epsilon))
public func sinkhornCost(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         solverOptions: SinkhornOptions = .init()) -> Double {
    solveForAD { try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions) }?.cost
        ?? .nan
}

@derivative(of: sinkhornCost(x:y:a:b:epsilon:tauA:tauB:solverOptions:), wrt: (x, y, a, b, epsilon))
public func _vjpSinkhornPointCloudCost(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double, tauB: Double,
                                       solverOptions: SinkhornOptions)
    -> (value: Double, pullback: (Double) -> (Matrix, Matrix, Vector, Vector, Double)) {
    guard let s = solveForAD({
        try SinkhornProblem(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions)
    }) else {
        return (.nan, { _ in (nanMatrix(x.rows, x.columns), nanMatrix(y.rows, y.columns), nanVector(a.count), nanVector(b.count), .nan) })
    }
    let g = s.costGradient
    return (s.cost, { t in (t * g.x, t * g.y, t * g.a, t * g.b, t * g.epsilon) })
}

/// The Sinkhorn divergence `OT(a, b) - OT(a, a)/2 - OT(b, b)/2` between point clouds
/// (``SinkhornDivergence``), differentiable with respect to `x`, `y`, `a`, `b`, `epsilon`;
/// unbalanced terms with `tauA` or `tauB` below 1.
@differentiable(reverse, wrt: (x, y, a, b, epsilon))
public func sinkhornDivergence(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                               solverOptions: SinkhornOptions = .init()) -> Double {
    solveForAD { try SinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, options: solverOptions) }?.value
        ?? .nan
}

@derivative(of: sinkhornDivergence(x:y:a:b:epsilon:tauA:tauB:solverOptions:), wrt: (x, y, a, b, epsilon))
public func _vjpSinkhornDivergence(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double, tauB: Double,
                                   solverOptions: SinkhornOptions)
    -> (value: Double, pullback: (Double) -> (Matrix, Matrix, Vector, Vector, Double)) {
    guard let d = solveForAD({
        try SinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, options: solverOptions)
    }) else {
        return (.nan, { _ in (nanMatrix(x.rows, x.columns), nanMatrix(y.rows, y.columns), nanVector(a.count), nanVector(b.count), .nan) })
    }
    let g = d.gradient
    return (d.value, { t in (t * g.x, t * g.y, t * g.a, t * g.b, t * g.epsilon) })
}

/// The transport plan `P` for a cost matrix, differentiable with respect to `C`, `a`,
/// `b` and `epsilon` by implicit differentiation (``SinkhornDerivative``: one
/// Schur-complement factorisation, made when the derivative is first needed and reused);
/// the unbalanced conditions with `tauA` or `tauB` below 1.
@differentiable(reverse, wrt: (costMatrix, a, b, epsilon))
public func sinkhornPlan(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         solverOptions: SinkhornOptions = .init(), options: ImplicitOptions = .init()) -> Matrix {
    solveForAD {
        try SinkhornProblem(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions)
    }?.plan ?? nanMatrix(costMatrix.rows, costMatrix.columns)
}

@derivative(of: sinkhornPlan(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:options:), wrt: (costMatrix, a, b, epsilon))
public func _vjpSinkhornPlan(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double, tauB: Double,
                             solverOptions: SinkhornOptions, options: ImplicitOptions)
    -> (value: Matrix, pullback: (Matrix) -> (Matrix, Vector, Vector, Double)) {
    let n = costMatrix.rows, m = costMatrix.columns
    let failed: (Matrix) -> (Matrix, Vector, Vector, Double) = { _ in (nanMatrix(n, m), nanVector(n), nanVector(m), .nan) }
    guard let s = solveForAD({
        try SinkhornProblem(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB).solve(options: solverOptions)
    }),
          let derivative = solveForAD({ try s.derivative(options: options) }) else {
        return (nanMatrix(n, m), failed)
    }
    return (s.plan, { pbar in
        guard let g = solveForAD({ try derivative.pullback(SinkhornOutputTangent(plan: pbar)) }) else { return failed(pbar) }
        return (g.costMatrix, g.a, g.b, g.epsilon)
    })
}

extension SinkhornProblem {
    /// `x = [vec(C), a, b, eps] -> [f, g]` as an `ImplicitFunction` on the generic path
    /// (``SinkhornConditions``, dense Cholesky of order `n + m`), usable under Swift AD;
    /// `tauA`, `tauB` below 1 for unbalanced transport (``SinkhornProblem/tauA``),
    /// `solverOptions` are the Sinkhorn iteration's settings, `options` the implicit
    /// derivative's. Invalid parameters or a failed solve surface as the solver's error.
    /// For the cost and the plan inside `gradient(at:of:)`,
    /// ``sinkhornCost(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:)`` and
    /// ``sinkhornPlan(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:options:)`` take the same labels.
    public static func layer(rows n: Int, columns m: Int, tauA: Double = 1, tauB: Double = 1,
                             solverOptions: SinkhornOptions = .init(),
                             options: ImplicitOptions = .init()) -> ImplicitFunction<Void> {
        let conditions = SinkhornConditions(rows: n, columns: m, tauA: tauA, tauB: tauB)
        return ImplicitFunction(solver: { x in
            guard x.count == n * m + n + m + 1 else {
                throw SinkhornError.dimensionMismatch("packed parameters: \(x.count) entries for n = \(n), m = \(m)")
            }
            let (c, a, b, eps) = conditions.unpack(x)
            let s = try SinkhornProblem(costMatrix: Matrix(rows: n, columns: m, scalars: c), a: Vector(a), b: Vector(b),
                                        epsilon: eps, tauA: tauA, tauB: tauB).solve(options: solverOptions)
            return (s.f.concatenated(with: s.g), ())
        }, conditions: conditions, options: options).withOutputCount { _ in n + m }
    }

    @available(*, deprecated, renamed: "layer(rows:columns:tauA:tauB:solverOptions:options:)")
    public static func potentialsMap(rows n: Int, columns m: Int, tauA: Double = 1, tauB: Double = 1,
                                     options: SinkhornOptions = .init(),
                                     implicitOptions: ImplicitOptions = .init()) -> ImplicitFunction<Void> {
        layer(rows: n, columns: m, tauA: tauA, tauB: tauB, solverOptions: options, options: implicitOptions)
    }
}

// Migration (issue 17): the forward solver's options are `solverOptions:`, the implicit
// derivative's `options:`, in every module. The old spellings forward and warn.

@available(*, deprecated, renamed: "sinkhornCost(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:)")
@differentiable(reverse, wrt: (costMatrix, a, b, epsilon))
public func sinkhornCost(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         options: SinkhornOptions) -> Double {
    sinkhornCost(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, solverOptions: options)
}

@available(*, deprecated, renamed: "sinkhornCost(x:y:a:b:epsilon:tauA:tauB:solverOptions:)")
@differentiable(reverse, wrt: (x, y, a, b, epsilon))
public func sinkhornCost(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         options: SinkhornOptions) -> Double {
    sinkhornCost(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, solverOptions: options)
}

@available(*, deprecated, renamed: "sinkhornDivergence(x:y:a:b:epsilon:tauA:tauB:solverOptions:)")
@differentiable(reverse, wrt: (x, y, a, b, epsilon))
public func sinkhornDivergence(x: Matrix, y: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                               options: SinkhornOptions) -> Double {
    sinkhornDivergence(x: x, y: y, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB, solverOptions: options)
}

@available(*, deprecated, renamed: "sinkhornPlan(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:options:)")
@differentiable(reverse, wrt: (costMatrix, a, b, epsilon))
public func sinkhornPlan(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         options: SinkhornOptions, implicitOptions: ImplicitOptions = .init()) -> Matrix {
    sinkhornPlan(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB,
                 solverOptions: options, options: implicitOptions)
}

@available(*, deprecated, renamed: "sinkhornPlan(costMatrix:a:b:epsilon:tauA:tauB:solverOptions:options:)")
@differentiable(reverse, wrt: (costMatrix, a, b, epsilon))
public func sinkhornPlan(costMatrix: Matrix, a: Vector, b: Vector, epsilon: Double, tauA: Double = 1, tauB: Double = 1,
                         implicitOptions: ImplicitOptions) -> Matrix {
    sinkhornPlan(costMatrix: costMatrix, a: a, b: b, epsilon: epsilon, tauA: tauA, tauB: tauB,
                 solverOptions: .init(), options: implicitOptions)
}

/// Runs `body`; a failure goes to the core's handling of failures under Swift AD
/// (recorded by `withCheckedDerivatives`, otherwise a stop with the error's message)
/// and gives `nil`.
func solveForAD<T>(_ body: () throws -> T) -> T? {
    do {
        return try body()
    } catch {
        // The core's checked scope (or a stop with the error when there is none).
        recordDerivativeFailure(error)
        return nil
    }
}

func nanVector(_ n: Int) -> Vector { Vector(repeating: .nan, count: n) }
func nanMatrix(_ r: Int, _ c: Int) -> Matrix { Matrix(rows: r, columns: c, repeating: .nan) }
