import _Differentiation

/// A solution map `y(x; arguments)` differentiated with respect to `x` only: the
/// arguments (a data set, a mesh, fixed hyper-parameters, a model file) reach the solver
/// and the conditions at every call and are never differentiated, as JAXopt's `*args`
/// and ImplicitDifferentiation.jl's `args...`.
///
/// ```
/// y solves F(x, y; a) = 0        dy/dx = -(dF/dy)^-1 dF/dx   (a fixed)
/// ```
/// ```swift
/// let fit = ImplicitFunctionWithArguments<Dataset, Void>(
///     solver: { lambda, data in (ridgeSolve(data, lambda), ()) },
///     conditions: { lambda, w, data, _ in gradientOfLoss(data, w, lambda) })
/// let g = gradient(at: lambda) { lambda in validationLoss(fit(lambda, arguments: train)) }
/// ```
/// Each call builds the ``ImplicitFunction`` of its arguments (two closures, no copy of
/// the data), so everything ``ImplicitFunction`` does - the residual check, the linear
/// solver choice, failures inside ``withCheckedDerivatives(_:)`` - applies unchanged.
public struct ImplicitFunctionWithArguments<Arguments: Sendable, Byproduct>: Sendable {
    /// The type of `F(x, y, arguments, byproduct)`, reverse-differentiable in `x` and `y`.
    public typealias Conditions = @Sendable @differentiable(reverse) (Vector, Vector, @noDerivative Arguments, @noDerivative Byproduct) -> Vector

    /// The forward solver `(x, arguments) -> (y, byproduct)`.
    public let solver: @Sendable (Vector, Arguments) throws -> (Vector, Byproduct)
    /// `F(x, y, arguments, byproduct)`.
    public let conditions: Conditions
    /// Linear solver, tolerances and the residual check.
    public var options: ImplicitOptions

    /// The map from a solver and conditions that both take the arguments.
    public init(solver: @escaping @Sendable (Vector, Arguments) throws -> (Vector, Byproduct),
                conditions: @escaping Conditions, options: ImplicitOptions = .init()) {
        self.solver = solver
        self.conditions = conditions
        self.options = options
    }

    /// The implicit function of `x` alone for these arguments (the byproduct carries them
    /// to the conditions).
    public func function(arguments: Arguments) -> ImplicitFunction<ArgumentsAndByproduct> {
        let solver = self.solver, conditions = self.conditions
        return ImplicitFunction(solver: { x in
            let (y, byproduct) = try solver(x, arguments)
            return (y, ArgumentsAndByproduct(arguments: arguments, byproduct: byproduct))
        }, conditions: { x, y, carried in conditions(x, y, carried.arguments, carried.byproduct) }, options: options)
    }

    /// `y(x; arguments)`, differentiable with respect to `x`.
    @differentiable(reverse, wrt: x)
    public func callAsFunction(_ x: Vector, arguments: Arguments) -> Vector {
        function(arguments: arguments)(x)
    }

    /// The throwing API: `y(x; arguments)` and its derivative at `x`.
    public func derivative(at x: Vector, arguments: Arguments) throws -> (value: Vector, derivative: ImplicitDerivative) {
        try function(arguments: arguments).derivative(at: x)
    }

    /// What the conditions receive besides `x` and `y`.
    public struct ArgumentsAndByproduct {
        public let arguments: Arguments
        public let byproduct: Byproduct
    }
}
