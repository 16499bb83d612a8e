import _Differentiation

/// A smooth objective `f(w, theta)` given as a differentiable Swift function.
///
/// Swift's reverse-mode AD gives `f`, `grad_w f` and `grad_theta f` exactly. It does not
/// give second derivatives, so the Hessian and mixed products are central differences of
/// the AD gradients:
/// ```
/// H v      ~ (grad_w f(w + h v, theta) - grad_w f(w - h v, theta)) / (2h)
/// G dtheta ~ (grad_w f(w, theta + h dtheta) - grad_w f(w, theta - h dtheta)) / (2h)
/// G' v     ~ (grad_theta f(w + h v, theta) - grad_theta f(w - h v, theta)) / (2h)
/// ```
/// with `h = step * max(1, ||point||) / ||direction||`. These are exact up to rounding
/// when `f` is quadratic, and accurate to about `1e-8` relative otherwise (the default
/// `step = 1e-5` balances truncation `O(h^2)` against rounding `O(ulp / h)`). For exact
/// second derivatives conform your own type to ``SmoothObjective``.
public struct DifferentiableObjective: SmoothObjective {
    /// The type of `f(w, theta)`: reverse-differentiable in both arguments.
    public typealias Function = @Sendable @differentiable(reverse) (Vector, Vector) -> Double
    /// `f(w, theta)`.
    public let function: Function
    public let dimension: Int
    public let parameters: Vector
    public let isQuadratic: Bool
    /// The relative finite-difference step for second derivatives.
    public var step: Double

    /// - Parameters:
    ///   - dimension: the length of `w`.
    ///   - parameters: `theta` (may be empty).
    ///   - isQuadratic: declare `f` quadratic in `w` to let the solver extrapolate gradients.
    ///   - step: the relative finite-difference step for second derivatives.
    ///   - function: `f(w, theta)`, differentiable in both arguments.
    public init(dimension: Int, parameters: Vector = [], isQuadratic: Bool = false, step: Double = 1e-5,
                _ function: @escaping Function) {
        self.function = function
        self.dimension = dimension
        self.parameters = parameters
        self.isQuadratic = isQuadratic
        self.step = step
    }

    public func withParameters(_ parameters: Vector) throws -> DifferentiableObjective {
        guard parameters.count == self.parameters.count else {
            throw ProxError.dimensionMismatch("the objective takes \(self.parameters.count) parameters, got \(parameters.count)")
        }
        guard parameters.isFinite else { throw ProxError.nonFinite("the objective's parameters") }
        return DifferentiableObjective(dimension: dimension, parameters: parameters, isQuadratic: isQuadratic,
                                       step: step, function)
    }

    /// `f`, `grad_w f`, `grad_theta f` by one reverse pass.
    func gradients(at w: Vector, _ theta: Vector) -> (value: Double, w: Vector, theta: Vector) {
        let f = function
        let (value, (gw, gt)) = valueWithGradient(at: w, theta) { w, t in f(w, t) }
        return (value, gw.materialized(count: w.count), gt.materialized(count: theta.count))
    }

    public func value(at w: Vector) -> Double { function(w, parameters) }

    public func valueAndGradient(at w: Vector) -> (value: Double, gradient: Vector) {
        let g = gradients(at: w, parameters)
        return (g.value, g.w)
    }

    func increment(at point: Vector, along direction: Vector) -> Double? {
        let norm = direction.norm
        guard norm > 0 else { return nil }
        return step * Swift.max(1, point.norm) / norm
    }

    public func hessianVectorProduct(at w: Vector, _ v: Vector) -> Vector {
        guard let h = increment(at: w, along: v) else { return .zeros(dimension) }
        let plus = gradients(at: w + h * v, parameters).w, minus = gradients(at: w - h * v, parameters).w
        return (plus - minus) / (2 * h)
    }

    public func gradientParameterJacobian(at w: Vector) -> any SendableLinearOperator {
        let me = self
        return FunctionOperator(
            rows: dimension, columns: parameters.count,
            apply: { dt in
                guard let h = me.increment(at: me.parameters, along: dt) else { return .zeros(me.dimension) }
                let plus = me.gradients(at: w, me.parameters + h * dt).w
                let minus = me.gradients(at: w, me.parameters - h * dt).w
                return (plus - minus) / (2 * h)
            },
            applyTransposed: { v in
                guard let h = me.increment(at: w, along: v) else { return .zeros(me.parameters.count) }
                let plus = me.gradients(at: w + h * v, me.parameters).theta
                let minus = me.gradients(at: w - h * v, me.parameters).theta
                return (plus - minus) / (2 * h)
            })
    }

    public func parameterGradient(at w: Vector) -> Vector { gradients(at: w, parameters).theta }
}
