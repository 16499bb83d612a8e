/// The conditions `F(x, y) = 0` of a ``NonlinearSystem`` as `ImplicitConditions`, with
/// the ``NewtonSolution`` as byproduct:
/// ```
/// A = dF/dy  (the solution's Jacobian and factorisation, reused)
/// B = dF/dx  (the system's parameterJacobian)
/// ```
/// When asked about a `y` other than the solution's (which the implicit function
/// machinery never does), the Jacobian is evaluated and factorised at that `y` instead,
/// so the linearisation is always the one at the point asked about.
public struct NewtonConditions<System: NonlinearSystem>: ImplicitConditions {
    public typealias Byproduct = NewtonSolution<System.Jacobian>

    /// The equations.
    public let system: System

    /// The conditions of `system`.
    public init(_ system: System) { self.system = system }

    public func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        system.residual(x: x, y: y)
    }

    /// - Throws: `ImplicitDifferentiationError.singularSystem(_:)` when `A` is singular at `y`.
    public func linearize(x: Vector, y: Vector, byproduct solution: Byproduct) throws -> ConditionsLinearization {
        let a: System.Jacobian
        let factorization: Result<System.Jacobian.Factorized, LinearAlgebraError>
        if y == solution.y {
            a = solution.jacobian
            factorization = solution.factorization
        } else {
            a = try system.jacobian(x: x, y: y)
            factorization = Result { try a.nonsingularFactorization() }.mapError { $0 as? LinearAlgebraError ?? .singular(routine: "factorization", reciprocalCondition: 0) }
        }
        switch factorization {
        case let .success(f):
            return ConditionsLinearization(a: a, b: try system.parameterJacobian(x: x, y: y), factorizedA: f)
        case let .failure(reason):
            throw ImplicitDifferentiationError.singularSystem(
                "dF/dy is singular at the root (\(reason)): y(x) is not differentiable there (a fold or bifurcation point)")
        }
    }
}
