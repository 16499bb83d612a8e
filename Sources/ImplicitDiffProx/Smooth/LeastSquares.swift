import _ImplicitDiffKernels

/// The least-squares loss
/// ```
/// f(w; X, y) = 1/2 ||X w - y||^2,       grad f = X'(X w - y),      H = X'X
/// G (dX, dy) = dX' r + X'(dX w) - X' dy,          r = X w - y
/// G' v       = (r v' + (X v) w',  -X v)
/// df/dX = r w',   df/dy = -r
/// ```
/// with `X` (`N x n`) and `y` (`N`). Parameters are packed as `theta = [vec(X), y]`
/// (`X` row-major) for a dense design, and as `theta = [values(X), y]` for a sparse one
/// (``init(design:targets:)-(SparseMatrix,_)``: the stored entries in compressed-column
/// order; `df/dX` and `G'v` are then the dense formulas above restricted to the stored
/// pattern, `(r v' + (X v) w')_ij` at each stored `(i, j)`, computed in `O(nnz)` without
/// an `N x n` array). See ``DesignMatrix``.
///
/// When `n` is not large relative to `N` and a solve runs long, the Gram matrix `X'X` and
/// `X'y` are formed once (BLAS `dsyrk`), and every gradient and Hessian product then costs
/// `O(n^2)` instead of `O(N n)` (dense designs only: a sparse design's gradient already
/// costs `O(nnz)`).
public struct LeastSquares: SmoothObjective {
    /// `X` (`N x n`), dense or sparse.
    public let designMatrix: DesignMatrix

    /// `X` as a dense matrix. For a sparse design this **forms** the dense `N x n` matrix
    /// (source compatibility with code written for dense designs); use ``designMatrix``.
    public var design: Matrix {
        switch designMatrix {
        case let .dense(x): return x
        case let .sparse(x): return x.dense
        }
    }

