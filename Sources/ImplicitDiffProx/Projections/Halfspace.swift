/// The halfspace `{w : a'w <= b}` (`a != 0`):
/// ```
/// P(v) = v                                        if a'v <= b
/// P(v) = v - rho a,  rho = (a'v - b)/||a||^2      otherwise (the hyperplane's projection)
/// ```
/// with the ``Hyperplane`` Jacobians outside and `J = I`, zero parameter Jacobian
/// inside. The only kink is the boundary; the margin is
/// `|a'v - b| / max(||a|| ||v||, |b|)`.
///
/// - Parameters: `theta = [a, b]` (length `n + 1`).
public struct Halfspace: Projection {
    /// The normal `a != 0`.
    public let normal: Vector
    /// The offset `b`.
    public let offset: Double

    /// The halfspace `{x : a'x <= b}`.
    ///
    /// - Throws: ``ProxError`` for a zero or non-finite normal or offset.
    public init(normal: Vector, offset: Double) throws {
        guard normal.isFinite, offset.isFinite else { throw ProxError.nonFinite("the halfspace") }
        guard normal.maxNorm > 0 else { throw ProxError.invalidParameter("the halfspace normal is zero") }
        self.normal = normal
        self.offset = offset
    }

    public var parameters: Vector { normal.concatenated(with: [offset]) }
    public func withParameters(_ parameters: Vector) throws -> Halfspace {
        try ProxSupport.checkCount(parameters, normal.count + 1, "Halfspace")
        return try Halfspace(normal: parameters.slice(0..<normal.count), offset: parameters[normal.count])
    }
    public func validate(dimension n: Int) throws {
        guard normal.count == n else { throw ProxError.dimensionMismatch("normal of length \(normal.count) for \(n) unknowns") }
    }

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        normal.dot(w) - offset <= tolerance * Swift.max(1, abs(offset), normal.norm * w.norm)
    }

    func rho(_ v: Vector) -> Double { (normal.dot(v) - offset) / normal.squaredNorm() }

    public func project(_ v: Vector) -> Vector {
        let r = rho(v)
        guard r > 0 else { return v }
        var p = v
        p.add(normal, scaledBy: -r)
        return p
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        guard rho(v) > 0 else { return .scaledIdentity(1, count: v.count) }
        return ProxJacobian(diagonal: Vector(repeating: 1, count: v.count), rankOneTerms: [(normal, -1 / normal.squaredNorm())])
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        let r = rho(v)
        guard r > 0 else { return Matrix(rows: v.count, columns: v.count + 1) }
        return Hyperplane.parameterJacobian(normal: normal, rho: r, at: v)
    }

    public func differentiabilityMargin(at v: Vector) -> Double {
        let scale = Swift.max(normal.norm * v.norm, abs(offset), Double.leastNormalMagnitude)
        return abs(normal.dot(v) - offset) / scale
    }
}
