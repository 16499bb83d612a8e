/// The l1 norm restricted to the non-negative orthant, `g(w) = lambda sum_i w_i` for
/// `w >= 0` (`+infinity` otherwise): the penalty of the non-negative lasso.
/// ```
/// prox_{eta g}(v)_i = max(v_i - eta lambda, 0)
/// J = diag(1{v_i > eta lambda})
/// d prox / d lambda = -eta on S = {i : v_i > eta lambda}, 0 elsewhere
/// ```
/// Kinks at `v_i = eta lambda`; the margin is `min_i |v_i - eta lambda| / s` with
/// `s = eta lambda` when `lambda > 0` and `s = max(||v||_inf, tiny)` when `lambda = 0`.
///
/// - Parameters: `theta = [lambda]`, `lambda >= 0` (`lambda = 0` is the orthant projection).
public struct NonNegativeL1Norm: ProximalOperator {
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
    public func withParameters(_ parameters: Vector) throws -> NonNegativeL1Norm {
        try ProxSupport.checkCount(parameters, 1, "NonNegativeL1Norm")
        return try NonNegativeL1Norm(lambda: parameters[0])
    }
    public func validate(dimension n: Int) throws {}

    /// `lambda sum w` on `w >= 0` (entries down to `-1e-9 max(1, ||w||_inf)` count as 0).
    public func value(_ w: Vector) -> Double {
        let floor = -1e-9 * Swift.max(1, w.maxNorm)
        return w.scalars.allSatisfy({ $0 >= floor }) ? lambda * w.sum() : .infinity
    }

    public func prox(_ v: Vector, stepSize eta: Double) -> Vector {
        let t = eta * lambda
        return v.map { Swift.max($0 - t, 0) }
    }

    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian {
        let t = eta * lambda
        return ProxJacobian(diagonal: v.map { $0 > t ? 1 : 0 })
    }

    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        let t = eta * lambda
        return ProxSupport.column(v.map { $0 > t ? -eta : 0 })
    }

    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double {
        let t = eta * lambda
        let scale = t > 0 ? t : Swift.max(v.maxNorm, Double.leastNormalMagnitude)
        return v.scalars.reduce(Double.infinity) { Swift.min($0, abs($1 - t) / scale) }
    }

    /// `lambda` on every coordinate (the slope of the active piece).
    public func pieceGradient(at w: Vector) -> Vector { Vector(repeating: lambda, count: w.count) }

    /// `[sum w]`.
    public func parameterGradient(at w: Vector) -> Vector { [w.sum()] }
}
