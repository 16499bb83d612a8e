import _Differentiation

extension LinearProgram {
    /// The solution map `x = [c, vec(A), b, vec(G), h] -> y = [z, lambda, mu]` of linear
    /// programs of the given shape as an `ImplicitFunction`: GLPK solves (an opaque
    /// forward solver), ``LinearProgramConditions`` differentiate. It is callable inside
    /// `gradient(at:of:)` and `valueWithPullback(at:of:)`:
    /// ```swift
    /// let layout = LPParameterLayout(variables: n, equalities: p, inequalities: m)
    /// let map = LinearProgram.solutionMap(layout: layout)
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: x) { x in map(x).entries(0..<n).dot(target) }   // d <z, target>/dx
    /// }
    /// ```
    /// At a degenerate vertex the derivative fails with ``LPError/degenerate(_:)`` (thrown by
    /// `withCheckedDerivatives`); with `regularization = gamma > 0` the map is that of the
    /// smoothed problem `min c'z + gamma/2 ||z||^2` (solved from the LP vertex), which is
    /// differentiable there.
    ///
    /// - Parameters:
    ///   - layout: `n`, `p`, `m` (the length of `x` must be `layout.parameterCount`).
    ///   - gamma: the `regularization` argument, `gamma >= 0`; 0 for the LP itself.
    ///   - lpOptions: simplex and degeneracy settings.
    ///   - options: the implicit derivative's settings (the default reuses the factorisation
    ///     made by the solver).
    public static func solutionMap(layout: LPParameterLayout, regularization gamma: Double = 0,
                                   lpOptions: LPOptions = .init(),
                                   options: ImplicitOptions = .init()) -> ImplicitFunction<LPActiveSet> {
        ImplicitFunction(solver: { x in
            let problem = try LinearProgram(packed: x, layout: layout)
            var solution = try problem.solve(options: lpOptions)
            if gamma > 0 {
                solution = try problem.solveRegularized(gamma: gamma, startingFrom: solution, options: lpOptions)
            }
            return (solution.packedSolution, solution.activeSet)
        }, conditions: LinearProgramConditions(layout: layout, regularization: gamma), options: options)
            .withOutputCount { _ in layout.solutionCount }
    }

    /// `c'z(x)` as a differentiable function of the packed parameters `x`, through a
    /// ``solutionMap(layout:regularization:lpOptions:options:)`` (`map`) of the same layout.
    /// Its gradient is the envelope formula `[z, lambda z', -lambda, mu z', -mu]` at a
    /// non-degenerate vertex (computed by Swift AD through the implicit derivative).
    @differentiable(reverse, wrt: x)
    public static func objectiveValue(_ x: Vector, map: ImplicitFunction<LPActiveSet>, layout: LPParameterLayout) -> Double {
        let z = map(x).entries(0..<layout.variableCount)
        return x.entries(layout.cRange).dot(z)
    }
}
