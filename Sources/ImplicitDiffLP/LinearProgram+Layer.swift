import _Differentiation

extension LinearProgram {
    /// The parameters of a linear program, for a layer in some of them
    /// (``layer(wrt:regularization:solverOptions:options:)``) and for derivatives of
    /// sparse programs.
    public typealias Parameter = SparseLinearProgramDerivative.Parameter

    /// The solution map `x = [c, vec(A), b, vec(G), h] -> y = [z, lambda, mu]` of linear
    /// programs of the given shape as an `ImplicitFunction`: GLPK solves (an opaque
    /// forward solver), ``LinearProgramConditions`` differentiate. It is callable inside
    /// `gradient(at:of:)` and `valueWithPullback(at:of:)`:
    /// ```swift
    /// let layout = LPParameterLayout(variables: n, equalities: p, inequalities: m)
    /// let layer = LinearProgram.layer(layout: layout)
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: x) { x in layout.z(layer(x)).dot(target) }   // d <z, target>/dx
    /// }
    /// ```
    /// At a degenerate vertex the derivative fails with ``LPError/degenerate(_:)`` (thrown by
    /// `withCheckedDerivatives`); with `regularization = gamma > 0` the map is that of the
    /// smoothed problem `min c'z + gamma/2 ||z||^2` (solved from the LP vertex), which is
    /// differentiable there. For a layer in some of the parameters only (an LP in `c`
    /// alone), see ``layer(wrt:regularization:solverOptions:options:)``.
    ///
    /// - Parameters:
    ///   - layout: `n`, `p`, `m` (the length of `x` must be `layout.parameterCount`).
    ///   - gamma: the `regularization` argument, `gamma >= 0`; 0 for the LP itself.
    ///   - solverOptions: simplex and degeneracy settings.
    ///   - options: the implicit derivative's settings (the default reuses the factorisation
    ///     made by the solver).
    public static func layer(layout: LPParameterLayout, regularization gamma: Double = 0,
                             solverOptions: LPOptions = .init(),
                             options: ImplicitOptions = .init()) -> ImplicitFunction<LPActiveSet> {
        ImplicitFunction(solver: { x in
            let problem = try LinearProgram(packed: x, layout: layout)
            var solution = try problem.solve(options: solverOptions)
            if gamma > 0 {
                solution = try problem.solveRegularized(gamma: gamma, startingFrom: solution, options: solverOptions)
            }
            return (solution.packedSolution, solution.activeSet)
        }, conditions: LinearProgramConditions(layout: layout, regularization: gamma), options: options)
            .withOutputCount { _ in layout.solutionCount }
    }

    /// This program as a layer in the parameters `wrt` alone, the others fixed at this
    /// program's values (never differentiated):
    /// ```
    /// x = the blocks of wrt, concatenated in the order [c, vec(A), b, vec(G), h]
    /// y = [z, lambda, mu]
    /// ```
    /// `wrt: [.c]` is the LP as a function of its costs, `x = c` (the decision layer of
    /// decision-focused learning); ``packed(wrt:)`` gives `x` at this program's values.
    /// The derivative uses the same factorisation as the full layer's (the solver's) and
    /// forms only the gradient blocks in `wrt`: in `c` alone, `cbar = -w_z` after one
    /// solve, without the outer products of `A` and `G`.
    ///
    /// At an LP vertex `dz/dc = 0` (``LPDifferentiability``); the smoothed layer
    /// (`regularization = gamma > 0`) gives the informative `dz/dc` of
    /// `min c'z + gamma/2 ||z||^2`:
    /// ```swift
    /// let decide = lp.layer(wrt: [.c], regularization: 0.1)
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: cHat) { c in lp.layout.z(decide(c)).dot(trueCost) }
    /// }
    /// ```
    public func layer(wrt parameters: Set<Parameter>, regularization gamma: Double = 0,
                      solverOptions: LPOptions = .init(),
                      options: ImplicitOptions = .init()) -> ImplicitFunction<LPActiveSet> {
        let layout = self.layout
        return LinearProgram.layer(layout: layout, regularization: gamma, solverOptions: solverOptions, options: options)
            .restricted(to: layout.ranges(of: parameters), fixing: packed)
    }

    /// The argument of ``layer(wrt:regularization:solverOptions:options:)`` at this
    /// program's values: the blocks of `wrt` in the order `[c, vec(A), b, vec(G), h]`.
    public func packed(wrt parameters: Set<Parameter>) -> Vector {
        ParameterSelection(blocks: layout.ranges(of: parameters), fullCount: layout.parameterCount).gather(packed)
    }

    @available(*, deprecated, renamed: "layer(layout:regularization:solverOptions:options:)")
    public static func solutionMap(layout: LPParameterLayout, regularization gamma: Double = 0,
                                   lpOptions: LPOptions = .init(),
                                   options: ImplicitOptions = .init()) -> ImplicitFunction<LPActiveSet> {
        layer(layout: layout, regularization: gamma, solverOptions: lpOptions, options: options)
    }

    /// `c'z(x)` as a differentiable function of the packed parameters `x`, through a
    /// ``layer(layout:regularization:solverOptions:options:)`` (`layer`) of the same layout.
    /// Its gradient is the envelope formula `[z, lambda z', -lambda, mu z', -mu]` at a
    /// non-degenerate vertex (computed by Swift AD through the implicit derivative).
    @differentiable(reverse, wrt: x)
    public static func objectiveValue(_ x: Vector, layer: ImplicitFunction<LPActiveSet>, layout: LPParameterLayout) -> Double {
        let z = layout.z(layer(x))
        return x.entries(layout.cRange).dot(z)
    }

    @available(*, deprecated, renamed: "objectiveValue(_:layer:layout:)")
    @differentiable(reverse, wrt: x)
    public static func objectiveValue(_ x: Vector, map: ImplicitFunction<LPActiveSet>, layout: LPParameterLayout) -> Double {
        objectiveValue(x, layer: map, layout: layout)
    }
}
