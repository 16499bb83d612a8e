/// The l1 ball `{w : ||w||_1 <= r}`, projected through the simplex threshold of `|v|`
/// (Duchi et al. 2008, doi:10.1145/1390156.1390191):
/// ```
/// P(v) = v                                       if ||v||_1 <= r
/// P(v) = sign(v) max(|v| - tau, 0)               otherwise, sum_i max(|v_i| - tau, 0) = r
/// J = D_S - s_S s_S' / |S|,   S = {i : |v_i| > tau},  s = sign(v)   (outside the ball)
/// d P / d r = s_S / |S|                                             (outside the ball)
/// ```
/// Kinks on the sphere `||v||_1 = r` and at `|v_i| = tau`; the margin is
/// `(r - ||v||_1) / r` inside and `min(min_i ||v_i| - tau| / (r/|S|), (||v||_1 - r)/r)` outside.
///
/// - Parameters: `theta = [r]`, `r > 0`.
public struct L1Ball: Projection {
    /// The radius `r > 0`.
    public let radius: Double

    /// The l1 ball of radius `r`.
    ///
    /// - Throws: ``ProxError`` unless `r > 0` is finite.
    public init(radius: Double) throws {
        try ProxSupport.checkNonNegative(radius, "the l1 ball radius", strictly: true)
        self.radius = radius
    }

    public var parameters: Vector { [radius] }
    public func withParameters(_ parameters: Vector) throws -> L1Ball {
        try ProxSupport.checkCount(parameters, 1, "L1Ball")
        return try L1Ball(radius: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    func l1(_ v: Vector) -> Double { v.scalars.reduce(0) { $0 + abs($1) } }

    public func contains(_ w: Vector, tolerance: Double) -> Bool { l1(w) <= radius * (1 + tolerance) }

    /// `tau` and `|S|` for `v` outside the ball.
    func threshold(_ v: Vector) -> (tau: Double, count: Int) {
        Simplex.threshold(v.scalars.map { abs($0) }, total: radius)
    }

    public func project(_ v: Vector) -> Vector {
        guard l1(v) > radius else { return v }
        let tau = threshold(v).tau
        return v.map { x in ProxSupport.sign(x) * Swift.max(abs(x) - tau, 0) }
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        guard l1(v) > radius else { return .scaledIdentity(1, count: v.count) }
        let tau = threshold(v).tau
        let mask = v.map { abs($0) > tau ? 1 : 0 }
        let signs = v.map { abs($0) > tau ? ProxSupport.sign($0) : 0 }
        let k = mask.sum()
        return ProxJacobian(diagonal: mask, rankOneTerms: k > 0 ? [(signs, -1 / k)] : [])
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        guard l1(v) > radius else { return Matrix(rows: v.count, columns: 1) }
        let tau = threshold(v).tau
        let signs = v.map { abs($0) > tau ? ProxSupport.sign($0) : 0 }
        let k = Swift.max(signs.scalars.reduce(0) { $0 + abs($1) }, 1)
        return ProxSupport.column(signs / k)
    }

    public func differentiabilityMargin(at v: Vector) -> Double {
        let norm = l1(v)
        guard norm > radius else { return (radius - norm) / radius }
        let (tau, k) = threshold(v)
        let unit = radius / Double(Swift.max(k, 1))
        let kinks = v.scalars.reduce(Double.infinity) { Swift.min($0, abs(abs($1) - tau) / unit) }
        return Swift.min(kinks, (norm - radius) / radius)
    }
}
