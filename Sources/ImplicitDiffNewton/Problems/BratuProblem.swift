import Glibc
import _ImplicitDiffKernels

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
    /// The constant off-diagonals `-1/h^2` of every Jacobian, shared (not copied) by them.
    let offDiagonal: [Double]

    /// - Throws: ``NewtonError/dimensionMismatch(_:)`` unless `gridPoints >= 1`.
    public init(gridPoints n: Int) throws {
        guard n >= 1 else { throw NewtonError.dimensionMismatch("the Bratu problem needs at least one interior point, got \(n)") }
        gridPoints = n
        offDiagonal = [Double](repeating: -Double(n + 1) * Double(n + 1), count: n - 1)
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
        let f = [Double](unsafeUninitializedCapacity: n) { r, count in
            y.scalars.withUnsafeBufferPointer { u in
                exponentials(of: u.baseAddress!, into: r.baseAddress!, count: n)
                Self.residual(u, exponentials: UnsafeBufferPointer(r), lambda: lambda, inverseSquaredSpacing: s, into: r)
            }
            count = n
        }
        return Vector(f)
    }

    public func jacobian(x: Vector, y: Vector) throws -> TridiagonalMatrix {
        let n = y.count
        let lambda = x.count == 1 ? x[0] : .nan, s = inverseSquaredSpacing
        guard n == gridPoints else {
            throw NewtonError.dimensionMismatch("the Bratu problem has \(gridPoints) unknowns, got \(n)")
        }
        let d = [Double](unsafeUninitializedCapacity: n) { dd, count in
            y.scalars.withUnsafeBufferPointer { u in exponentials(of: u.baseAddress!, into: dd.baseAddress!, count: n) }
            for i in 0..<n { dd[i] = 2 * s - lambda * dd[i] }
            count = n
        }
        return TridiagonalMatrix(uncheckedSubdiagonal: offDiagonal, diagonal: d, superdiagonal: offDiagonal)
    }

    /// `F` and `A` with one `exp(y_i)` per entry (the same values as ``residual(x:y:)`` and
    /// ``jacobian(x:y:)``).
    public func residualAndJacobian(x: Vector, y: Vector) -> (residual: Vector, jacobian: TridiagonalMatrix?) {
        let n = y.count
        guard x.count == 1, n == gridPoints else { return (Vector(repeating: .nan, count: n), nil) }
        let lambda = x[0], s = inverseSquaredSpacing
        var f = [Double]()
        let d = [Double](unsafeUninitializedCapacity: n) { dd, count in
            y.scalars.withUnsafeBufferPointer { u in
                exponentials(of: u.baseAddress!, into: dd.baseAddress!, count: n)
                f = [Double](unsafeUninitializedCapacity: n) { r, rCount in
                    Self.residual(u, exponentials: UnsafeBufferPointer(dd), lambda: lambda, inverseSquaredSpacing: s, into: r)
                    rCount = n
                }
                for i in 0..<n { dd[i] = 2 * s - lambda * dd[i] }
            }
            count = n
        }
        return (Vector(f), TridiagonalMatrix(uncheckedSubdiagonal: offDiagonal, diagonal: d, superdiagonal: offDiagonal))
    }

    /// `r_i = (2 y_i - y_(i-1) - y_(i+1)) s - lambda e_i` (`e` may be `r` itself: entry `i`
    /// of `e` is read before `r_i` is written and not after).
    @inline(__always)
    static func residual(_ u: UnsafeBufferPointer<Double>, exponentials e: UnsafeBufferPointer<Double>, lambda: Double,
                         inverseSquaredSpacing s: Double, into r: UnsafeMutableBufferPointer<Double>) {
        let n = u.count
        guard n > 1 else {
            if n == 1 { r[0] = 2 * u[0] * s - lambda * e[0] }
            return
        }
        r[0] = (2 * u[0] - u[1]) * s - lambda * e[0]
        for i in 1..<(n - 1) { r[i] = (2 * u[i] - u[i - 1] - u[i + 1]) * s - lambda * e[i] }
        r[n - 1] = (2 * u[n - 1] - u[n - 2]) * s - lambda * e[n - 1]
    }

    /// `B = -exp(y)` as an `n x 1` operator.
    public func parameterJacobian(x: Vector, y: Vector) -> any AdjointableLinearOperator {
        let e = y.exp()
        return FunctionOperator(rows: y.count, columns: 1,
                                apply: { v in v.scalars.isEmpty ? .zeros(e.count) : (-v[0]) * e },
                                applyTransposed: { w in [-(w.dot(e))] })
    }
}