    /// The sparse design, when `X` is stored sparse.
    public var sparseDesign: SparseMatrix? {
        if case let .sparse(x) = designMatrix { return x }
        return nil
    }
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
        self.init(design: .dense(design), targets: targets, gram: useGram == true ? Self.gram(design) : nil,
                  adaptive: useGram == nil)
    }

    /// The loss over a sparse design: every product costs `O(nnz)`, the Gram matrix is
    /// never formed, and nothing of size `N x n` is allocated.
    ///
    /// - Parameters:
    ///   - design: `X` (`N x n`), its stored entries (explicit zeros included) the
    ///     parameters of `X`.
    ///   - targets: `y` (`N`).
    /// - Throws: ``ProxError`` for mismatched shapes or non-finite data.
    public init(design: SparseMatrix, targets: Vector) throws {
        guard design.rows == targets.count else {
            throw ProxError.dimensionMismatch("X has \(design.rows) rows but y has \(targets.count) entries")
        }
        guard design.isFinite, targets.isFinite else { throw ProxError.nonFinite("the least-squares data") }
        self.init(design: .sparse(design), targets: targets, gram: nil, adaptive: false)
    }

    init(design: DesignMatrix, targets: Vector, gram: Matrix?, adaptive: Bool) {
        self.designMatrix = design
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
            BLAS.syrk(x.scalars, rows: n, columns: d, into: &c, transposed: true, lower: false, beta: 0)
            for i in 0..<d { for j in 0..<i { c[i * d + j] = c[j * d + i] } }
        }
        return Matrix(rows: d, columns: d, scalars: c)
    }

    /// `ceil(N n / (8 (2N - n)))`: forming `X'X` costs `N n^2` flops at BLAS-3 speed (about
    /// 8 times the flop rate of the memory-bound `dgemv`), and saves `2 N n - n^2` per
    /// gradient. `nil` when the Gram matrix is already formed, was refused, would not be
    /// cheaper per gradient (`2N <= n`), or would exceed 5000^2 entries; always `nil` for
    /// a sparse design.
    public var precomputationBreakEven: Int? {
        guard case let .dense(x) = designMatrix else { return nil }
        let n = x.rows, d = x.columns
        guard adaptive, gram == nil, 2 * n > d, d <= 5000 else { return nil }
        let k = Double(n * d) / (8 * Double(2 * n - d))
        return Swift.max(1, Int(k.rounded(.up)))
    }

    /// The same objective with `X'X` and `X'y` formed (a sparse design: itself).
    public func precomputed() -> LeastSquares {
        guard gram == nil, case let .dense(x) = designMatrix else { return self }
        return LeastSquares(design: .dense(x), targets: targets, gram: Self.gram(x), adaptive: false)
    }

    public var dimension: Int { designMatrix.columns }

    /// `[vec(X), y]` (dense) or `[values(X), y]` (sparse).
    public var parameters: Vector { Vector(designMatrix.storedValues + targets.scalars) }

    /// `N n + N` (dense) or `nnz + N` (sparse), without forming ``parameters``.
    public var parameterCount: Int { designMatrix.storedCount + designMatrix.rows }

    /// The objective with `theta = [vec(X), y]` (dense; without a Gram matrix) or
    /// `theta = [values(X), y]` (sparse: the same pattern).
    public func withParameters(_ parameters: Vector) throws -> LeastSquares {
        let n = designMatrix.rows, m = designMatrix.storedCount
        guard parameters.count == m + n else {
            throw ProxError.dimensionMismatch("least squares takes \(m + n) parameters, got \(parameters.count)")
        }
        let targets = parameters.slice(m..<(m + n))
        switch designMatrix {
        case let .dense(x):
            return try LeastSquares(design: Matrix(rows: n, columns: x.columns, scalars: Array(parameters.scalars[0..<m])),
                                    targets: targets, useGram: adaptive ? nil : gram != nil)
        case let .sparse(x):
            return try LeastSquares(design: x.withValues(Array(parameters.scalars[0..<m])), targets: targets)
        }
    }

    /// `r = X w - y`.
    public func residual(at w: Vector) -> Vector { designMatrix * w - targets }

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
        return (0.5 * r.squaredNorm(), designMatrix.transposedTimes(r))
    }

    public func gradient(at w: Vector) -> Vector { valueAndGradient(at: w).gradient }

    /// `X'X v`.
    public func hessianVectorProduct(at w: Vector, _ v: Vector) -> Vector {
        if let gram { return gram * v }
        return designMatrix.transposedTimes(designMatrix * v)
    }

    /// `(X'X)[S, S]`: read from the Gram matrix, or `X_S'X_S` by one `dgemm` (dense) or
    /// from the sparse columns (`O(|S| nnz(X_S))`).
    public func hessianBlock(at w: Vector, indices: [Int]) -> Matrix {
        let k = indices.count, d = designMatrix.columns
        let design: Matrix
        switch designMatrix {
        case let .dense(x): design = x
        case let .sparse(x): return x.gramBlock(indices)
        }
        if let gram {
            var block = Matrix(rows: k, columns: k)
            for (a, i) in indices.enumerated() {
                for (b, j) in indices.enumerated() { block.scalars[a * k + b] = gram.scalars[i * d + j] }
            }
            return block
        }
        let xs = Self.columns(design, indices)
        return Matrix.product(xs, transposed: true, xs, transposed: false)
    }

    /// `X[:, S]` (dense; a sparse design's columns are densified).
    func columns(_ indices: [Int]) -> Matrix { Self.columns(design, indices) }

    /// `X[:, S]` of a dense `X`.
    static func columns(_ design: Matrix, _ indices: [Int]) -> Matrix {
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
        let r = residual(at: w)
        let x: Matrix
        switch designMatrix {
        case let .dense(m): x = m
        case let .sparse(m): return Self.sparseGradientParameterJacobian(m, residual: r, w: w)
        }
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

    /// `G` over a sparse design: `[dX, dy] -> dX' r + X'(dX w - dy)` (`dX` on the pattern)
    /// and `v -> [(r v' + (X v) w') on the pattern, -X v]`, both `O(nnz)`.
    static func sparseGradientParameterJacobian(_ x: SparseMatrix, residual r: Vector, w: Vector) -> any SendableLinearOperator {
        let n = x.rows, m = x.nonZeroCount
        return FunctionOperator(
            rows: x.columns, columns: m + n,
            apply: { t in
                let t = t.materialized(count: m + n)
                let dX = x.withValues(Array(t.scalars[0..<m]))
                var out = dX.transposedTimes(r)
                out.add(x.transposedTimes(dX * w - t.slice(m..<(m + n))), scaledBy: 1)
                return out
            },
            applyTransposed: { v in
                let v = v.materialized(count: x.columns)
                let xv = x * v
                return Vector(x.patternGradient(left: r, right: v, left: xv, right: w) + (-xv).scalars)
            })
    }

    /// `[vec(r w'), -r]` (dense) or `[(r w') on the pattern, -r]` (sparse).
    public func parameterGradient(at w: Vector) -> Vector {
        let r = residual(at: w)
        if case let .sparse(x) = designMatrix {
            return Vector(x.patternGradient(left: r, right: w) + (-r).scalars)
        }
        return Vector(Matrix.outer(r, w).scalars + (-r).scalars)
    }

    /// `G'v + vbar df/dtheta = (r (v + vbar w)' + (X v) w',  -X v - vbar r)`, written in one
    /// pass over the `N x n` output (the pullback's only `O(N n)` work besides two `dgemv`);
    /// for a sparse design, the same on the stored pattern in `O(nnz)`.
    public func parameterPullback(at w: Vector, gradientCotangent v: Vector, valueCotangent vbar: Double) -> Vector {
        let n = designMatrix.rows, d = designMatrix.columns
        let v = v.materialized(count: d)
        let r = residual(at: w), xv = designMatrix * v
        var a = v
        if vbar != 0 { a.add(w, scaledBy: vbar) }
        if case let .sparse(x) = designMatrix {
            var out = x.patternGradient(left: r, right: a, left: xv, right: w)
            out.reserveCapacity(out.count + n + 8)
            for i in 0..<n { out.append(-xv[i] - vbar * r[i]) }
            return Vector(out)
        }
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
