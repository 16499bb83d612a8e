import _Differentiation

/// A solution map `x -> y(x)`, computed by any solver and differentiated through the
/// conditions its output satisfies, never through the solver.
///
/// ```
/// y(x) solves F(x, y) = 0,   A = dF/dy,   B = dF/dx
/// forward:  A dy = -B dx          reverse:  A' w = ybar,  xbar = -B' w
/// ```
/// The solver returns `(y, byproduct)`; the byproduct (active set, potentials,
/// factorisation, ...) reaches the conditions and is never differentiated.
///
/// ```swift
/// let sqrtMap = ImplicitFunction(solver: { x in (newtonSqrt(x), ()) },
///                                conditions: { x, y, _ in y * y - x })
/// let y = sqrtMap(x)                                    // plain call
/// let g = gradient(at: x) { x in sqrtMap(x).sum() }     // Swift AD, implicit derivative
/// let J = try sqrtMap.jacobian(at: x)                   // one factorisation
/// ```
///
/// Two API levels:
/// * the throwing API (``value(at:)``, ``valueWithPullback(at:)``, ``pushforward(at:along:)``,
///   ``jacobian(at:)``, ``derivative(at:)``) reports every failure as an `Error`;
/// * the call `f(x)` is differentiable and works inside `gradient(at:of:)`; failures
///   there cannot be thrown through Swift AD, so they are collected by
///   ``withCheckedDerivatives(_:)``, and outside it they stop the program with the
///   error's description (never a silent NaN or zero gradient).
///
/// Mathematical properties: the derivative is exact for the conditions (up to the
/// linear solve's tolerance) whenever `A` is invertible at the solution; its accuracy
/// depends on how well the solver satisfied `F = 0`, which is checked
/// (``ImplicitOptions/residualTolerance``).
public struct ImplicitFunction<Byproduct>: Sendable {
    /// The forward solver `x -> (y, byproduct)`.
    public let solver: @Sendable (Vector) throws -> (Vector, Byproduct)
    /// The conditions `F(x, y, byproduct) = 0` and their linearisation.
    public let conditions: any ImplicitConditions<Byproduct>
    /// Linear solver, tolerances and the residual check.
    public var options: ImplicitOptions
    /// The length of `y` at `x` when it is known without solving (the solution maps of
    /// the built-in modules set it). It sizes the NaN placeholder that stands in for `y`
    /// when the solver fails inside ``withCheckedDerivatives(_:)``, so that arithmetic
    /// with other vectors of `y`'s length does not trap before the error is rethrown;
    /// without it the placeholder has `x.count` entries.
    public var outputCount: (@Sendable (_ x: Vector) -> Int)?

    /// This function with ``outputCount`` set.
    public func withOutputCount(_ count: @escaping @Sendable (_ x: Vector) -> Int) -> ImplicitFunction {
        var copy = self
        copy.outputCount = count
        return copy
    }

    /// An implicit function whose conditions supply their own linearisation.
    public init<C: ImplicitConditions>(solver: @escaping @Sendable (Vector) throws -> (Vector, Byproduct),
                                       conditions: C, options: ImplicitOptions = .init())
        where C.Byproduct == Byproduct {
        self.solver = solver
        self.conditions = conditions
        self.options = options
    }

    /// An implicit function whose conditions are a differentiable Swift function; Swift AD
    /// supplies `A' w` and `B' w` (see ``DifferentiableConditions`` for forward mode).
    public init(solver: @escaping @Sendable (Vector) throws -> (Vector, Byproduct),
                conditions: @escaping DifferentiableConditions<Byproduct>.Function,
                options: ImplicitOptions = .init()) {
        self.init(solver: solver, conditions: DifferentiableConditions(conditions), options: options)
    }

    /// Runs the solver: `y(x)` and the byproduct.
    public func solve(at x: Vector) throws -> (y: Vector, byproduct: Byproduct) {
        let (y, b) = try solver(x)
        return (y, b)
    }

    /// `y(x)`.
    public func value(at x: Vector) throws -> Vector { try solve(at: x).y }

    /// Solves at `x` and prepares the derivative there (checks the conditions, factorises once).
    public func derivative(at x: Vector) throws -> (value: Vector, derivative: ImplicitDerivative) {
        let (y, b) = try solve(at: x)
        return (y, try derivative(at: x, solution: y, byproduct: b))
    }

    /// The derivative at a solution already computed.
    public func derivative(at x: Vector, solution y: Vector, byproduct: Byproduct) throws -> ImplicitDerivative {
        try ImplicitDerivative(conditions: AnyConditions(conditions), x: x, y: y, byproduct: byproduct, options: options)
    }

    /// `y(x)` and the pullback `ybar -> xbar`, which can be called many times: the
    /// factorisation of `A` is made once, here.
    public func valueWithPullback(at x: Vector) throws -> (value: Vector, pullback: (Vector) throws -> Vector) {
        let (y, d) = try derivative(at: x)
        return (y, { try d.pullback($0) })
    }

    /// Forward mode: `dy = -A^-1 B dx`.
    public func pushforward(at x: Vector, along dx: Vector) throws -> Vector {
        try derivative(at: x).derivative.pushforward(dx)
    }

    /// The dense Jacobian `dy/dx` (`n_y x n_x`) with one factorisation and one
    /// multi-right-hand-side solve.
    public func jacobian(at x: Vector) throws -> Matrix {
        try derivative(at: x).derivative.jacobian()
    }
}

/// Opens an existential so the generic derivative machinery can take it. Not API.
struct AnyConditions<Byproduct>: ImplicitConditions {
    let base: any ImplicitConditions<Byproduct>
    init(_ base: any ImplicitConditions<Byproduct>) { self.base = base }
    func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        base.residual(x: x, y: y, byproduct: byproduct)
    }
    func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization {
        try base.linearize(x: x, y: y, byproduct: byproduct)
    }
}
