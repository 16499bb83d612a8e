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

/// Helpers shared by the conformances. Not API.
enum ProxSupport {
    /// Throws unless `x` is a finite scalar `>= 0` (or `> 0` when `strictly`).
    static func checkNonNegative(_ x: Double, _ name: String, strictly: Bool = false) throws {
        guard x.isFinite else { throw ProxError.nonFinite(name) }
        guard strictly ? x > 0 : x >= 0 else {
            throw ProxError.invalidParameter("\(name) must be \(strictly ? "positive" : "non-negative"), got \(x)")
        }
    }

    /// Throws unless `parameters` has `count` entries.
    static func checkCount(_ parameters: Vector, _ count: Int, _ name: String) throws {
        guard parameters.count == count else {
            throw ProxError.dimensionMismatch("\(name) takes \(count) parameters, got \(parameters.count)")
        }
        guard parameters.isFinite else { throw ProxError.nonFinite("the parameters of \(name)") }
    }

    /// `sign(x)` with `sign(0) = 0`.
    @inlinable
    static func sign(_ x: Double) -> Double { x > 0 ? 1 : (x < 0 ? -1 : 0) }

    /// An `n x 1` matrix with the entries of `v`.
    static func column(_ v: Vector) -> Matrix { Matrix(rows: v.count, columns: 1, scalars: v.scalars) }
}
