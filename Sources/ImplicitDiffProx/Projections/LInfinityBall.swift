/// The l-infinity ball `{w : ||w||_inf <= r}` (the box `[-r, r]^n`):
/// ```
/// P(v)_i = min(max(v_i, -r), r)
/// J = diag(1{|v_i| < r}),      d P / d r = sign(v) 1{|v_i| > r}
/// ```
/// Kinks at `|v_i| = r`; the margin is `min_i ||v_i| - r| / r`.
///
/// - Parameters: `theta = [r]`, `r > 0`.
public struct LInfinityBall: Projection {
    /// The radius `r > 0`.
    public let radius: Double

    /// The l-infinity ball of radius `r`.
    ///
    /// - Throws: ``ProxError`` unless `r > 0` is finite.
    public init(radius: Double) throws {
        try ProxSupport.checkNonNegative(radius, "the l-infinity ball radius", strictly: true)
        self.radius = radius
    }

    public var parameters: Vector { [radius] }
    public func withParameters(_ parameters: Vector) throws -> LInfinityBall {
        try ProxSupport.checkCount(parameters, 1, "LInfinityBall")
        return try LInfinityBall(radius: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    public func contains(_ w: Vector, tolerance: Double) -> Bool { w.maxNorm <= radius * (1 + tolerance) }

    public func project(_ v: Vector) -> Vector { v.map { Swift.min(Swift.max($0, -radius), radius) } }

    public func jacobian(at v: Vector) -> ProxJacobian { ProxJacobian(diagonal: v.map { abs($0) < radius ? 1 : 0 }) }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        ProxSupport.column(v.map { abs($0) > radius ? ProxSupport.sign($0) : 0 })
    }

    public func differentiabilityMargin(at v: Vector) -> Double {
        v.scalars.reduce(Double.infinity) { Swift.min($0, abs(abs($1) - radius) / radius) }
    }
}
