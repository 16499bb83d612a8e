import Foundation

/// The 1-D Bratu problem `-u'' = lambda exp(u)` on `(0, 1)`, `u(0) = u(1) = 0`, by central
/// differences on `n` interior points (`h = 1 / (n + 1)`, `y_0 = y_(n+1) = 0`):
/// ```
/// F(lambda, y)_i = (2 y_i - y_(i-1) - y_(i+1)) / h^2 - lambda exp(y_i)
/// A = dF/dy = tridiag(-1/h^2,  2/h^2 - lambda exp(y_i),  -1/h^2)
/// B = dF/dlambda = -exp(y)                                 (n x 1)
/// dy/dlambda = A^-1 exp(y)
/// ```
/// The parameter vector is `x = [lambda]`. For `0 < lambda < lambda*` there are two
/// solutions; Newton from `y = 0` (``initialGuess``) follows the lower branch. At the fold
/// `lambda* ~ 3.5138` (continuous problem; smaller on coarse grids, e.g. `8/e` for
/// `n = 1`) `A` becomes singular: beyond it there is no solution and Newton's method
/// reports a singular Jacobian or stagnation rather than a root.
public struct BratuProblem: NonlinearSystem {
    /// Interior grid points, `n >= 1`.
    public let gridPoints: Int

    /// - Throws: ``NewtonError/dimensionMismatch(_:)`` unless `gridPoints >= 1`.
    public init(gridPoints n: Int) throws {
        guard n >= 1 else { throw NewtonError.dimensionMismatch("the Bratu problem needs at least one interior point, got \(n)") }
        gridPoints = n
    }

    /// `1 / h^2 = (n + 1)^2`.
    var inverseSquaredSpacing: Double { Double(gridPoints + 1) * Double(gridPoints + 1) }

    /// `y = 0`: the start that leads Newton to the lower branch.
    public var initialGuess: Vector { .zeros(gridPoints) }

    public func validate(parameters x: Vector, unknowns n: Int) throws {
        guard x.count == 1 else {
            throw NewtonError.dimensionMismatch("the Bratu problem has one parameter (lambda), got \(x.count)")
        }
        guard n == gridPoints else {
            throw NewtonError.dimensionMismatch("the Bratu problem has \(gridPoints) unknowns, got an initial guess of \(n)")
        }
        guard x[0].isFinite else { throw NewtonError.nonFinite(iteration: 0, what: "lambda", history: []) }
    }

    public func residual(x: Vector, y: Vector) -> Vector {
        let n = y.count
        guard x.count == 1, n == gridPoints else { return Vector(repeating: .nan, count: n) }
        let lambda = x[0], s = inverseSquaredSpacing
        var f = [Double](repeating: 0, count: n)
        y.scalars.withUnsafeBufferPointer { u in
            f.withUnsafeMutableBufferPointer { r in
                for i in 0..<n {
                    let left = i > 0 ? u[i - 1] : 0
                    let right = i < n - 1 ? u[i + 1] : 0
                    r[i] = (2 * u[i] - left - right) * s - lambda * Foundation.exp(u[i])
                }
            }
        }
        return Vector(f)
    }

    public func jacobian(x: Vector, y: Vector) throws -> TridiagonalMatrix {
        let n = y.count
        let lambda = x.count == 1 ? x[0] : .nan, s = inverseSquaredSpacing
        var d = [Double](repeating: 0, count: n)
        y.scalars.withUnsafeBufferPointer { u in
            d.withUnsafeMutableBufferPointer { dd in
                for i in 0..<n { dd[i] = 2 * s - lambda * Foundation.exp(u[i]) }
            }
        }
        let off = [Double](repeating: -s, count: Swift.max(n - 1, 0))
        return try TridiagonalMatrix(subdiagonal: off, diagonal: d, superdiagonal: off)
    }

    /// `F` and `A` with one `exp(y_i)` per entry (the same values as ``residual(x:y:)`` and
    /// ``jacobian(x:y:)``).
    public func residualAndJacobian(x: Vector, y: Vector) -> (residual: Vector, jacobian: TridiagonalMatrix?) {
        let n = y.count
        guard x.count == 1, n == gridPoints else { return (Vector(repeating: .nan, count: n), nil) }
        let lambda = x[0], s = inverseSquaredSpacing
        var f = [Double](repeating: 0, count: n)
        var d = [Double](repeating: 0, count: n)
        y.scalars.withUnsafeBufferPointer { u in
            f.withUnsafeMutableBufferPointer { r in
                d.withUnsafeMutableBufferPointer { dd in
                    for i in 0..<n {
                        let left = i > 0 ? u[i - 1] : 0
                        let right = i < n - 1 ? u[i + 1] : 0
                        let source = lambda * Foundation.exp(u[i])
                        r[i] = (2 * u[i] - left - right) * s - source
                        dd[i] = 2 * s - source
                    }
                }
            }
        }
        let off = [Double](repeating: -s, count: Swift.max(n - 1, 0))
        return (Vector(f), TridiagonalMatrix(uncheckedSubdiagonal: off, diagonal: d, superdiagonal: off))
    }

    /// `B = -exp(y)` as an `n x 1` operator.
    public func parameterJacobian(x: Vector, y: Vector) -> any AdjointableLinearOperator {
        let e = y.exp()
        return FunctionOperator(rows: y.count, columns: 1,
                                apply: { v in v.scalars.isEmpty ? .zeros(e.count) : (-v[0]) * e },
                                applyTransposed: { w in [-(w.dot(e))] })
    }
}
