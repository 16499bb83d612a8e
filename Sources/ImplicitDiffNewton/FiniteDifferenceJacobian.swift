import Glibc
import Synchronization

/// `A = dF/dy` of a residual at one point, by forward differences:
/// ```
/// A v ~ (F(x, y + h v) - F(x, y)) / h,    h = sqrt(ulp) * max(1, ||y||) / ||v||
/// ```
/// accurate to about `sqrt(ulp) ~ 1.5e-8` relative (truncation `O(h ||F''||)` against
/// rounding `O(ulp ||F|| / h)`). Each product costs one residual evaluation.
///
/// `A' w` has no difference formula: the first transposed product builds the dense `A`
/// column by column (`n` residual evaluations) and keeps it, so reverse mode on a system
/// without exact Jacobian products costs `n` residuals once per point. Give exact
/// products (``MatrixFreeNonlinearSystem/jacobianOperator(x:y:)``) where they are known.
public struct FiniteDifferenceJacobian: AdjointableLinearOperator {
    let residual: (Vector) -> Vector
    let y: Vector
    let f: Vector
    let dense: DenseCache

    /// The finite-difference Jacobian of `system` at `(x, y)`.
    public init<System: MatrixFreeNonlinearSystem>(system: System, x: Vector, y: Vector) {
        self.init(y: y, residualAtY: system.residual(x: x, y: y)) { system.residual(x: x, y: $0) }
    }

    /// The finite-difference Jacobian of `residual` at `y`, where `residual(y) = residualAtY`
    /// is already known (saves one evaluation).
    public init(y: Vector, residualAtY: Vector, residual: @escaping (Vector) -> Vector) {
        self.residual = residual
        self.y = y
        self.f = residualAtY
        self.dense = DenseCache()
    }

    public var rowCount: Int { f.count }
    public var columnCount: Int { y.count }

    /// `(F(y + h v) - F(y)) / h`; exactly zero for `v = 0`.
    public func apply(_ v: Vector) -> Vector {
        let vNorm = v.norm
        if vNorm == 0 { return .zeros(f.count) }
        let h = Double.ulpOfOne.squareRoot() * Swift.max(1, y.norm) / vNorm
        var yh = y
        yh.add(v, scaledBy: h)
        var d = residual(yh)
        d.add(f, scaledBy: -1)
        return d * (1 / h)
    }

    /// `A' w` from the dense difference Jacobian (built once).
    public func applyTransposed(_ w: Vector) -> Vector {
        dense.matrix { self.densified() }.transposedTimes(w)
    }

    /// The lazily built dense matrix. Not API.
    final class DenseCache: Sendable {
        private let value = Mutex<Matrix?>(nil)
        func matrix(_ build: () -> Matrix) -> Matrix {
            value.withLock { value in
                if let m = value { return m }
                let m = build()
                value = m
                return m
            }
        }
    }
}
