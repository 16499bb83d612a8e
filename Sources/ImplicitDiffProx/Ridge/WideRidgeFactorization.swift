/// `A = X'X + lambda I` (`d x d`) for a wide design `X` (`N x d`, `N < d`, full row
/// rank), factorised through the thin QR `X' = Q R` (`Q` is `d x N`):
/// ```
/// A = Q (R R' + lambda I_N) Q' + lambda (I - Q Q')
/// A^-1 v = Q K^-1 Q'v + (v - Q Q'v) / lambda,      K = R R' + lambda I_N (Cholesky)
/// ```
/// `K` has condition number `(sigma_max^2 + lambda) / (sigma_min^2 + lambda)`, independent
/// of how small `lambda` is; the null-space part `v - Q Q'v` is projected twice ("twice
/// is enough") so that rounding in the range of `Q` is not amplified by `1/lambda`.
public struct WideRidgeFactorization: Factorization {
    public let dimension: Int
    /// The thin `Q` of `X' = Q R` (`d x N`).
    let q: Matrix
    /// `R` (`N x N`, upper triangular).
    let r: Matrix
    /// Cholesky factorisation of `R R' + lambda I_N`.
    let inner: CholeskyFactorization
    /// Cholesky factorisation of `R'R + lambda I_N = X X' + lambda I_N` (the dual system).
    let dual: CholeskyFactorization
    let lambda: Double

    /// - Throws: ``LinearAlgebraError`` when `X` is not wide or not of full row rank.
    public init(design: Matrix, lambda: Double) throws {
        guard design.rows < design.columns else {
            throw LinearAlgebraError.dimensionMismatch("WideRidgeFactorization needs N < d, got \(design.rows) x \(design.columns)")
        }
        let qr = try QRFactorization(design.transposed)
        q = qr.orthogonalFactor
        r = qr.upperTriangularFactor
        var k = Matrix.product(r, transposed: false, r, transposed: true)
        for i in 0..<k.rows { k[i, i] += lambda }
        inner = try CholeskyFactorization(k)
        var g = Matrix.product(r, transposed: true, r, transposed: false)
        for i in 0..<g.rows { g[i, i] += lambda }
        dual = try CholeskyFactorization(g)
        self.lambda = lambda
        dimension = design.columns
    }

    /// `A^-1 X' y = Q K^-1 R y` (exactly in the range of `X'`).
    public func solveRangeOfTransposedDesign(_ y: Vector) -> Vector { q * inner.solve(r * y) }

    /// The residual at the solution, `X w - y = -lambda (X X' + lambda I)^-1 y`, without
    /// the cancellation of forming `X w - y` (the residual is `O(lambda)` when the design
    /// interpolates; its rounding error, multiplied by the `1/lambda` of the derivative's
    /// null-space part, cost six digits of `dL/dX` at `lambda = 1e-8`).
    public func residual(targets y: Vector) -> Vector { -lambda * dual.solve(y) }

    public func solve(_ b: Vector) -> Vector {
        precondition(b.count == dimension, "right-hand side of length \(b.count) for order \(dimension)")
        var c = q.transposedTimes(b)
        var rest = b - q * c
        let again = q.transposedTimes(rest)
        rest = rest - q * again
        c = c + again
        return q * inner.solve(c) + (1 / lambda) * rest
    }

    public func solveTransposed(_ b: Vector) -> Vector { solve(b) }

    public func solve(_ b: Matrix) -> Matrix {
        var out = Matrix(rows: b.rows, columns: b.columns)
        for k in 0..<b.columns { out.setColumn(k, to: solve(b.column(k))) }
        return out
    }

    public func solveTransposed(_ b: Matrix) -> Matrix { solve(b) }
}
