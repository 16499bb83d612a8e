extension QuadraticProgram {
    /// The QP as an `ImplicitFunction` of its packed parameters
    /// `x = [vec(Q), q, vec(A), b, vec(G), h]` returning `y = [z, lambda, mu]`: a layer
    /// that works inside `gradient(at:of:)` (reverse mode through ``QPConditions``, with the
    /// solver's own factorisation) and in the throwing API (`pushforward`, `jacobian`).
    /// `Q` is symmetrised (`(Q + Q')/2`), so gradients with respect to it are symmetric.
    ///
    /// ```swift
    /// let shape = QPShape(n: 3, p: 1, m: 4)
    /// let layer = QuadraticProgram.layer(shape: shape)
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: x) { x in shape.z(layer(x)).dot(target) }
    /// }
    /// ```
    /// For a layer in some of the parameters only (the others fixed), see
    /// ``layer(wrt:solverOptions:policy:options:)``.
    ///
    /// - Parameters:
    ///   - shape: `(n, p, m)`; `x` must have `shape.parameterCount` entries.
    ///   - solverOptions: the forward solver's settings.
    ///   - policy: what the derivative does at weakly active constraints.
    ///   - options: the implicit derivative's settings (the default reuses the solver's
    ///     factorisation of the reduced KKT matrix).
    public static func layer(shape: QPShape, solverOptions: QPSolverOptions = .init(),
                             policy: QPWeaklyActivePolicy = .reject,
                             options: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        ImplicitFunction(solver: { x in
            let s = try shape.unpackProblem(x).solve(options: solverOptions)
            return (s.packed, s.byproduct)
        }, conditions: QPConditions(shape: shape, policy: policy), options: options)
            .withOutputCount { _ in shape.solutionCount }
    }

    /// This QP as a layer in the parameters `wrt` alone, the others fixed at this
    /// problem's values (never differentiated):
    /// ```
    /// x = the blocks of wrt, concatenated in the order [vec(Q), q, vec(A), b, vec(G), h]
    /// y = [z, lambda, mu]
    /// ```
    /// For `wrt: [.q, .h]`, `x = [q, h]` (``packed(wrt:)`` gives it at this problem's
    /// values). The derivative solves the same reduced KKT system as the full layer's
    /// (the solver's factorisation) but forms only the gradient blocks in `wrt`: a layer
    /// in `q` costs one triangular solve pair per pullback.
    ///
    /// ```swift
    /// let layer = qp.layer(wrt: [.q])
    /// let g = try withCheckedDerivatives {
    ///     gradient(at: qp.q) { q in qp.shape.z(layer(q)).dot(target) }
    /// }
    /// ```
    public func layer(wrt parameters: Set<QPParameter>, solverOptions: QPSolverOptions = .init(),
                      policy: QPWeaklyActivePolicy = .reject,
                      options: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        let shape = self.shape
        return QuadraticProgram.layer(shape: shape, solverOptions: solverOptions, policy: policy, options: options)
            .restricted(to: shape.ranges(of: parameters), fixing: shape.pack(self))
    }

    /// The argument of ``layer(wrt:solverOptions:policy:options:)`` at this problem's
    /// values: the blocks of `wrt` in the order `[vec(Q), q, vec(A), b, vec(G), h]`.
    public func packed(wrt parameters: Set<QPParameter>) -> Vector {
        let shape = self.shape
        return ParameterSelection(blocks: shape.ranges(of: parameters), fullCount: shape.parameterCount)
            .gather(shape.pack(self))
    }

    @available(*, deprecated, renamed: "layer(shape:solverOptions:policy:options:)",
               message: "options: is now the implicit derivative's ImplicitOptions; the QP solver's options are solverOptions:")
    public static func layer(shape: QPShape, options: QPSolverOptions, policy: QPWeaklyActivePolicy = .reject,
                             implicitOptions: ImplicitOptions = .init()) -> ImplicitFunction<QPByproduct> {
        layer(shape: shape, solverOptions: options, policy: policy, options: implicitOptions)
    }

    @available(*, deprecated, renamed: "layer(shape:solverOptions:policy:options:)",
               message: "the implicit derivative's options are now options:")
    public static func layer(shape: QPShape, policy: QPWeaklyActivePolicy = .reject,
                             implicitOptions: ImplicitOptions) -> ImplicitFunction<QPByproduct> {
        layer(shape: shape, solverOptions: .init(), policy: policy, options: implicitOptions)
    }
}
