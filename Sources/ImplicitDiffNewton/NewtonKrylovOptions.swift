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

    /// Stopping rules and line search (the per-component step test on the GMRES
    /// correction, and the optional absolute residual test).
    public var newton: NewtonOptions
    /// The accuracy of each linear solve. Default: Eisenstat–Walker.
    public var forcing: ForcingTerm
    /// The smallest forcing term used, whatever ``forcing`` asks: GMRES cannot reduce the
    /// residual much below `ulp * cond(A)` with exact products, nor below about
    /// `sqrt(ulp) * cond(A)` with finite differences, and asking for more only exhausts its
    /// iteration cap. `nil` (default): `1e-8` with exact products, `1e-4` with finite
    /// differences (chosen, or the system's default ``FiniteDifferenceJacobian``). Near the root the outer iteration then converges linearly with this
    /// rate, which still gains many digits per step.
    public var minimumForcingTerm: Double?
    /// Where `A v` comes from in the Newton steps. Default `.system`. The implicit
    /// derivative always uses the system's operator.
    public var jacobianProducts: JacobianProducts
    /// GMRES restart length. Default 50.
    public var restart: Int
    /// Cap on GMRES iterations per Newton step (`nil`: `max(2n, 50)`).
    public var maxLinearIterations: Int?
    /// A right preconditioner `M^-1 ~ A^-1` built at each iterate `(x, y_k)`; `nil` for none.
    public var preconditioner: (@Sendable (_ x: Vector, _ y: Vector) -> any Preconditioner)?

    /// Options with the given fields (see each property for its meaning and default).
    public init(newton: NewtonOptions = .init(), forcing: ForcingTerm = .eisenstatWalker,
                minimumForcingTerm: Double? = nil, jacobianProducts: JacobianProducts = .system, restart: Int = 50,
                maxLinearIterations: Int? = nil,
                preconditioner: (@Sendable (_ x: Vector, _ y: Vector) -> any Preconditioner)? = nil) {
        self.newton = newton
        self.forcing = forcing
        self.minimumForcingTerm = minimumForcingTerm
        self.jacobianProducts = jacobianProducts
        self.restart = restart
        self.maxLinearIterations = maxLinearIterations
        self.preconditioner = preconditioner
    }

    /// ``minimumForcingTerm`` with its default resolved.
    func forcingFloor(finiteDifferences: Bool) -> Double {
        minimumForcingTerm ?? (finiteDifferences ? 1e-4 : 1e-8)
    }
}
