/// A solved ``LinearProgram`` (or its smoothed problem): the solution, the duals, the
/// value, and its derivatives.
///
/// With `gamma = regularization`:
/// * `gamma = 0`: the LP's optimal vertex, `value = c'z`;
/// * `gamma > 0`: the solution of `min c'z + gamma/2 ||z||^2` over the same constraints
///   (``LinearProgram/solveRegularized(gamma:startingFrom:options:)``), with
///   `value = c'z + gamma/2 ||z||^2` (the smoothed problem's optimal value).
public struct LinearProgramSolution: Sendable {
    /// The problem solved.
    public let problem: LinearProgram
    /// `gamma`: 0 for the LP vertex, positive for the smoothed problem.
    public let regularization: Double
    /// The minimiser.
    public let z: Vector
    /// Multipliers of `A z = b`.
    public let lambda: Vector
    /// Multipliers of `G z <= h` (`>= 0`, zero on inactive rows).
    public let mu: Vector
    /// The optimal value (see the type's description).
    public let value: Double
    /// Active set, degeneracy verdict and the factorisation the derivatives reuse.
    public let activeSet: LPActiveSet
    /// Simplex iterations (plus active-set iterations for the smoothed problem); 0 when
    /// the interior point's crossover basis was optimal (dense problems).
    public let iterations: Int
    /// The independent check of `(z, lambda, mu)` on the problem's data (for the smoothed
    /// problem: on its own optimality conditions), which this solution passed.
    public let certificate: LPCertificate

    /// The degeneracy of the LP vertex (`nil`: non-degenerate, differentiable).
    public var degeneracy: LPDegeneracy? { activeSet.degeneracy }

    /// `y = [z, lambda, mu]`.
    public var packedSolution: Vector { Vector(z.scalars + lambda.scalars + mu.scalars) }

    /// The derivative of `y = [z, lambda, mu]` with respect to `x = [c, vec(A), b, vec(G), h]`
    /// (``LPParameterLayout``): its pullback, pushforward and Jacobian all reuse the one
    /// factorisation of the active-constraint system.
    ///
    /// - Throws: ``LPError/degenerate(_:)`` at a degenerate LP vertex (use the smoothed
    ///   problem instead); ``LPError/notDifferentiable(_:)`` when the active constraints are
    ///   linearly dependent.
    public func derivative(options: ImplicitOptions = .init()) throws -> ImplicitDerivative {
        if regularization == 0, let d = degeneracy { throw LPError.degenerate(d) }
        return try ImplicitDerivative(conditions: LinearProgramConditions(layout: problem.layout, regularization: regularization),
                                      x: problem.packed, y: packedSolution, byproduct: activeSet, options: options)
    }

    /// The gradient of ``value`` with respect to `x = [c, vec(A), b, vec(G), h]` by the
    /// envelope theorem (no solve):
    /// ```
    /// [ z,  lambda z',  -lambda,  mu z',  -mu ]
    /// ```
    /// Exact at a non-degenerate LP vertex and for the smoothed problem (whose value
    /// function is differentiable wherever its working set is locally stable). At a
    /// degenerate LP vertex it is one subgradient; ``valueGradientChecked()`` refuses it.
    public var valueGradient: Vector {
        var gA = Matrix.outer(lambda, z)
        if gA.scalars.isEmpty { gA = Matrix(rows: lambda.count, columns: z.count) }
        var gG = Matrix.outer(mu, z)
        if gG.scalars.isEmpty { gG = Matrix(rows: mu.count, columns: z.count) }
        return Vector(z.scalars + gA.scalars + (-lambda).scalars + gG.scalars + (-mu).scalars)
    }

    /// ``valueGradient``, after checking that the LP vertex is non-degenerate.
    public func valueGradientChecked() throws -> Vector {
        if regularization == 0, let d = degeneracy { throw LPError.degenerate(d) }
        return valueGradient
    }
}
