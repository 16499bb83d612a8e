/// A linear operator that can cross concurrency domains (a `Matrix`, a
/// `FunctionOperator`, a ``ProxJacobian``): what parameter Jacobians are returned as.
public protocol SendableLinearOperator: AdjointableLinearOperator, Sendable {}

extension Matrix: SendableLinearOperator {}
extension FunctionOperator: SendableLinearOperator {}
extension ProxJacobian: SendableLinearOperator {}
