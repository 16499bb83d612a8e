extension NewtonSolver {
    /// The solution map `x -> y(x)` of `F(x, y) = 0` as an `ImplicitFunction`, solved by
    /// this solver (its ``options``): callable inside Swift's `gradient(at:of:)` /
    /// `valueWithPullback(at:of:)`, with throwing `value`, `pushforward` and `jacobian` as
    /// well.
    ///
    /// ```swift
    /// let y = NewtonSolver().layer(for: system, initialGuess: { _ in .zeros(n) })
    /// let g = try withCheckedDerivatives { gradient(at: x) { x in y(x).sum() } }
    /// ```
    /// Every derivative reuses the factorisation of `dF/dy` at the root that Newton's
    /// method computed last: `A' w = ybar` and `A dy = -B dx` cost one solve each.
    ///
    /// - Parameters:
    ///   - system: the equations.
    ///   - initialGuess: `y_0` as a function of the parameters (the branch to follow).
    ///   - options: the implicit derivative's linear solver and residual check.
    public func layer<System: NonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonSolution<System.Jacobian>> {
        let solver = self
        return ImplicitFunction(solver: { x in
            let solution = try solver.solve(system, parameters: x, initialGuess: initialGuess(x))
            return (solution.y, solution)
        }, conditions: NewtonConditions(system), options: options).withOutputCount { initialGuess($0).count }
    }

    /// ``layer(for:initialGuess:options:)`` of `NewtonSolver(options: solverOptions)`: the
    /// same spelling as the other modules' layers (`solverOptions:` the forward solver's
    /// settings, `options:` the implicit derivative's).
    public static func layer<System: NonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector,
        solverOptions: NewtonOptions, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonSolution<System.Jacobian>> {
        NewtonSolver(options: solverOptions).layer(for: system, initialGuess: initialGuess, options: options)
    }

    @available(*, deprecated, renamed: "layer(for:initialGuess:options:)")
    public func implicitFunction<System: NonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonSolution<System.Jacobian>> {
        layer(for: system, initialGuess: initialGuess, options: options)
    }
}

extension NewtonKrylovSolver {
    /// The solution map `x -> y(x)` as an `ImplicitFunction` solved by this solver (see
    /// ``NewtonSolver/layer(for:initialGuess:options:)``); derivatives solve with the
    /// system's exact Jacobian operator at the root.
    public func layer<System: MatrixFreeNonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonKrylovSolution> {
        let solver = self
        return ImplicitFunction(solver: { x in
            let solution = try solver.solve(system, parameters: x, initialGuess: initialGuess(x))
            return (solution.y, solution)
        }, conditions: NewtonKrylovConditions(system), options: options).withOutputCount { initialGuess($0).count }
    }

    /// ``layer(for:initialGuess:options:)`` of `NewtonKrylovSolver(options: solverOptions)`.
    public static func layer<System: MatrixFreeNonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector,
        solverOptions: NewtonKrylovOptions, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonKrylovSolution> {
        NewtonKrylovSolver(options: solverOptions).layer(for: system, initialGuess: initialGuess, options: options)
    }

    @available(*, deprecated, renamed: "layer(for:initialGuess:options:)")
    public func implicitFunction<System: MatrixFreeNonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonKrylovSolution> {
        layer(for: system, initialGuess: initialGuess, options: options)
    }
}
