/// A tangent (forward mode) or a gradient (reverse mode) of the parameters of a
/// ``SinkhornProblem``: the cost matrix or the point clouds, the marginals and `eps`.
///
/// Empty matrices and vectors (`.zero`) stand for zeros of the right shape.
///
/// * As a **tangent** (``SinkhornDerivative/pushforward(_:)``): the cost moves by
///   `dC = costMatrix + 2 (x_i - y_j)'(dx_i - dy_j)` (the point-cloud part only for
///   point-cloud problems); `a` and `b` are projected to zero sum first (only
///   mass-preserving directions are meaningful) when the problem is balanced, used as
///   given when it is unbalanced.
/// * As a **gradient** (``SinkhornDerivative/pullback(_:)``,
///   ``SinkhornSolution/costGradient``): `costMatrix` is `dL/dC`, and for point-cloud
///   problems `x`, `y` are `dL/dx`, `dL/dy` by the chain rule; `a` and `b` are projected
///   to zero sum (balanced problems only).
public struct SinkhornParameterTangent: Sendable, Equatable {
    /// `dC` or `dL/dC` (`n x m`).
    public var costMatrix: Matrix
    /// `dx` or `dL/dx` (`n x d`), point-cloud problems only.
    public var x: Matrix
    /// `dy` or `dL/dy` (`m x d`), point-cloud problems only.
    public var y: Matrix
    /// `da` or `dL/da` (`n`).
    public var a: Vector
    /// `db` or `dL/db` (`m`).
    public var b: Vector
    /// `d eps` or `dL/d eps`.
    public var epsilon: Double

    /// A bundle with the given fields (empty fields are zeros).
    public init(costMatrix: Matrix = .zero, x: Matrix = .zero, y: Matrix = .zero, a: Vector = .zero,
                b: Vector = .zero, epsilon: Double = 0) {
        self.costMatrix = costMatrix
        self.x = x
        self.y = y
        self.a = a
        self.b = b
        self.epsilon = epsilon
    }
}
