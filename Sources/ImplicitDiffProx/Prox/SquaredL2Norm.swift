/// The ridge penalty `g(w) = lambda/2 ||w||^2` (convention: one half, as in ridge
/// regression), whose prox is a shrinkage:
/// ```
/// prox_{eta g}(v) = v / (1 + eta lambda)
/// J = I / (1 + eta lambda)
/// d prox / d lambda = -eta v / (1 + eta lambda)^2
/// ```
/// Smooth everywhere: the margin is `.infinity`.
///
/// - Parameters: `theta = [lambda]`, `lambda >= 0`.
public struct SquaredL2Norm: ProximalOperator {
    /// The weight `lambda >= 0`.
    public let lambda: Double

    /// The penalty with weight `lambda >= 0`.
    ///
    /// - Throws: ``ProxError`` for a negative or non-finite weight.
    public init(lambda: Double) throws {
        try ProxSupport.checkNonNegative(lambda, "lambda")
        self.lambda = lambda
    }

    public var parameters: Vector { [lambda] }
    public func withParameters(_ parameters: Vector) throws -> SquaredL2Norm {
        try ProxSupport.checkCount(parameters, 1, "SquaredL2Norm")
        return try SquaredL2Norm(lambda: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    public func value(_ w: Vector) -> Double { 0.5 * lambda * w.squaredNorm() }

    public func prox(_ v: Vector, stepSize eta: Double) -> Vector { v / (1 + eta * lambda) }

    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian {
        .scaledIdentity(1 / (1 + eta * lambda), count: v.count)
    }

    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        let c = 1 / (1 + eta * lambda)
        return ProxSupport.column((-eta * c * c) * v)
    }

    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double { .infinity }

    /// `lambda w`.
    public func pieceGradient(at w: Vector) -> Vector { lambda * w }

    /// `[||w||^2 / 2]`.
    public func parameterGradient(at w: Vector) -> Vector { [0.5 * w.squaredNorm()] }
}
