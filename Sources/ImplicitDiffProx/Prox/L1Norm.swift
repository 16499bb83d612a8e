/// The l1 norm `g(w) = lambda ||w||_1`, whose prox is soft thresholding:
/// ```
/// prox_{eta g}(v)_i = sign(v_i) max(|v_i| - eta lambda, 0)
/// J = diag(1{|v_i| > eta lambda})                       (a mask)
/// d prox / d lambda = -eta sign(v) on S = {i : |v_i| > eta lambda}, 0 elsewhere
/// ```
/// Kinks at `|v_i| = eta lambda`; ``differentiabilityMargin(at:stepSize:)`` is
/// `min_i ||v_i| - eta lambda| / (eta lambda)`. In a lasso fixed point `v = w - eta grad f(w)`,
/// so off the support this is `1 - |grad_i f| / lambda`, the usual strict complementarity
/// margin.
///
/// - Parameters: `theta = [lambda]`, `lambda >= 0` (`lambda = 0` is the identity map).
public struct L1Norm: ProximalOperator {
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
    public func withParameters(_ parameters: Vector) throws -> L1Norm {
        try ProxSupport.checkCount(parameters, 1, "L1Norm")
        return try L1Norm(lambda: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    /// `lambda ||w||_1`.
    public func value(_ w: Vector) -> Double { lambda * w.scalars.reduce(0) { $0 + abs($1) } }

    public func prox(_ v: Vector, stepSize eta: Double) -> Vector {
        let t = eta * lambda
        return v.map { x in x > t ? x - t : (x < -t ? x + t : 0) }
    }

    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian {
        let t = eta * lambda
        return ProxJacobian(diagonal: v.map { abs($0) > t ? 1 : 0 })
    }

    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        let t = eta * lambda
        return ProxSupport.column(v.map { abs($0) > t ? -eta * ProxSupport.sign($0) : 0 })
    }

    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double {
        let t = eta * lambda
        guard t > 0 else { return .infinity }
        return v.scalars.reduce(Double.infinity) { Swift.min($0, abs(abs($1) - t) / t) }
    }

    /// `lambda sign(w)`.
    public func pieceGradient(at w: Vector) -> Vector { w.map { lambda * ProxSupport.sign($0) } }

    /// `[||w||_1]`.
    public func parameterGradient(at w: Vector) -> Vector { [w.scalars.reduce(0) { $0 + abs($1) }] }
}
