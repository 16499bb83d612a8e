/// A convex function `g(w; theta)` known through its proximal operator
/// ```
/// prox_{eta g}(v) = argmin_w  g(w) + ||w - v||^2 / (2 eta),     eta > 0
/// ```
/// and the derivatives of that operator, which is what proximal gradient and its
/// implicit derivative need.
///
/// Conformances state their formula in their doc comment. Each gives:
/// * the forward map ``prox(_:stepSize:)``;
/// * its Jacobian in `v` as a cheap structured ``ProxJacobian`` (a mask, a mask plus
///   rank-one terms), valid away from kinks;
/// * its Jacobian in the hyperparameters `theta` (``parameters``), e.g. `lambda`;
/// * ``differentiabilityMargin(at:stepSize:)``: how far `v` is from a kink, relative, so
///   that callers can refuse to differentiate at (or numerically next to) one;
/// * the value `g(w)` and its partial derivatives, for the objective's derivative.
///
/// Projections onto convex sets are the proximal operators of indicator functions
/// (independent of `eta`); they conform through ``Projection``.
public protocol ProximalOperator: Sendable {
    /// The hyperparameters `theta` of `g` (e.g. `[lambda]`), differentiable.
    var parameters: Vector { get }

    /// The same operator with hyperparameters `theta` (validated).
    func withParameters(_ parameters: Vector) throws -> Self

    /// Throws unless the operator applies to vectors of length `n`.
    func validate(dimension n: Int) throws

    /// `g(w)`: `+infinity` outside the domain (for a projection: outside the set, up to
    /// a relative tolerance of `1e-9`).
    func value(_ w: Vector) -> Double

    /// `prox_{eta g}(v)`.
    func prox(_ v: Vector, stepSize eta: Double) -> Vector

    /// `d prox_{eta g}(v) / dv`, symmetric; where the prox has a kink the returned element
    /// is one element of the generalised (Clarke) Jacobian.
    func jacobian(at v: Vector, stepSize eta: Double) -> ProxJacobian

    /// `d prox_{eta g}(v) / d theta`, an `n x p` operator (`p = parameters.count`).
    func parameterJacobian(at v: Vector, stepSize eta: Double) -> any SendableLinearOperator

    /// The smallest distance from `v` to the set where `prox_{eta g}` is not
    /// differentiable, relative to the operator's natural scale (documented per type);
    /// `.infinity` for smooth operators. Zero means `v` sits on a kink.
    func differentiabilityMargin(at v: Vector, stepSize eta: Double) -> Double

    /// The gradient in `w` of `g` restricted to the smooth piece that contains `w` (e.g.
    /// `lambda sign(w)` for the l1 norm, zero for an indicator function).
    func pieceGradient(at w: Vector) -> Vector

    /// `dg(w; theta)/dtheta` at fixed `w` (e.g. `||w||_1` for `lambda ||w||_1`).
    func parameterGradient(at w: Vector) -> Vector
}
