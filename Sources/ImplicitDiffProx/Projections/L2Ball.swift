/// The Euclidean ball `{w : ||w||_2 <= r}`:
/// ```
/// P(v) = v                          if ||v|| <= r
/// P(v) = r v / ||v||                otherwise
/// J = (r/||v||) (I - n n'),   n = v/||v||      (outside; I inside)
/// d P / d r = n                                (outside; 0 inside)
/// ```
/// The only kink is the sphere; the margin is `| ||v|| - r | / r`.
///
/// - Parameters: `theta = [r]`, `r > 0`.
public struct L2Ball: Projection {
    /// The radius `r > 0`.
    public let radius: Double

    /// The l2 ball of radius `r`.
    ///
    /// - Throws: ``ProxError`` unless `r > 0` is finite.
    public init(radius: Double) throws {
        try ProxSupport.checkNonNegative(radius, "the l2 ball radius", strictly: true)
        self.radius = radius
    }

    public var parameters: Vector { [radius] }
    public func withParameters(_ parameters: Vector) throws -> L2Ball {
        try ProxSupport.checkCount(parameters, 1, "L2Ball")
        return try L2Ball(radius: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    public func contains(_ w: Vector, tolerance: Double) -> Bool { w.norm <= radius * (1 + tolerance) }

    public func project(_ v: Vector) -> Vector {
        let r = v.norm
        return r > radius ? (radius / r) * v : v
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        let r = v.norm
        guard r > radius else { return .scaledIdentity(1, count: v.count) }
        let c = radius / r
        return ProxJacobian(diagonal: Vector(repeating: c, count: v.count), rankOneTerms: [(v / r, -c)])
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        let r = v.norm
        return ProxSupport.column(r > radius ? v / r : .zeros(v.count))
    }

    public func differentiabilityMargin(at v: Vector) -> Double { abs(v.norm - radius) / radius }
}
