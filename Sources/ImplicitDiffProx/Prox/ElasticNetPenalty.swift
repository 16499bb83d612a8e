/// The elastic-net penalty `g(w) = lambda1 ||w||_1 + lambda2/2 ||w||^2`:
/// ```
/// prox_{eta g}(v)_i = sign(v_i) max(|v_i| - eta lambda1, 0) / (1 + eta lambda2)
/// J = diag(1{|v_i| > eta lambda1}) / (1 + eta lambda2)
/// d prox / d lambda1 = -eta sign(v) / (1 + eta lambda2)             on S
/// d prox / d lambda2 = -eta soft(v, eta lambda1) / (1 + eta lambda2)^2
/// ```
/// Kinks at `|v_i| = eta lambda1`; the margin is `min_i ||v_i| - eta lambda1| / (eta lambda1)`
/// (`.infinity` when `lambda1 = 0`: then this is the ridge prox).
///
/// - Parameters: `theta = [lambda1, lambda2]`, both `>= 0`.
public struct ElasticNetPenalty: ProximalOperator {
    /// The l1 weight `lambda1 >= 0`.
    public let lambda1: Double
    /// The squared-l2 weight `lambda2 >= 0`.
    public let lambda2: Double

    /// The penalty with weights `lambda1, lambda2 >= 0`.
    ///
    /// - Throws: ``ProxError`` for a negative or non-finite weight.
    public init(lambda1: Double, lambda2: Double) throws {
        try ProxSupport.checkNonNegative(lambda1, "lambda1")
        try ProxSupport.checkNonNegative(lambda2, "lambda2")
        self.lambda1 = lambda1
        self.lambda2 = lambda2
    }

    public var parameters: Vector { [lambda1, lambda2] }
    public func withParameters(_ parameters: Vector) throws -> ElasticNetPenalty {
        try ProxSupport.checkCount(parameters, 2, "ElasticNetPenalty")
        return try ElasticNetPenalty(lambda1: parameters[0], lambda2: parameters[1])
    }
    public func validate(dimension n: Int) throws {}

    public func value(_ w: Vector) -> Double {
        lambda1 * w.scalars.reduce(0) { $0 + abs($1) } + 0.5 * lambda2 * w.squaredNorm()
    }

    public func prox(_ v: Vector, stepSize eta: Double) -> Vector {
        let t = eta * lambda1, c = 1 / (1 + eta * lambda2)
        return v.map { x in c * (x > t ? x - t : (x < -t ? x + t : 0)) }
    }

    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian {
        let t = eta * lambda1, c = 1 / (1 + eta * lambda2)
        return ProxJacobian(diagonal: v.map { abs($0) > t ? c : 0 })
    }

    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        let t = eta * lambda1, c = 1 / (1 + eta * lambda2)
        var m = Matrix(rows: v.count, columns: 2)
        for i in 0..<v.count where abs(v[i]) > t {
            let s = ProxSupport.sign(v[i])
            m[i, 0] = -eta * s * c
            m[i, 1] = -eta * (v[i] - t * s) * c * c
        }
        return m
    }

    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double {
        let t = eta * lambda1
        guard t > 0 else { return .infinity }
        return v.scalars.reduce(Double.infinity) { Swift.min($0, abs(abs($1) - t) / t) }
    }

    /// `lambda1 sign(w) + lambda2 w`.
    public func pieceGradient(at w: Vector) -> Vector { w.map { lambda1 * ProxSupport.sign($0) + lambda2 * $0 } }

    /// `[||w||_1, ||w||^2 / 2]`.
    public func parameterGradient(at w: Vector) -> Vector {
        [w.scalars.reduce(0) { $0 + abs($1) }, 0.5 * w.squaredNorm()]
    }
}
