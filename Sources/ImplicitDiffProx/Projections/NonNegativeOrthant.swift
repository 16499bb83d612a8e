/// The non-negative orthant `{w : w >= 0}`; its projection is also the prox of the
/// non-negativity constraint (the penalty of non-negative least squares):
/// ```
/// P(v)_i = max(v_i, 0),      J = diag(1{v_i > 0})
/// ```
/// No parameters. Kinks at `v_i = 0`; the margin is `min_i |v_i| / ||v||_inf`.
public struct NonNegativeOrthant: Projection {
    /// The orthant (it has no parameters).
    public init() {}

    public var parameters: Vector { [] }
    public func withParameters(_ parameters: Vector) throws -> NonNegativeOrthant {
        try ProxSupport.checkCount(parameters, 0, "NonNegativeOrthant")
        return self
    }
    public func validate(dimension n: Int) throws {}

    public func contains(_ w: Vector, tolerance: Double) -> Bool {
        let floor = -tolerance * Swift.max(1, w.maxNorm)
        return w.scalars.allSatisfy { $0 >= floor }
    }

    public func project(_ v: Vector) -> Vector { v.map { Swift.max($0, 0) } }

    public func jacobian(at v: Vector) -> ProxJacobian { ProxJacobian(diagonal: v.map { $0 > 0 ? 1 : 0 }) }

    public func parameterJacobian(at v: Vector) -> any SendableLinearOperator { Matrix(rows: v.count, columns: 0) }

    public func differentiabilityMargin(at v: Vector) -> Double {
        let scale = Swift.max(v.maxNorm, Double.leastNormalMagnitude)
        return v.scalars.reduce(Double.infinity) { Swift.min($0, abs($1) / scale) }
    }
}
