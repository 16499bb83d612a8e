/// The smooth part `f(w; theta)` of a composite objective `f(w) + g(w)`: convex in `w`,
/// twice differentiable, with parameters `theta` (e.g. the data `X`, `y`).
///
/// Proximal gradient needs `f` and `grad f`; the implicit derivative of its fixed point
/// `w = prox_{eta g}(w - eta grad f(w))` needs the Hessian `H = d^2 f / dw^2` (through
/// products) and the mixed derivative `G = d(grad f)/d theta`:
/// ```
/// A = I - J (I - eta H),      B = [eta J G,  -d prox/d theta_g]      (J = d prox / dv)
/// ```
/// Conform a type with exact derivatives (``LeastSquares``, ``LogisticLoss``), or wrap a
/// differentiable Swift function in ``DifferentiableObjective``.
public protocol SmoothObjective: Sendable {
    /// The number of unknowns `n` (length of `w`).
    var dimension: Int { get }

    /// `theta`, packed into one vector (documented per type).
    var parameters: Vector { get }

    /// `parameters.count` (conformances with large `theta` give it without forming `theta`).
    var parameterCount: Int { get }

    /// The same objective with parameters `theta` (validated).
    func withParameters(_ parameters: Vector) throws -> Self

    /// `f(w)`.
    func value(at w: Vector) -> Double

    /// `f(w)` and `grad f(w)` in one pass.
    func valueAndGradient(at w: Vector) -> (value: Double, gradient: Vector)

    /// `grad f(w)`.
    func gradient(at w: Vector) -> Vector

    /// `H(w) v`.
    func hessianVectorProduct(at w: Vector, _ v: Vector) -> Vector

    /// The principal submatrix `H(w)[S, S]` for the index list `S` (default: `|S|`
    /// Hessian-vector products).
    func hessianBlock(at w: Vector, indices: [Int]) -> Matrix

    /// `G(w) = d(grad f)/d theta` at `w`: an `n x p` operator.
    func gradientParameterJacobian(at w: Vector) -> any SendableLinearOperator

    /// `df/dtheta` at fixed `w` (the envelope term of the objective's derivative).
    func parameterGradient(at w: Vector) -> Vector

    /// `G(w)' v + vbar df/dtheta`: the reverse-mode product a pullback needs, in one pass
    /// (default: from ``gradientParameterJacobian(at:)`` and ``parameterGradient(at:)``).
    func parameterPullback(at w: Vector, gradientCotangent v: Vector, valueCotangent vbar: Double) -> Vector

    /// Whether `f` is quadratic in `w` (so `grad f` is affine): then proximal gradient
    /// extrapolates gradients instead of re-evaluating them, and one Newton step is exact.
    var isQuadratic: Bool { get }

    /// The iteration after which switching to ``precomputed()`` pays for itself (least
    /// squares: forming `X'X` once, after which gradients cost `O(n^2)` instead of
    /// `O(N n)`), or `nil` when there is nothing to precompute. Default `nil`.
    var precomputationBreakEven: Int? { get }

    /// The same function with precomputed data for cheaper gradients (default: `self`).
    func precomputed() -> Self

    /// An estimate of the Lipschitz constant `L` of `grad f` (the largest eigenvalue of `H`)
    /// used for the step size `1/L`; `nil` lets the solver estimate it by power iteration.
    func lipschitzEstimate() -> Double?
}

extension SmoothObjective {
    public func value(at w: Vector) -> Double { valueAndGradient(at: w).value }
    public func gradient(at w: Vector) -> Vector { valueAndGradient(at: w).gradient }
    public var isQuadratic: Bool { false }
    public var parameterCount: Int { parameters.count }
    public var precomputationBreakEven: Int? { nil }
    public func precomputed() -> Self { self }
    public func lipschitzEstimate() -> Double? { nil }

    public func parameterPullback(at w: Vector, gradientCotangent v: Vector, valueCotangent vbar: Double) -> Vector {
        var out = gradientParameterJacobian(at: w).applyTransposed(v).materialized(count: parameters.count)
        if vbar != 0 { out.add(parameterGradient(at: w), scaledBy: vbar) }
        return out
    }

    public func hessianBlock(at w: Vector, indices: [Int]) -> Matrix {
        let k = indices.count
        var block = Matrix(rows: k, columns: k)
        for (b, j) in indices.enumerated() {
            let column = hessianVectorProduct(at: w, .basis(j, count: dimension))
            for (a, i) in indices.enumerated() { block[a, b] = column[i] }
        }
        return block.symmetricPart
    }

    /// The dense Hessian `H(w)`.
    public func hessian(at w: Vector) -> Matrix { hessianBlock(at: w, indices: Array(0..<dimension)) }

    /// The largest eigenvalue of `H(w)` by `iterations` steps of the power method from a
    /// fixed, deterministic start (a lower bound that converges from below).
    public func powerIteration(at w: Vector, iterations: Int = 20) -> Double {
        let n = dimension
        guard n > 0 else { return 0 }
        var v = Vector((0..<n).map { (i: Int) -> Double in 1 + 0.1 * Double((i * 7919) % 13) / 13 })
        v = v / v.norm
        var estimate = 0.0
        for _ in 0..<Swift.max(iterations, 1) {
            let hv = hessianVectorProduct(at: w, v)
            let norm = hv.norm
            estimate = v.dot(hv)
            guard norm > 0, norm.isFinite else { return Swift.max(estimate, 0) }
            v = hv / norm
        }
        return Swift.max(estimate, 0)
    }
}
