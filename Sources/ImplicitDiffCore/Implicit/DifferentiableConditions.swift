import _Differentiation

/// Conditions `F(x, y, byproduct) = 0` written as a differentiable Swift function;
/// Swift's automatic differentiation supplies their linearisation.
///
/// Reverse mode needs only `A' w` and `B' w`, which one pullback of `F` gives for
/// any `w`: with `.automatic`, a pullback is a Krylov solve on `A'` (one pullback of `F`
/// per iteration) once `n_y` exceeds ``ImplicitOptions/matrixFreeDenseLimit``. Forward
/// mode and dense Jacobians need `A` and `B` themselves, which Swift's reverse-mode AD
/// gives only row by row: the first such request builds dense `A` and `B` from `n_y`
/// pullbacks (rows `e_i' [A B]`) and keeps them. Conformances of
/// ``ImplicitConditions`` with hand-written linearisations avoid that cost. Declare a
/// symmetric `A` (the conditions are the gradient of an objective) with
/// ``ImplicitOptions/symmetric``.
///
/// `F` is always differentiated jointly in `(x, y)`: differentiating a multi-argument
/// differentiable closure with respect to a subset of its arguments is a known
/// wrong-gradient trap of Swift AD.
public struct DifferentiableConditions<Byproduct>: ImplicitConditions {
    /// The type of `F(x, y, byproduct)`: reverse-differentiable in `x` and `y`.
    public typealias Function = @Sendable @differentiable(reverse) (Vector, Vector, @noDerivative Byproduct) -> Vector
    /// `F`.
    public let function: Function

    /// The conditions `function(x, y, byproduct) = 0`.
    public init(_ function: @escaping Function) { self.function = function }

    public func residual(x: Vector, y: Vector, byproduct: Byproduct) -> Vector {
        function(x, y, byproduct)
    }

    public func linearize(x: Vector, y: Vector, byproduct: Byproduct) throws -> ConditionsLinearization {
        let f = function
        let (value, pullback) = valueWithPullback(at: x, y) { x, y in f(x, y, byproduct) }
        guard value.count == y.count else {
            throw ImplicitDifferentiationError.dimensionMismatch(
                "the conditions return \(value.count) residuals for \(y.count) unknowns; F must be square in y")
        }
        let cache = PullbackJacobian(rows: value.count, xCount: x.count, yCount: y.count, pullback: pullback)
        return ConditionsLinearization(a: DenseJacobianBlock(cache: cache, block: .y),
                                       b: DenseJacobianBlock(cache: cache, block: .x), isMatrixFree: true)
    }
}

/// The rows of `[B A]` of differentiable conditions, from pullbacks; dense blocks built
/// once on first need. Not API.
final class PullbackJacobian {
    let rows: Int, xCount: Int, yCount: Int
    let pullback: (Vector) -> (Vector, Vector)
    private var dense: (b: Matrix, a: Matrix)?

    init(rows: Int, xCount: Int, yCount: Int, pullback: @escaping (Vector) -> (Vector, Vector)) {
        self.rows = rows
        self.xCount = xCount
        self.yCount = yCount
        self.pullback = pullback
    }

    /// `(B' w, A' w)`, materialised to full length: by the dense blocks once they exist
    /// (a direct solve formed them; a pullback of `F` would only repeat them), else by
    /// one pullback.
    func transposedProducts(_ w: Vector) -> (Vector, Vector) {
        if let d = dense {
            let wm = w.materialized(count: rows)
            return (d.b.transposedTimes(wm), d.a.transposedTimes(wm))
        }
        let (bx, ay) = pullback(w)
        return (bx.materialized(count: xCount), ay.materialized(count: yCount))
    }

    /// Dense `B` and `A`, from one pullback per row.
    var blocks: (b: Matrix, a: Matrix) {
        if let d = dense { return d }
        var b = Matrix(rows: rows, columns: xCount)
        var a = Matrix(rows: rows, columns: yCount)
        for i in 0..<rows {
            let (bi, ai) = transposedProducts(.basis(i, count: rows))
            b.scalars.replaceSubrange((i * xCount)..<((i + 1) * xCount), with: bi.scalars)
            a.scalars.replaceSubrange((i * yCount)..<((i + 1) * yCount), with: ai.scalars)
        }
        dense = (b, a)
        return (b, a)
    }
}

/// `A` or `B` of a ``PullbackJacobian``: transposed products by one pullback, direct
/// products through the dense block. Not API.
struct DenseJacobianBlock: AdjointableLinearOperator {
    enum Block { case x, y }
    let cache: PullbackJacobian
    let block: Block

    var matrix: Matrix { block == .x ? cache.blocks.b : cache.blocks.a }
    var rowCount: Int { cache.rows }
    var columnCount: Int { block == .x ? cache.xCount : cache.yCount }
    func apply(_ v: Vector) -> Vector { matrix * v }
    func densified() -> Matrix { matrix }
    func applyTransposed(_ v: Vector) -> Vector {
        let (bx, ay) = cache.transposedProducts(v)
        return block == .x ? bx : ay
    }
}
