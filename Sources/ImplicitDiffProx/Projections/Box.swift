/// The box `{w : l <= w <= u}` (also the prox of the indicator of the box, i.e. the
/// box constraint), with projection by clipping:
/// ```
/// P(v)_i = min(max(v_i, l_i), u_i)
/// J = diag(1{l_i < v_i < u_i})
/// d P / d l = diag(1{v_i < l_i}),    d P / d u = diag(1{v_i > u_i})
/// ```
/// Kinks at `v_i = l_i` and `v_i = u_i`; the margin is
/// `min_i min(|v_i - l_i|, |v_i - u_i|) / (u_i - l_i)` over coordinates with `l_i < u_i`.
///
/// - Parameters: `theta = [l, u]` (length `2n`), finite, `l <= u`.
public struct Box: Projection {
    /// `l`.
    public let lower: Vector
    /// `u`.
    public let upper: Vector

    /// The box `[l, u]`.
    ///
    /// - Throws: ``ProxError`` for bounds of different lengths, non-finite bounds or `l_i > u_i`.
    public init(lower: Vector, upper: Vector) throws {
        guard lower.count == upper.count else {
            throw ProxError.dimensionMismatch("lower has \(lower.count) entries, upper \(upper.count)")
        }
        guard lower.isFinite, upper.isFinite else { throw ProxError.nonFinite("the box bounds") }
        guard zip(lower.scalars, upper.scalars).allSatisfy({ $0 <= $1 }) else {
            throw ProxError.invalidParameter("the box has a lower bound above its upper bound")
        }
        self.lower = lower
        self.upper = upper
    }

    public var parameters: Vector { lower.concatenated(with: upper) }
    public func withParameters(_ parameters: Vector) throws -> Box {
        try ProxSupport.checkCount(parameters, 2 * lower.count, "Box")
        let n = lower.count
        return try Box(lower: parameters.slice(0..<n), upper: parameters.slice(n..<(2 * n)))
    }
    public func validate(dimension n: Int) throws {
        guard lower.count == n else { throw ProxError.dimensionMismatch("box of dimension \(lower.count) for \(n) unknowns") }
    }

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        (0..<w.count).allSatisfy { i in
            let slack = tolerance * Swift.max(1, abs(lower[i]), abs(upper[i]))
            return w[i] >= lower[i] - slack && w[i] <= upper[i] + slack
        }
    }

    public func project(_ v: Vector) -> Vector {
        Vector((0..<v.count).map { Swift.min(Swift.max(v[$0], lower[$0]), upper[$0]) })
    }

    public func jacobian(at v: Vector) -> ProxJacobian {
        ProxJacobian(diagonal: Vector((0..<v.count).map { v[$0] > lower[$0] && v[$0] < upper[$0] ? 1 : 0 }))
    }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator {
        let n = v.count
        let below = Vector((0..<n).map { v[$0] < lower[$0] ? 1 : 0 })
        let above = Vector((0..<n).map { v[$0] > upper[$0] ? 1 : 0 })
        return FunctionOperator(rows: n, columns: 2 * n,
                                apply: { t in below * t.slice(0..<n) + above * t.slice(n..<(2 * n)) },
                                applyTransposed: { z in (below * z).concatenated(with: above * z) })
    }

    public func differentiabilityMargin(at v: Vector) -> Double {
        var m = Double.infinity
        for i in 0..<v.count where upper[i] > lower[i] {
            m = Swift.min(m, Swift.min(abs(v[i] - lower[i]), abs(v[i] - upper[i])) / (upper[i] - lower[i]))
        }
        return m
    }
}
