/// The least-squares loss
/// ```
/// f(w; X, y) = 1/2 ||X w - y||^2,       grad f = X'(X w - y),      H = X'X
/// G (dX, dy) = dX' r + X'(dX w) - X' dy,          r = X w - y
/// G' v       = (r v' + (X v) w',  -X v)
/// df/dX = r w',   df/dy = -r
/// ```
/// with `X` (`N x n`) and `y` (`N`). Parameters are packed as `theta = [vec(X), y]`
/// (`X` row-major).
///
/// When `n` is small relative to `N` the Gram matrix `X'X` and `X'y` are formed once
/// (one BLAS `dgemm`), and every gradient and Hessian product then costs `O(n^2)` instead
/// of `O(N n)`.
public struct LeastSquares: SmoothObjective {
    /// `X` (`N x n`).
    public let design: Matrix
    /// `y` (`N`).
    public let targets: Vector
    /// `X'X`, when formed.
    public let gram: Matrix?
    /// `X'y`, when the Gram matrix is formed.
    let correlation: Vector?
    /// `||y||^2`.
    let targetSquaredNorm: Double

    /// - Parameters:
    ///   - useGram: form `X'X` (`nil`: when `N >= 2 n`, where the `O(N n^2)` product pays
    ///     for itself within a few hundred iterations).
    /// - Throws: ``ProxError`` for mismatched shapes or non-finite data.
    public init(design: Matrix, targets: Vector, useGram: Bool? = nil) throws {
        guard design.rows == targets.count else {
            throw ProxError.dimensionMismatch("X has \(design.rows) rows but y has \(targets.count) entries")
        }
        guard design.isFinite, targets.isFinite else { throw ProxError.nonFinite("the least-squares data") }
        self.design = design
        self.targets = targets
        targetSquaredNorm = targets.squaredNorm()
        if useGram ?? (design.rows >= 2 * design.columns) {
            gram = Matrix.product(design, transposed: true, design, transposed: false)
            correlation = design.transposedTimes(targets)
        } else {
            gram = nil
            correlation = nil
        }
    }

    public var dimension: Int { design.columns }

    /// `[vec(X), y]`.
    public var parameters: Vector { Vector(design.scalars + targets.scalars) }

    /// The objective with `theta = [vec(X), y]` (without a Gram matrix).
    public func withParameters(_ parameters: Vector) throws -> LeastSquares {
        let n = design.rows, d = design.columns
        guard parameters.count == n * d + n else {
            throw ProxError.dimensionMismatch("least squares takes \(n * d + n) parameters, got \(parameters.count)")
        }
        return try LeastSquares(design: Matrix(rows: n, columns: d, scalars: Array(parameters.scalars[0..<(n * d)])),
                                targets: parameters.slice((n * d)..<(n * d + n)), useGram: false)
    }

    /// `r = X w - y`.
    public func residual(at w: Vector) -> Vector { design * w - targets }

    /// `1/2 ||X w - y||^2`, from the residual (accurate even when it is tiny).
    public func value(at w: Vector) -> Double { 0.5 * residual(at: w).squaredNorm() }

    /// With the Gram matrix, the value is `1/2 w'(g - X'y) + 1/2 ||y||^2` (absolute error
    /// ~ `ulp ||y||^2`); use ``value(at:)`` for an accurate value.
    public func valueAndGradient(at w: Vector) -> (value: Double, gradient: Vector) {
        if let gram, let correlation {
            var g = gram * w
            g.add(correlation, scaledBy: -1)
            return (0.5 * (w.dot(g) - w.dot(correlation)) + 0.5 * targetSquaredNorm, g)
        }
        let r = residual(at: w)
        return (0.5 * r.squaredNorm(), design.transposedTimes(r))
    }

    public func gradient(at w: Vector) -> Vector { valueAndGradient(at: w).gradient }

    /// `X'X v`.
    public func hessianVectorProduct(at w: Vector, _ v: Vector) -> Vector {
        if let gram { return gram * v }
        return design.transposedTimes(design * v)
    }

    /// `(X'X)[S, S]`: read from the Gram matrix, or `X_S'X_S` by one `dgemm`.
    public func hessianBlock(at w: Vector, indices: [Int]) -> Matrix {
        let k = indices.count, d = design.columns
        if let gram {
            var block = Matrix(rows: k, columns: k)
            for (a, i) in indices.enumerated() {
                for (b, j) in indices.enumerated() { block.scalars[a * k + b] = gram.scalars[i * d + j] }
            }
            return block
        }
        let xs = columns(indices)
        return Matrix.product(xs, transposed: true, xs, transposed: false)
    }

    /// `X[:, S]`.
    func columns(_ indices: [Int]) -> Matrix {
        let n = design.rows, d = design.columns, k = indices.count
        var out = [Double](repeating: 0, count: n * k)
        design.scalars.withUnsafeBufferPointer { x in
            for r in 0..<n {
                for (b, j) in indices.enumerated() { out[r * k + b] = x[r * d + j] }
            }
        }
        return Matrix(rows: n, columns: k, scalars: out)
    }

    public func gradientParameterJacobian(at w: Vector) -> any SendableLinearOperator {
        let x = design, r = residual(at: w)
        let n = x.rows, d = x.columns
        return FunctionOperator(
            rows: d, columns: n * d + n,
            apply: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                var out = dX.transposedTimes(r)
                out.add(x.transposedTimes(dX * w - dy), scaledBy: 1)
                return out
            },
            applyTransposed: { v in
                let xv = x * v
                var gX = Matrix.outer(r, v)
                gX.addOuter(xv, w)
                return Vector(gX.scalars + (-xv).scalars)
            })
    }

    /// `[vec(r w'), -r]`.
    public func parameterGradient(at w: Vector) -> Vector {
        let r = residual(at: w)
        return Vector(Matrix.outer(r, w).scalars + (-r).scalars)
    }

    public var isQuadratic: Bool { true }
}
