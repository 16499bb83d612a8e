extension NewtonSolver {
    /// The solution map `x -> y(x)` of `F(x, y) = 0` as an `ImplicitFunction`: callable
    /// inside Swift's `gradient(at:of:)` / `valueWithPullback(at:of:)`, with throwing
    /// `value`, `pushforward` and `jacobian` as well.
    ///
    /// ```swift
    /// let y = NewtonSolver().implicitFunction(for: system, initialGuess: { _ in .zeros(n) })
    /// let g = try withCheckedDerivatives { gradient(at: x) { x in y(x).sum() } }
    /// ```
    /// Every derivative reuses the factorisation of `dF/dy` at the root that Newton's
    /// method computed last: `A' w = ybar` and `A dy = -B dx` cost one solve each.
    ///
    /// - Parameters:
    ///   - system: the equations.
    ///   - initialGuess: `y_0` as a function of the parameters (the branch to follow).
    ///   - options: the implicit derivative's linear solver and residual check.
    public func implicitFunction<System: NonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonSolution<System.Jacobian>> {
        let solver = self
        return ImplicitFunction(solver: { x in
            let solution = try solver.solve(system, parameters: x, initialGuess: initialGuess(x))
            return (solution.y, solution)
        }, conditions: NewtonConditions(system), options: options).withOutputCount { initialGuess($0).count }
    }
}

extension NewtonKrylovSolver {
    /// The solution map `x -> y(x)` as an `ImplicitFunction` (see
    /// ``NewtonSolver/implicitFunction(for:initialGuess:options:)``); derivatives solve
    /// with the system's exact Jacobian operator at the root.
    public func implicitFunction<System: MatrixFreeNonlinearSystem>(
        for system: System, initialGuess: @escaping @Sendable (Vector) -> Vector, options: ImplicitOptions = .init()
    ) -> ImplicitFunction<NewtonKrylovSolution> {
        let solver = self
        return ImplicitFunction(solver: { x in
            let solution = try solver.solve(system, parameters: x, initialGuess: initialGuess(x))
            return (solution.y, solution)
        }, conditions: NewtonKrylovConditions(system), options: options).withOutputCount { initialGuess($0).count }
    }
}
