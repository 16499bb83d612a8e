/// The Euclidean projection onto a closed convex set `C(theta)`:
/// ```
/// P_C(v) = argmin_{w in C} ||w - v||^2 = prox_{eta i_C}(v)   for every eta > 0,
/// ```
/// the proximal operator of the indicator `i_C` (zero on `C`, `+infinity` elsewhere).
public protocol Projection: ProximalOperator {
    /// `P_C(v)`.
    func project(_ v: Vector) -> Vector
    /// `d P_C(v) / dv`.
    func jacobian(at v: Vector) -> ProxJacobian
    /// `d P_C(v) / d theta` (`n x p`).
    func parameterJacobian(at v: Vector) -> any SendableLinearOperator
    /// Relative distance from `v` to the kinks of `P_C` (see ``ProximalOperator``).
    func differentiabilityMargin(at v: Vector) -> Double
    /// Whether `w` lies in `C` up to the relative tolerance `tolerance`.
    func contains(_ w: Vector, tolerance: Double) -> Bool
}

extension Projection {
    public func prox(_ v: Vector, stepSize eta: Double) -> Vector { project(v) }
    public func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian { jacobian(at: v) }
    public func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator {
        parameterJacobian(at: v)
    }
    public func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double {
        differentiabilityMargin(at: v)
    }
    /// `0` on the set, `+infinity` outside it.
    public func value(_ w: Vector) -> Double { contains(w, tolerance: 1e-9) ? 0 : .infinity }
    /// Zero: an indicator function is constant on every face of its set.
    public func pieceGradient(at w: Vector) -> Vector { .zeros(w.count) }
    /// Zero: the indicator is zero wherever it is finite. (The objective's sensitivity to
    /// the set's parameters flows through `dw/dtheta` instead.)
    public func parameterGradient(at w: Vector) -> Vector { .zeros(parameters.count) }
}
