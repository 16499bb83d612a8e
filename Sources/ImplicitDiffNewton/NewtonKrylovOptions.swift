/// Options of ``NewtonKrylovSolver``: the outer Newton iteration, the forcing terms, where
/// Jacobian-vector products come from, and the inner GMRES.
public struct NewtonKrylovOptions: Sendable {
    /// Where the products `A v` of the Newton steps come from.
    public enum JacobianProducts: Sendable, Equatable {
        /// The system's ``MatrixFreeNonlinearSystem/jacobianOperator(x:y:)``.
        case system
        /// Forward differences of the residual, reusing `F(y_k)`: one residual evaluation
        /// per product (see ``FiniteDifferenceJacobian``).
        case finiteDifferences
    }

    /// Stopping rules and line search (the rounding-floor test needs `|A|` and does not
    /// apply: the residual and step tests do).
    public var newton: NewtonOptions
    /// The accuracy of each linear solve. Default: Eisenstat–Walker.
    public var forcing: ForcingTerm
    /// Where `A v` comes from in the Newton steps. Default `.system`. The implicit
    /// derivative always uses the system's operator.
    public var jacobianProducts: JacobianProducts
    /// GMRES restart length. Default 50.
    public var restart: Int
    /// Cap on GMRES iterations per Newton step (`nil`: `max(2n, 50)`).
    public var maxLinearIterations: Int?
    /// A right preconditioner `M^-1 ~ A^-1` built at each iterate `(x, y_k)`; `nil` for none.
    public var preconditioner: (@Sendable (_ x: Vector, _ y: Vector) -> any Preconditioner)?

    public init(newton: NewtonOptions = .init(), forcing: ForcingTerm = .eisenstatWalker,
                jacobianProducts: JacobianProducts = .system, restart: Int = 50, maxLinearIterations: Int? = nil,
                preconditioner: (@Sendable (_ x: Vector, _ y: Vector) -> any Preconditioner)? = nil) {
        self.newton = newton
        self.forcing = forcing
        self.jacobianProducts = jacobianProducts
        self.restart = restart
        self.maxLinearIterations = maxLinearIterations
        self.preconditioner = preconditioner
    }
}
