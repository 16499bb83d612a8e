/// Optimality conditions `F(x, y, byproduct) = 0` that characterise the output `y(x)`
/// of a solver, together with their linearisation.
///
/// With `A = dF/dy` (`n_y x n_y`) and `B = dF/dx` (`n_y x n_x`) at a solution, the
/// implicit function theorem gives the derivative of the solver without differentiating it:
/// ```
/// forward  (pushforward):  A dy = -B dx
/// reverse  (pullback):     A' w = ybar,   xbar = -B' w
/// Jacobian:                A J = -B
/// ```
/// It requires `A` to be invertible at the solution; a singular `A` is reported as
/// ``ImplicitDifferentiationError/singularSystem(_:)``.
///
/// Conform a type to give exact, hand-derived linearisations (every built-in module
/// does). For conditions written as a Swift function, use ``DifferentiableConditions``,
/// which gets them from Swift's automatic differentiation.
public protocol ImplicitConditions<Byproduct>: Sendable {
    /// What the solver returns besides `y` and the derivative needs (active set,
    /// factorisation, potentials). It is never differentiated.
    associatedtype Byproduct

    /// `F(x, y, byproduct)`, which is zero at the solution.
    func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector

    /// `A = dF/dy` and `B = dF/dx` at `(x, y)`.
    func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization
}

/// `A = dF/dy` and `B = dF/dx` of conditions at a point, as lazy operators, with
/// whatever dense or factorised forms the conditions already have.
///
/// Giving ``factorizedA`` means the derivative never factorises again: every pullback,
/// pushforward and Jacobian column reuses it.
public struct ConditionsLinearization {
    /// `A = dF/dy`, `n_y x n_y`.
    public var a: any AdjointableLinearOperator
    /// `B = dF/dx`, `n_y x n_x`.
    public var b: any AdjointableLinearOperator
    /// A factorisation of `A` that is already at hand (e.g. the last Newton step's).
    public var factorizedA: (any Factorization)?
    /// Whether `A` is symmetric (lets `.automatic` pick MINRES or LDL').
    public var isSymmetric: Bool
    /// Whether `A` is symmetric positive definite (lets `.automatic` pick CG or Cholesky).
    public var isPositiveDefinite: Bool
    /// The derivative in closed form, for conditions whose `A^-1 r` cannot be carried
    /// accurately as a vector; used instead of ``factorizedA`` and ``b`` whenever the
    /// solve is direct with ``factorizedA`` (see ``FusedDerivative``).
    public var fusedDerivative: FusedDerivative?
    /// Whether `A` is known only through products, so that forming it costs `n_y` of them
    /// (conditions differentiated by Swift AD: one pullback per row). `.automatic` then
    /// prefers a Krylov method for a pullback (see ``LinearSolverChoice/automatic``), and
    /// the residual check estimates `A v` by central differences of `F` rather than forming `A`.
    public var isMatrixFree: Bool
    /// The conditions' own preconditioner for Krylov solves of `A`, used when
    /// ``ImplicitOptions/preconditioner`` is `nil` (e.g. the inverse diagonal of a
    /// Schur complement the conditions form anyway).
    public var preconditioner: ImplicitPreconditioner?
    /// The largest `n_y` that `.automatic` solves by a dense factorisation for these
    /// conditions, when forming `A` costs more than the Krylov products it saves (a Schur
    /// complement `S = D - P' D_r^-1 P` is formed in `n_y^2 n` flops but applied in
    /// `2 n n_y`); the smaller of this and ``ImplicitOptions/denseLimit`` applies. `nil`:
    /// the options' limit alone.
    public var denseLimit: Int?

    /// A linearisation with the given operators, optional factorisation of `A`, and structure flags.
    public init(a: any AdjointableLinearOperator, b: any AdjointableLinearOperator,
                factorizedA: (any Factorization)? = nil, isSymmetric: Bool = false,
                isPositiveDefinite: Bool = false, fusedDerivative: FusedDerivative? = nil,
                isMatrixFree: Bool = false, preconditioner: ImplicitPreconditioner? = nil, denseLimit: Int? = nil) {
        self.a = a
        self.b = b
        self.factorizedA = factorizedA
        self.isSymmetric = isSymmetric || isPositiveDefinite
        self.isPositiveDefinite = isPositiveDefinite
        self.fusedDerivative = fusedDerivative
        self.isMatrixFree = isMatrixFree
        self.preconditioner = preconditioner
        self.denseLimit = denseLimit
    }

    /// The dense `A`: the operator itself when it is a ``Matrix``, else built from products.
    public func denseA() -> Matrix {
        if let m = a as? Matrix { return m }
        return a.densified()
    }

    /// The dense `B`, built from whichever of `B v` or `B' w` needs fewer products.
    public func denseB() -> Matrix {
        if let m = b as? Matrix { return m }
        if let c = b as? DenseJacobianBlock { return c.matrix }
        return b.rowCount <= b.columnCount ? b.densifiedByRows() : b.densified()
    }
}

/// `-A^-1 B dx` and `-B' A^-T ybar` computed in one piece by the conditions, each with
/// the relative residual of the linear system it actually solved.
///
/// The generic derivative forms `w = A^-T ybar` as a vector and then `B' w`. When `A^-1`
/// has a large part that `B'` annihilates in exact arithmetic, the rounding of that part
/// in `w` survives the product: ridge regression with more features than samples has
/// `A^-1 = (I - X'(XX' + lambda I)^-1 X) / lambda`, whose `1/lambda` null-space part cost
/// four digits of the gradient at `lambda = 1e-10`. Conditions that know a closed form
/// without the cancellation (here the push-through identity
/// `A^-1 X' = X'(XX' + lambda I)^-1`) give it as a `FusedDerivative`.
public struct FusedDerivative: Sendable {
    /// `dx -> (-A^-1 B dx, relative residual)`.
    public var pushforward: @Sendable (Vector) -> (Vector, Double)
    /// `ybar -> (-B' A^-T ybar, relative residual)`.
    public var pullback: @Sendable (Vector) -> (Vector, Double)

    /// The two maps.
    public init(pushforward: @escaping @Sendable (Vector) -> (Vector, Double),
                pullback: @escaping @Sendable (Vector) -> (Vector, Double)) {
        self.pushforward = pushforward
        self.pullback = pullback
    }
}
