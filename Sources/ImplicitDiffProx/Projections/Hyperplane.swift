/// The hyperplane `{w : a'w = b}` (`a != 0`):
/// ```
/// P(v) = v - rho a,        rho = (a'v - b) / ||a||^2
/// J = I - a a' / ||a||^2
/// d P / d b = a / ||a||^2
/// d P / d a = -rho I - a (v - 2 rho a)' / ||a||^2
/// ```
/// Affine in `v`: no kinks (margin `.infinity`).
///
/// - Parameters: `theta = [a, b]` (length `n + 1`).
public struct Hyperplane: Projection {
    /// The normal `a != 0`.
    public let normal: Vector
    /// The offset `b`.
    public let offset: Double

    /// The hyperplane `{x : a'x = b}`.
    ///
    /// - Throws: ``ProxError`` for a zero or non-finite normal or offset.
    public init(normal: Vector, offset: Double) throws {
        guard normal.isFinite, offset.isFinite else { throw ProxError.nonFinite("the hyperplane") }
        guard normal.maxNorm > 0 else { throw ProxError.invalidParameter("the hyperplane normal is zero") }
        self.normal = normal
        self.offset = offset
    }

    public var parameters: Vector { normal.concatenated(with: [offset]) }
    public func withParameters(_ parameters: Vector) throws -> Hyperplane {
        try ProxSupport.checkCount(parameters, normal.count + 1, "Hyperplane")
        return try Hyperplane(normal: parameters.slice(0..<normal.count), offset: parameters[normal.count])
    }
    public func validate(dimension n: Int) throws {
        guard normal.count == n else { throw ProxError.dimensionMismatch("normal of length \(normal.count) for \(n) unknowns") }
    }

    /// `(a'v - b) / ||a||^2`.
    func rho(_ v: Vector) -> Double { (normal.dot(v) - offset) / normal.squaredNorm() }

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        abs(normal.dot(w) - offset) <= tolerance * Swift.max(1, abs(offset), normal.norm * w.norm)
    }

    public func project(_ v: Vector) -> Vector {
        var p = v
        p.add(normal, scaledBy: -rho(v))
        return p
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        ProxJacobian(diagonal: Vector(repeating: 1, count: v.count), rankOneTerms: [(normal, -1 / normal.squaredNorm())])
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        Self.parameterJacobian(normal: normal, rho: rho(v), at: v)
    }

    /// The operator `[d P/d a, d P/d b]` at `v` for the hyperplane `(a, b)` with `rho`.
    static func parameterJacobian(normal a: Vector, rho: Double, at v: Vector) -> FunctionOperator {
        let n = a.count, a2 = a.squaredNorm()
        var q = v
        q.add(a, scaledBy: -2 * rho)
        let w = q
        return FunctionOperator(
            rows: n, columns: n + 1,
            apply: { t in
                let da = t.slice(0..<n), db = t[n]
                var out = (-rho) * da
                out.add(a, scaledBy: (db - w.dot(da)) / a2)
                return out
            },
            applyTransposed: { z in
                let az = a.dot(z)
                var ga = (-rho) * z
                ga.add(w, scaledBy: -az / a2)
                return ga.concatenated(with: [az / a2])
            })
    }

    public func differentiabilityMargin(at v: Vector) -> Double { .infinity }
}
