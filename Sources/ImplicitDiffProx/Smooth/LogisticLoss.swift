import Glibc

/// The logistic (binary cross-entropy) loss with labels `y_i` in `[0, 1]`:
/// ```
/// f(w; X, y) = sum_i log(1 + exp(z_i)) - y_i z_i,      z = X w
/// grad f = X'(sigma(z) - y),       H = X' diag(s) X,     s = sigma(z) (1 - sigma(z))
/// G (dX, dy) = dX'(sigma - y) + X' diag(s) dX w - X' dy
/// G' v       = ((sigma - y) v' + (s * X v) w',  -X v)
/// df/dX = (sigma - y) w',   df/dy = -z
/// ```
/// with `X` (`N x n`). Parameters are packed as `theta = [vec(X), y]`. Labels enter
/// linearly, so derivatives in `y` are well defined for soft labels. The Lipschitz
/// constant of the gradient is at most `||X||_2^2 / 4`.
public struct LogisticLoss: SmoothObjective {
    /// `X` (`N x n`).
    public let design: Matrix
    /// `y` in `[0, 1]^N`.
    public let labels: Vector

    /// - Throws: ``ProxError`` for mismatched shapes or non-finite data. Labels are meant to
    ///   lie in `[0, 1]` (hard or soft); they are not clamped, so that derivatives in `y` can
    ///   be taken at the boundary (outside `[0, 1]` the loss may be unbounded below).
    public init(design: Matrix, labels: Vector) throws {
        guard design.rows == labels.count else {
            throw ProxError.dimensionMismatch("X has \(design.rows) rows but y has \(labels.count) entries")
        }
        guard design.isFinite, labels.isFinite else { throw ProxError.nonFinite("the logistic data") }
        self.design = design
        self.labels = labels
    }

    public var dimension: Int { design.columns }

    /// `[vec(X), y]`.
    public var parameters: Vector { Vector(design.scalars + labels.scalars) }

    /// `N n + N`, without forming ``parameters``.
    public var parameterCount: Int { design.rows * design.columns + design.rows }

    public func withParameters(_ parameters: Vector) throws -> LogisticLoss {
        let n = design.rows, d = design.columns
        guard parameters.count == n * d + n else {
            throw ProxError.dimensionMismatch("the logistic loss takes \(n * d + n) parameters, got \(parameters.count)")
        }
        return try LogisticLoss(design: Matrix(rows: n, columns: d, scalars: Array(parameters.scalars[0..<(n * d)])),
                                labels: parameters.slice((n * d)..<(n * d + n)))
    }

    /// `log(1 + e^z)` without overflow.
    static func softplus(_ z: Double) -> Double { Swift.max(z, 0) + log1p(exp(-abs(z))) }
    /// `1 / (1 + e^-z)` without overflow.
    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    public func valueAndGradient(at w: Vector) -> (value: Double, gradient: Vector) {
        let z = design * w
        var value = 0.0
        for i in 0..<z.count { value += Self.softplus(z[i]) - labels[i] * z[i] }
        return (value, design.transposedTimes(z.map(Self.sigmoid) - labels))
    }

    /// `s = sigma(z)(1 - sigma(z))` at `w`.
    func curvature(at w: Vector) -> Vector {
        (design * w).map { let p = Self.sigmoid($0); return p * (1 - p) }
    }

    public func hessianVectorProduct(at w: Vector, _ v: Vector) -> Vector {
        design.transposedTimes(curvature(at: w) * (design * v))
    }

    /// `X_S' diag(s) X_S` by one `dgemm`.
    public func hessianBlock(at w: Vector, indices: [Int]) -> Matrix {
        let s = curvature(at: w)
        let n = design.rows, d = design.columns, k = indices.count
        var scaled = [Double](repeating: 0, count: n * k), plain = scaled
        for r in 0..<n {
            for (b, j) in indices.enumerated() {
                plain[r * k + b] = design.scalars[r * d + j]
                scaled[r * k + b] = s[r] * design.scalars[r * d + j]
            }
        }
        return Matrix.product(Matrix(rows: n, columns: k, scalars: plain), transposed: true,
                              Matrix(rows: n, columns: k, scalars: scaled), transposed: false).symmetricPart
    }

    public func gradientParameterJacobian(at w: Vector) -> any SendableLinearOperator {
        let x = design, z = design * w
        let n = x.rows, d = x.columns
        let residual = z.map(Self.sigmoid) - labels
        let s = z.map { let p = Self.sigmoid($0); return p * (1 - p) }
        return FunctionOperator(
            rows: d, columns: n * d + n,
            apply: { t in
                let dX = Matrix(rows: n, columns: d, scalars: Array(t.scalars[0..<(n * d)]))
                let dy = t.slice((n * d)..<(n * d + n))
                var out = dX.transposedTimes(residual)
                out.add(x.transposedTimes(s * (dX * w) - dy), scaledBy: 1)
                return out
            },
            applyTransposed: { v in
                let xv = x * v
                var gX = Matrix.outer(residual, v)
                gX.addOuter(s * xv, w)
                return Vector(gX.scalars + (-xv).scalars)
            })
    }

    /// `[vec((sigma - y) w'), -z]`.
    public func parameterGradient(at w: Vector) -> Vector {
        let z = design * w
        return Vector(Matrix.outer(z.map(Self.sigmoid) - labels, w).scalars + (-z).scalars)
    }

    /// `||X||_2^2 / 4` by 30 power iterations on `X'X` (times 1.01 for the iteration's
    /// underestimate; backtracking guards the rest).
    public func lipschitzEstimate() -> Double? {
        let squares = try? LeastSquares(design: design, targets: .zeros(design.rows), useGram: false)
        return squares.map { 1.01 * $0.powerIteration(at: .zeros(dimension), iterations: 30) / 4 }
    }
}
