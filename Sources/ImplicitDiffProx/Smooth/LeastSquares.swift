import _CLAPACK

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
/// When `n` is not large relative to `N` and a solve runs long, the Gram matrix `X'X` and
/// `X'y` are formed once (BLAS `dsyrk`), and every gradient and Hessian product then costs
/// `O(n^2)` instead of `O(N n)`.
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
    ///   - design: `X` (`N x n`).
    ///   - targets: `y` (`N`).
    ///   - useGram: `true` forms `X'X` and `X'y` now; `false` never; `nil` (default) starts
    ///     without them and lets ``ProximalGradient`` form them once a run is long enough
    ///     for them to pay (``precomputationBreakEven``).
    /// - Throws: ``ProxError`` for mismatched shapes or non-finite data.
    public init(design: Matrix, targets: Vector, useGram: Bool? = nil) throws {
        guard design.rows == targets.count else {
            throw ProxError.dimensionMismatch("X has \(design.rows) rows but y has \(targets.count) entries")
        }
        guard design.isFinite, targets.isFinite else { throw ProxError.nonFinite("the least-squares data") }
        self.init(design: design, targets: targets, gram: useGram == true ? Self.gram(design) : nil,
                  adaptive: useGram == nil)
    }

    init(design: Matrix, targets: Vector, gram: Matrix?, adaptive: Bool) {
        self.design = design
        self.targets = targets
        self.gram = gram
        self.correlation = gram == nil ? nil : design.transposedTimes(targets)
        self.targetSquaredNorm = targets.squaredNorm()
        self.adaptive = adaptive
    }

    /// Whether the Gram matrix may be formed mid-solve.
    let adaptive: Bool

    /// `X'X` by BLAS `dsyrk` (one triangle, then mirrored).
    static func gram(_ x: Matrix) -> Matrix {
        let n = x.rows, d = x.columns
        var c = [Double](repeating: 0, count: d * d)
        if n > 0 && d > 0 {
            x.scalars.withUnsafeBufferPointer { xp in
                c.withUnsafeMutableBufferPointer { cp in
                    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, xp.baseAddress, Int32(d),
                                0, cp.baseAddress, Int32(d))
                }
            }
            for i in 0..<d { for j in 0..<i { c[i * d + j] = c[j * d + i] } }
        }
        return Matrix(rows: d, columns: d, scalars: c)
    }

    /// `ceil(N n / (8 (2N - n)))`: forming `X'X` costs `N n^2` flops at BLAS-3 speed (about
    /// 8 times the flop rate of the memory-bound `dgemv`), and saves `2 N n - n^2` per
    /// gradient. `nil` when the Gram matrix is already formed, was refused, would not be
    /// cheaper per gradient (`2N <= n`), or would exceed 5000^2 entries.
    public var precomputationBreakEven: Int? {
        let n = design.rows, d = design.columns
        guard adaptive, gram == nil, 2 * n > d, d <= 5000 else { return nil }
        let k = Double(n * d) / (8 * Double(2 * n - d))
        return Swift.max(1, Int(k.rounded(.up)))
    }

    /// The same objective with `X'X` and `X'y` formed.
    public func precomputed() -> LeastSquares {
        gram != nil ? self : LeastSquares(design: design, targets: targets, gram: Self.gram(design), adaptive: false)
    }

    public var dimension: Int { design.columns }

    /// `[vec(X), y]`.
    public var parameters: Vector { Vector(design.scalars + targets.scalars) }

    /// `N n + N`, without forming ``parameters``.
    public var parameterCount: Int { design.rows * design.columns + design.rows }

    /// The objective with `theta = [vec(X), y]` (without a Gram matrix).
    public func withParameters(_ parameters: Vector) throws -> LeastSquares {
        let n = design.rows, d = design.columns
        guard parameters.count == n * d + n else {
            throw ProxError.dimensionMismatch("least squares takes \(n * d + n) parameters, got \(parameters.count)")
        }
        return try LeastSquares(design: Matrix(rows: n, columns: d, scalars: Array(parameters.scalars[0..<(n * d)])),
                                targets: parameters.slice((n * d)..<(n * d + n)), useGram: adaptive ? nil : gram != nil)
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

    /// `G'v + vbar df/dtheta = (r (v + vbar w)' + (X v) w',  -X v - vbar r)`, written in one
    /// pass over the `N x n` output (the pullback's only `O(N n)` work besides two `dgemv`).
    public func parameterPullback(at w: Vector, gradientCotangent v: Vector, valueCotangent vbar: Double) -> Vector {
        let n = design.rows, d = design.columns
        let v = v.materialized(count: d)
        let r = residual(at: w), xv = design * v
        var a = v
        if vbar != 0 { a.add(w, scaledBy: vbar) }
        // Written in one pass, with room for a few prox parameters so that appending them
        // does not copy the N x n entries again.
        let count = n * d + n
        let out = [Double](unsafeUninitializedCapacity: count + 8) { o, initialized in
            r.scalars.withUnsafeBufferPointer { rp in
                xv.scalars.withUnsafeBufferPointer { xp in
                    a.scalars.withUnsafeBufferPointer { ap in
                        w.scalars.withUnsafeBufferPointer { wp in
                            for i in 0..<n {
                                let ri = rp[i], xi = xp[i], row = i * d
                                for j in 0..<d { o[row + j] = ri * ap[j] + xi * wp[j] }
                                o[n * d + i] = -xi - vbar * ri
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Vector(out)
    }

    public var isQuadratic: Bool { true }
}
