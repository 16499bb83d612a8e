import Glibc

/// The elementwise cubic `y_i^3 + y_i = x_i`: one strictly increasing scalar equation per
/// entry, so exactly one real root for every `x`.
/// ```
/// F(x, y)_i = y_i^3 + y_i - x_i
/// A = dF/dy = diag(3 y_i^2 + 1)          (diagonal, stored tridiagonal: O(n) solves)
/// B = dF/dx = -I
/// dy_i/dx_i = 1 / (3 y_i^2 + 1)          (closed form for checking)
/// ```
public struct ElementwiseCubic: NonlinearSystem {
    /// The system (it has no data).
    public init() {}

    public func residual(x: Vector, y: Vector) -> Vector {
        guard x.count == y.count else { return Vector(repeating: .nan, count: y.count) }
        return Vector(zip(y.scalars, x.scalars).map { y, x in (y * y + 1) * y - x })
    }

    public func jacobian(x: Vector, y: Vector) -> TridiagonalMatrix {
        TridiagonalMatrix(diagonal: y.scalars.map { 3 * $0 * $0 + 1 })
    }

    public func parameterJacobian(x: Vector, y: Vector) -> any AdjointableLinearOperator {
        FunctionOperator(rows: y.count, columns: x.count, apply: { -$0 }, applyTransposed: { -$0 })
    }

    /// - Throws: ``NewtonError/dimensionMismatch(_:)`` unless `x` has `n` entries.
    public func validate(parameters x: Vector, unknowns n: Int) throws {
        guard x.count == n else {
            throw NewtonError.dimensionMismatch("the cubic has one parameter per unknown: \(x.count) parameters for \(n) unknowns")
        }
    }

    /// A starting point in Newton's region of fast convergence: `x_i` where `|x_i| <= 1`
    /// (the linear term dominates), `cbrt(x_i)` elsewhere (the cubic term does).
    public static func initialGuess(for x: Vector) -> Vector {
        x.map { abs($0) <= 1 ? $0 : cbrt($0) }
    }
}
